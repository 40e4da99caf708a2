"""A bulk import: items streamed in, prepared by workers, stored in batches.

    read items --> look up inputs stored before (one statement per batch)
               --> prepare the others in workers (chunks of about `CHUNK_COST`)
               --> plan the batch (`newsgraph.ingest.batch`) --> write it: one transaction

`LOOKAHEAD` batches are read and handed to the workers ahead of the one being stored,
so workers and the database work at the same time, and memory holds those few
batches whatever the size of the input. Given a second connection (`reader`), the
batch after the one being written is planned on it meanwhile, over what that one
writes (`plan_entries(after=...)`): this process decides while the database writes.
A plan made ahead that the write before it invalidates (it was retried or split) is
made again once that write is over. (Were it written, the checks of the write would
refuse it: the ids it took from the failed write are gone; but that costs an attempt.)

A batch is one transaction. A batch the database refuses (a value it cannot store) is
split in halves, each stored on its own, until the documents at fault are alone: they
are refused with the database's reason, the others land. With `strict`, everything is
one transaction (each batch a savepoint, planned in it, nothing ahead): the first
refused document rolls it all back, and the rest of the input is only validated, to
report every bad document at once.

A structured document whose input (its JSON value) an article was stored from is not
validated again: the batch store finds it unchanged, unless that article changed since.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from newsgraph.db.failures import database_message, is_unavailable, sqlstate
from newsgraph.db.transactions import retrying
from newsgraph.ingest.batch.planner import Plan
from newsgraph.ingest.batch.store import Entry, plan_entries, store_batch, write_planned
from newsgraph.ingest.batch.writer import IdMap
from newsgraph.ingest.bulk.dispatch import Batch, batches, dispatch
from newsgraph.ingest.bulk.summary import ImportSummary
from newsgraph.ingest.bulk.workers import Preparer
from newsgraph.ingest.items import Item
from newsgraph.ingest.outcomes import Refusal, StoreResult

__all__ = ["BATCH_SIZE", "LOOKAHEAD", "Progress", "import_items"]

logger = logging.getLogger(__name__)

# Documents per transaction. Part of a batch's cost in the database is per entity it
# touches, not per document (each actor's provenance and source set, the lookup of every
# actor named), and a batch of 500 benchmark documents touches nearly every actor already:
# larger batches cost less per document (2,000: ~10 % less database time than 500), but
# hold locks longer, and memory holds `LOOKAHEAD` + 2 of them (~30 KB per document).
BATCH_SIZE = 1000
# Batches handed to the workers ahead of the one awaited (and the one being written): one
# keeps them busy, since it is queued before they finish the one awaited; more would
# only hold more memory.
LOOKAHEAD = 1

Results = list[StoreResult | Refusal]


class Progress(Protocol):
    """Where an import reports as it goes."""

    def advance(self, documents: int, size: int) -> None:
        """`documents` more are done, standing for `size` bytes of input."""

    def refused(self, refusal: Refusal) -> None:
        """A document was refused (as soon as it is known)."""


class _Silent:
    def advance(self, documents: int, size: int) -> None:
        pass

    def refused(self, refusal: Refusal) -> None:
        pass


@dataclass
class _Write:
    """A batch being written: the plan it was written by, and the ids of its new rows once
    drawn (None when they never will be: the plan was dropped or failed)."""

    batch: Batch
    plan: Plan | None
    ids: asyncio.Future[IdMap | None]
    # (what became of each entry, whether the batch was written as planned)
    task: asyncio.Task[tuple[Results, bool]] = field(init=False)


class _PlannedAheadOfFailureError(Exception):
    """The write the plan was to follow did not draw its ids: plan again after it."""


async def import_items(
    connection: Any,
    items: Iterable[Item],
    preparer: Preparer,
    *,
    reader: Any | None = None,
    batch_size: int = BATCH_SIZE,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Store every item in order through `connection` (asyncpg), planning ahead on
    `reader` (another connection to the same database) if given; see the module docstring."""
    pipelined = reader is not None and not strict
    run = _Run(connection, reader if pipelined else connection, preparer, strict, progress)
    started = time.monotonic()
    outer = connection.transaction() if strict else None
    if outer is not None:
        await outer.start()
    try:
        queue: deque[Batch] = deque()
        for items_read in batches(items, batch_size):
            queue.append(await run.dispatch(items_read))
            if len(queue) > LOOKAHEAD:
                await run.store(queue.popleft())
        while queue:
            await run.store(queue.popleft())
        await run.finish()
    except BaseException:
        await run.abandon()
        if outer is not None:
            await outer.rollback()
        raise
    if outer is not None:
        if run.aborted:
            await outer.rollback()
        else:
            await outer.commit()
    run.summary.seconds = time.monotonic() - started
    return run.summary


