"""What `newsgraph import` and `ingest` run: workers, one connection, the runner, a report."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable

from newsgraph.db.driver import connect
from newsgraph.db.migrate import require_head
from newsgraph.ingest.bulk.progress import LogProgress, TerminalProgress, progress_for
from newsgraph.ingest.bulk.runner import BATCH_SIZE, import_items
from newsgraph.ingest.bulk.summary import ImportSummary
from newsgraph.ingest.bulk.workers import InProcess, Preparer, ProcessPool
from newsgraph.ingest.items import Item
from newsgraph.ingest.normalize import MAX_BYTES

__all__ = ["default_jobs", "run_import"]


def default_jobs() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run_import(
    url: str,
    items: Iterable[Item],
    *,
    jobs: int,
    strict: bool = False,
    total_bytes: int | None = None,
    extractor: str | None = None,
    max_bytes: int = MAX_BYTES,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import `items` into the database at `url`, `jobs` processes preparing them.

    The worker pool starts first, before the event loop and any thread exist (it forks).
    """
    preparer: Preparer = (
        ProcessPool(jobs, extractor=extractor, max_bytes=max_bytes)
        if jobs > 1
        else InProcess(extractor=extractor, max_bytes=max_bytes)
    )
    try:
        with progress_for(total_bytes) as progress:
            return asyncio.run(
                _run(url, items, preparer, progress, strict=strict, batch_size=batch_size)
            )
    finally:
        preparer.close()


async def _run(
    url: str,
    items: Iterable[Item],
    preparer: Preparer,
    progress: LogProgress | TerminalProgress,
    *,
    strict: bool,
    batch_size: int,
) -> ImportSummary:
    await require_head(url)
    connection = await connect(url)
    try:
        # the next batch is planned on a second connection while the first writes
        reader = None if strict else await connect(url)
        try:
            return await import_items(
                connection,
                items,
                preparer,
                reader=reader,
                batch_size=batch_size,
                strict=strict,
                progress=progress,
            )
        finally:
            if reader is not None:
                await reader.close()
    finally:
        await connection.close()
