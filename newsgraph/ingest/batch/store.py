"""Storing a batch of prepared documents: decided in memory, then written in one go.

    plan:  read the rows the batch can touch -> decide, document by document
    write: lock what the plan creates, points at and changes; check that nothing changed
           since it was read -> draw ids -> write

The decisions are those of storing each document alone, in order (see `planner`), so a
batch of one is how a single document is stored too. The two halves can run apart: a
bulk import plans the next batch while the database writes this one, reading on another
connection, with what this batch writes carried over (`GraphState.carry`).

What the plan read is checked once the rows are locked, in the writing transaction: a
row a concurrent writer changed or deleted in the meantime (an actor merged away, an
article updated), or an event with the title of one the plan creates, makes it fail with
a serialization failure, which `write_transaction` and the import runner retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from newsgraph.db.locks import hold_actor_rows, hold_event_titles
from newsgraph.errors import InputError
from newsgraph.ingest.batch.planner import KnownInput, NeedsPreparingError, Plan, plan_batch
from newsgraph.ingest.batch.state import TEMPORARY_IDS, load_state, select_rows
from newsgraph.ingest.batch.writer import IdMap, draw_ids, write_plan
from newsgraph.ingest.outcomes import Refusal, StoreResult
from newsgraph.ingest.prepared import PreparedDocument, prepare_json

__all__ = ["Entry", "StaleRowsError", "plan_entries", "store_batch", "write_planned"]

Entry = PreparedDocument | KnownInput | Refusal
_EVENTS_TITLED = "SELECT id FROM event WHERE title_normalized = ANY($1::text[])"


class StaleRowsError(Exception):
    """Rows the batch read changed before it locked them; the transaction runs again."""

    sqlstate = "40001"  # a serialization failure, retried like PostgreSQL's own


async def store_batch(connection: Any, entries: Sequence[Entry]) -> list[StoreResult | Refusal]:
    """Store the entries in order, in the caller's transaction; what became of each.

    `connection` is an asyncpg connection inside a transaction. Refusals given stay
    refusals; a document refused while deciding (an actor clashing with a stored one)
    is left out, the rest is written. A database error is raised as it is.
    """
    return await write_planned(connection, await plan_entries(connection, entries))


async def plan_entries(
    connection: Any,
    entries: Sequence[Entry],
    *,
    after: Callable[[], Awaitable[tuple[Plan, IdMap]]] | None = None,
) -> Plan:
    """Read what the entries can touch through `connection`, and decide.

    `after`: the batch before, being written (not committed yet), with its ids once they
    are drawn: what it writes is carried into what is read. It is awaited after the
    reads, so that they overlap with the write.
    """
    entries = list(entries)
    while True:
        documents = [e for e in entries if isinstance(e, PreparedDocument)]
        known = [e.input_hash for e in entries if isinstance(e, KnownInput)]
        state = await load_state(connection, documents, known)
        if after is not None:
            before, ids = await after()
            state.carry(before.state, ids)
        try:
            return plan_batch(state, entries)
        except NeedsPreparingError as needed:
            for index in needed.indexes:
                entries[index] = _prepared(entries[index])


async def write_planned(
    connection: Any, plan: Plan, *, drawn: Callable[[IdMap], None] = lambda ids: None
) -> list[StoreResult | Refusal]:
    """Write a plan in the caller's transaction; what became of each entry.

    `drawn` is told the ids of the new rows as soon as they are drawn, before the rows
    are written: the next batch can then be planned over them.
    """
    await _lock_what_the_plan_touches(connection, plan)
    real = await draw_ids(connection, plan)
    drawn(real)
    await write_plan(connection, plan, real)
    return [
        result
        if isinstance(result, Refusal)
        else StoreResult(real("article", result.article_id), result.outcome, result.counts)
        for result in plan.results
    ]


def _prepared(entry: Entry) -> Entry:
    """A known input that is not stored after all, prepared now (in this process)."""
    assert isinstance(entry, KnownInput)
    try:
        return prepare_json(entry.document, entry.where)
    except InputError as error:
        return Refusal(entry.where, str(error).removeprefix(f"{entry.where}: "))


async def _lock_what_the_plan_touches(connection: Any, plan: Plan) -> None:
    """The locks of `newsgraph.db.locks`, in their order: the titles of the events the plan
    creates, the stored actors it points at (KEY SHARE), then the rows it changes, in id
    order, table by table; and a check of each against what was read."""
    state = plan.state
    created = state.created["event"]
    await hold_event_titles(connection, ((e.title_normalized, e.date) for e in created))
    if created:
        titles = sorted({event.title_normalized for event in created})
        ids = {record[0] for record in await connection.fetch(_EVENTS_TITLED, titles)}
        if not all(state.known_event(i) for i in ids):
            raise StaleRowsError("an event with the title of a new one was created meanwhile")
    stored = {i for i in plan.referenced_actors if i < TEMPORARY_IDS}
    if await hold_actor_rows(connection, stored) != stored:
        raise StaleRowsError("an actor the batch points at was merged or deleted meanwhile")
    for table in ("actor", "event", "source", "article"):
        read = [values for _, (_, values) in sorted(state.changed[table].items())]
        if not read:
            continue
        rows = await connection.fetch(
            f"{select_rows(table)} WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
            [values[0] for values in read],
        )
        if [tuple(row) for row in rows] != read:
            raise StaleRowsError(f"a {table} the batch changes was changed meanwhile")