class _Run:
    def __init__(
        self,
        writer: Any,
        reader: Any,
        preparer: Preparer,
        strict: bool,
        progress: Progress | None,
    ) -> None:
        self.writer = writer
        self.reader = reader  # the writer itself when not pipelined
        self.pipelined = reader is not writer
        self.preparer = preparer
        self.strict = strict
        self.progress = progress or _Silent()
        self.summary = ImportSummary()
        self.aborted = False
        self.writing: _Write | None = None

    async def dispatch(self, items: list[Item]) -> Batch:
        """Find the inputs stored before, and send the other items to be prepared."""
        return await dispatch(self.reader, self.preparer, items, look_up=not self.aborted)

    async def store(self, batch: Batch) -> None:
        """Plan the batch (ahead of the write before it, if pipelined), then write it."""
        entries = await batch.entries()
        if self.strict and any(isinstance(entry, Refusal) for entry in entries):
            self._abort()
        if self.aborted:
            refusals = [entry for entry in entries if isinstance(entry, Refusal)]
            self.summary.documents += len(entries) - len(refusals)
            self._count(batch, refusals)
            return
        if not self.pipelined:
            self._count(batch, await self._stored(entries))
            return
        plan = await self._plan_ahead(entries)
        if not await self.finish():
            plan = None  # what it carried over was not written as planned
        if plan is None and not _all_refused(entries):
            plan = await plan_entries(self.reader, entries)  # everything before is committed
        self._start(batch, entries, plan)

    async def finish(self) -> bool:
        """Wait for the batch being written, and count it; whether it went as planned."""
        writing, self.writing = self.writing, None
        if writing is None:
            return True
        results, as_planned = await writing.task
        self._count(writing.batch, results)
        return as_planned

    async def abandon(self) -> None:
        """Stop waiting for a write after a failure (its transaction rolls back)."""
        if self.writing is not None and not self.writing.task.done():
            self.writing.task.cancel()
            await asyncio.gather(self.writing.task, return_exceptions=True)

    async def _plan_ahead(self, entries: list[Entry]) -> Plan | None:
        """The plan of `entries` over what the batch being written writes; None if there
        is nothing to plan, or the write failed before it drew its ids."""
        if _all_refused(entries):
            return None
        writing = self.writing
        if writing is None:
            return await plan_entries(self.reader, entries)
        if writing.plan is None:
            return None  # nothing to carry over: plan once it is written

        async def written_before() -> tuple[Plan, IdMap]:
            ids = await writing.ids
            if ids is None or writing.plan is None:
                raise _PlannedAheadOfFailureError
            return writing.plan, ids

        try:
            return await plan_entries(self.reader, entries, after=written_before)
        except _PlannedAheadOfFailureError:
            return None

    def _start(self, batch: Batch, entries: list[Entry], plan: Plan | None) -> None:
        ids: asyncio.Future[IdMap | None] = asyncio.get_running_loop().create_future()
        writing = _Write(batch, plan, ids)

        async def write() -> tuple[Results, bool]:
            try:
                if plan is None:
                    return await self._stored(entries), False
                try:
                    async with self.writer.transaction():
                        drawn = functools.partial(_settle, ids)
                        return await write_planned(self.writer, plan, drawn=drawn), True
                except Exception as error:
                    if sqlstate(error) is None or is_unavailable(error):
                        raise
                    # lost a race, or refused: the usual way, planning afresh in the write
                    # (and the batch planned over this one is planned again after it)
                    _settle(ids, None)
                    logger.info(
                        "a batch that failed to write as planned is planned again",
                        extra={"documents": len(entries), "sqlstate": sqlstate(error)},
                    )
                    return await self._stored(entries), False
            finally:
                _settle(ids, None)

        writing.task = asyncio.create_task(write())
        self.writing = writing

    def _count(self, batch: Batch, results: Sequence[StoreResult | Refusal]) -> None:
        for result in results:
            self.summary.add(result)
            if isinstance(result, Refusal):
                self.progress.refused(result)
        if self.strict and self.summary.failed:
            self._abort()
        self.progress.advance(len(batch.items), batch.size)

    def _abort(self) -> None:
        """--strict met a bad document: nothing is written, what was counted as stored is not."""
        self.aborted = True
        self.summary.written = False
        self.summary.outcomes.clear()
        self.summary.counts.clear()

    async def _stored(self, entries: list[Entry]) -> Results:
        """Store `entries` in a transaction (a savepoint when strict); split what fails."""
        if _all_refused(entries):
            return [entry for entry in entries if isinstance(entry, Refusal)]

        async def attempt() -> Results:
            async with self.writer.transaction():
                return await store_batch(self.writer, entries)

        try:
            return await retrying(attempt, before_retry=lambda: None)
        except Exception as error:
            if sqlstate(error) is None or is_unavailable(error):
                raise
            if len(entries) == 1:
                reason = f"the database refused it: {database_message(error)}"
                return [Refusal(entries[0].where, reason)]
            logger.warning(
                "a batch the database refused is stored in halves, to find the documents at fault",
                extra={"documents": len(entries), "reason": database_message(error)},
            )
            half = len(entries) // 2
            return [*await self._stored(entries[:half]), *await self._stored(entries[half:])]


def _settle(future: asyncio.Future[IdMap | None], ids: IdMap | None) -> None:
    """Tell the batch planned ahead the ids it carries over (None: plan it again after)."""
    if not future.done():
        future.set_result(ids)


def _all_refused(entries: Sequence[Entry]) -> bool:
    return all(isinstance(entry, Refusal) for entry in entries)
