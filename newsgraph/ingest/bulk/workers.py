"""Preparing items (parsing, validating, extracting) in worker processes, or in this one.

Preparing a document costs far more CPU than storing it does in the process that
writes: parsing and validating a structured document ~0.5 ms, extracting an article
from text tens of ms. So a bulk import prepares them in a pool of processes, while its
own process decides and writes batches. The pool is forked, so workers start at once
with everything this process has imported, before any thread exists to be copied
half-way; they ignore Ctrl-C, which the importing process handles.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from collections.abc import Awaitable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from newsgraph.errors import DocumentError, InputError
from newsgraph.ingest.batch.store import Entry
from newsgraph.ingest.extract import Extractor, load_extractor
from newsgraph.ingest.items import Item
from newsgraph.ingest.normalize import MAX_BYTES
from newsgraph.ingest.outcomes import Refusal
from newsgraph.ingest.pipeline import prepared_from_input
from newsgraph.ingest.prepared import prepare_json

__all__ = ["InProcess", "Preparer", "ProcessPool", "prepare_items"]


class _Configuration:
    """What preparing text needs, set once per process (the extractor is loaded lazily)."""

    extractor_spec: str | None = None
    max_bytes: int = MAX_BYTES
    extractor: Extractor | None = None


def _configure(extractor_spec: str | None, max_bytes: int) -> None:
    _Configuration.extractor_spec = extractor_spec
    _Configuration.max_bytes = max_bytes
    _Configuration.extractor = None


def _worker_started(extractor_spec: str | None, max_bytes: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _configure(extractor_spec, max_bytes)


def prepare_items(items: Sequence[Item]) -> list[Entry]:
    """Each item prepared, or refused with the reason."""
    return [_prepare(item) for item in items]


def _prepare(item: Item) -> Entry:
    if item.error is not None:
        return Refusal(item.where, item.error)
    try:
        if item.document is not None:
            return prepare_json(item.document, item.where)
        assert item.article is not None, "an item is a document or an article"
        if _Configuration.extractor is None:
            _Configuration.extractor = load_extractor(_Configuration.extractor_spec)
        return prepared_from_input(
            item.article, extractor=_Configuration.extractor, max_bytes=_Configuration.max_bytes
        )
    except DocumentError as error:
        return Refusal(item.where, "; ".join(str(problem) for problem in error.problems))
    except InputError as error:
        return Refusal(item.where, str(error))


class Preparer(Protocol):
    """Prepares chunks of items, in this process or others."""

    def submit(self, items: Sequence[Item]) -> Awaitable[list[Entry]]:
        """The entries of `items`, in order, when awaited."""
        ...

    def close(self) -> None:
        """Stop the workers, if any."""
        ...


class InProcess:
    """Prepares items in this process, when the result is awaited (`--jobs 1`)."""

    def __init__(self, *, extractor: str | None = None, max_bytes: int = MAX_BYTES) -> None:
        _configure(extractor, max_bytes)

    def submit(self, items: Sequence[Item]) -> Awaitable[list[Entry]]:
        return _WhenAwaited(items)

    def close(self) -> None:
        pass


class _WhenAwaited:
    """`items` prepared when awaited. Not a coroutine: an import that stops early drops
    the batches read ahead, and a coroutine never awaited is a RuntimeWarning."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items

    def __await__(self) -> Generator[Any, None, list[Entry]]:
        return self._prepared().__await__()

    async def _prepared(self) -> list[Entry]:
        return prepare_items(self.items)


class ProcessPool:
    """Prepares items in `jobs` forked worker processes.

    Create it before starting threads (or an event loop's default executor): the
    workers are forked at once, here.
    """

    def __init__(
        self, jobs: int, *, extractor: str | None = None, max_bytes: int = MAX_BYTES
    ) -> None:
        self._pool = ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_started,
            initargs=(extractor, max_bytes),
        )
        # The first task forks every worker (a fork pool starts them all at once).
        self._pool.submit(int).result()

    def submit(self, items: Sequence[Item]) -> Awaitable[list[Entry]]:
        return asyncio.wrap_future(self._pool.submit(prepare_items, list(items)))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
