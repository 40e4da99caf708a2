"""How an import reports while it runs: a progress bar on a terminal, log lines otherwise.

Both print each refused document as soon as it is known (`error: <where>: <why>`), so
a long import shows its bad input without waiting for the end. Progress is counted in
bytes of input, which are known before reading (documents are not), for the percentage
and the time left; the rate is in documents per second.
"""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Any, TextIO

from newsgraph.ingest.outcomes import Refusal

__all__ = ["LogProgress", "TerminalProgress", "progress_for"]

logger = logging.getLogger("newsgraph.import")
# Log lines are this many seconds apart at most (and one at the end of a long import).
LOG_EVERY_S = 10.0


class LogProgress:
    """A log record every `LOG_EVERY_S` seconds: documents, rate, percentage, time left."""

    def __init__(self, total_bytes: int | None, *, stream: TextIO | None = None) -> None:
        self.total = total_bytes
        self.stream = stream or sys.stderr
        self.documents = 0
        self.size = 0
        self.started = time.monotonic()
        self.last = self.started
        self.logged = 0  # documents at the last line

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if 0 < self.logged < self.documents:  # it has logged: say where it ended too
            self._log()

    def advance(self, documents: int, size: int) -> None:
        self.documents += documents
        self.size += size
        if time.monotonic() - self.last >= LOG_EVERY_S:
            self._log()

    def refused(self, refusal: Refusal) -> None:
        print(f"error: {refusal}", file=self.stream, flush=True)

    def _log(self) -> None:
        now = time.monotonic()
        self.last = now
        self.logged = self.documents
        rate = self.documents / max(now - self.started, 1e-9)
        extra: dict[str, Any] = {"documents": self.documents, "per_second": round(rate)}
        message = f"import: {self.documents:,} documents, {rate:,.0f}/s"
        if self.total:
            done = min(self.size / self.total, 1.0)
            extra["percent"] = round(100 * done, 1)
            message += f", {100 * done:.0f}%"
            if 0 < done < 1:
                left = (now - self.started) * (1 - done) / done
                extra["seconds_left"] = round(left)
                message += f", about {_duration(left)} left"
        logger.info(message, extra=extra)


class TerminalProgress:
    """rich's progress bar: documents done, their rate, the bar by bytes, time left."""

    def __init__(self, total_bytes: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True, soft_wrap=True)
        self.bar = Progress(
            TextColumn("importing"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[documents]:,} documents, {task.fields[rate]:,.0f}/s"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.bar.add_task("import", total=total_bytes, documents=0, rate=0.0)
        self.documents = 0
        self.started = time.monotonic()

    def __enter__(self) -> TerminalProgress:
        self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.bar.stop()

    def advance(self, documents: int, size: int) -> None:
        self.documents += documents
        rate = self.documents / max(time.monotonic() - self.started, 1e-9)
        self.bar.update(self.task, advance=size, documents=self.documents, rate=rate)

    def refused(self, refusal: Refusal) -> None:
        from rich.markup import escape

        self.console.print(f"[red]error:[/red] {escape(str(refusal))}", highlight=False)


def progress_for(total_bytes: int | None) -> LogProgress | TerminalProgress:
    """A bar when stderr is a terminal, log lines when it is not (a file, a pipe, CI)."""
    if sys.stderr.isatty():
        return TerminalProgress(total_bytes)
    return LogProgress(total_bytes)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
