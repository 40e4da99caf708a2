"""Work a process runs beside its requests: the rate budget's rounds, the change feed,
the change log's pruning, a connection's pings.

Each is one task, started at most once and, on stop, cancelled and waited for, so that
nothing it holds (a connection, a socket) outlives the component that started it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

__all__ = ["Background"]


class Background:
    """One named background task."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._task: asyncio.Task[None] | None = None

    def start(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `work()` in a task of its own, unless one runs already."""
        if self._task is None:
            self._task = asyncio.create_task(work(), name=self.name)

    async def stop(self) -> None:
        """Cancel the task and wait until it has ended; idempotent."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
