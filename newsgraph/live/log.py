"""Reading and pruning the change log (table `change_log`, migration 0008).

Two readers: a process's listener (`live.feed`) reads what is new on its own asyncpg
connection, only rows of transactions that have surely finished; a subscription that
resumes (`after:`) reads the stretch it missed on its session, up to where the
listener took over. Both read in `(xid, id)` order, the order of `Position`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import ChangeLog, ChangeLogHorizon
from newsgraph.live.positions import START, Position

__all__ = [
    "CHANNEL",
    "Change",
    "changes_between",
    "coalesced",
    "horizon",
    "prune",
    "read_finished",
    "tail",
]

# The channel the log's triggers notify, with an empty payload: "something new".
CHANNEL = "newsgraph_change"
_XMIN = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"

# Rows of transactions older than every one still running: no row can appear before
# them any more. `held`: newer rows committed already, waiting for an older transaction
# to end (which may end without a notification, by a rollback), so look again soon.
_READ_FINISHED = f"""
    WITH snapshot AS (SELECT {_XMIN} AS xmin)
    SELECT c.xid, c.id, c.topic, c.op, c.entity_id, false AS held
    FROM change_log c, snapshot s
    WHERE (c.xid, c.id) > ($1, $2) AND c.xid < s.xmin
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL,
           EXISTS (SELECT FROM change_log c WHERE c.xid >= s.xmin) AS held
    FROM snapshot s
    ORDER BY 1, 2
    LIMIT $3
"""
_TAIL = f"""
    SELECT xid, id FROM change_log WHERE xid < {_XMIN} ORDER BY xid DESC, id DESC LIMIT 1
"""
# One process at a time prunes; the others skip this round.
_PRUNE = """
    WITH cut AS (
        SELECT xid, id FROM change_log
        WHERE created_at < now() - make_interval(secs => $1)
        ORDER BY created_at DESC, xid DESC, id DESC LIMIT 1
    ),
    gone AS (
        DELETE FROM change_log c USING cut
        WHERE pg_try_advisory_xact_lock(hashtext('newsgraph.change_log.prune'))
          AND (c.xid, c.id) <= (cut.xid, cut.id)
        RETURNING c.xid, c.id
    ),
    last AS (SELECT xid, id FROM gone ORDER BY xid DESC, id DESC LIMIT 1)
    UPDATE change_log_horizon h SET xid = last.xid, change_id = last.id
    FROM last WHERE (h.xid, h.change_id) < (last.xid, last.id)
    RETURNING (SELECT count(*) FROM gone)
"""


@dataclass(frozen=True)
class Change:
    """One logged change: where it is in the log, what changed and how."""

    position: Position
    topic: str
    op: str
    entity_id: int


async def read_finished(connection: Any, after: Position, limit: int) -> tuple[list[Change], bool]:
    """Up to `limit` changes after `after` that no running transaction can precede, and
    whether newer committed ones are held back by an older transaction."""
    rows = await connection.fetch(_READ_FINISHED, after.xid, after.change_id, limit + 1)
    held = any(row["held"] for row in rows if row["xid"] is None)
    changes = [
        Change(Position(row["xid"], row["id"]), row["topic"], row["op"], row["entity_id"])
        for row in rows
        if row["xid"] is not None
    ]
    return changes[:limit], held or len(changes) > limit


async def tail(connection: Any) -> Position:
    """The position of the last change no running transaction can precede (where a
    listener that starts now begins)."""
    row = await connection.fetchrow(_TAIL)
    return START if row is None else Position(row["xid"], row["id"])


async def prune(connection: Any, retention: float) -> int:
    """Deletes changes older than `retention` seconds and moves the horizon past them;
    how many went (0 as well when another process is pruning)."""
    deleted = await connection.fetchval(_PRUNE, retention)
    return int(deleted or 0)


async def horizon(session: AsyncSession) -> Position:
    """The last pruned position: a cursor before it cannot be resumed."""
    row = (await session.execute(select(ChangeLogHorizon.xid, ChangeLogHorizon.change_id))).one()
    return Position(row.xid, row.change_id)


async def changes_between(
    session: AsyncSession,
    *,
    topic: str,
    after: Position,
    upto: Position,
    entity_id: int | None = None,
    limit: int = 500,
) -> list[Change]:
    """Up to `limit` changes of `topic` (of one entity if given) after `after`, up to and
    including `upto`: the stretch a resuming subscription missed."""
    position = tuple_(ChangeLog.xid, ChangeLog.id)
    statement = (
        select(ChangeLog.xid, ChangeLog.id, ChangeLog.topic, ChangeLog.op, ChangeLog.entity_id)
        .where(
            ChangeLog.topic == topic,
            position > tuple_(*after),
            position <= tuple_(*upto),
        )
        .order_by(ChangeLog.xid, ChangeLog.id)
        .limit(limit)
    )
    if entity_id is not None:
        statement = statement.where(ChangeLog.entity_id == entity_id)
    rows = (await session.execute(statement)).all()
    return [Change(Position(row.xid, row.id), row.topic, row.op, row.entity_id) for row in rows]


def coalesced(changes: Iterable[Change]) -> list[Change]:
    """The changes that make a message: inserts of articles and claims, and per event and
    transaction only its last change (an ingest adds an event, its participants and its
    report in one transaction: one state, so one message, under the last cursor)."""
    kept: dict[tuple[str, int, int], Change] = {}
    for change in changes:
        if change.topic == "event":
            key = ("event", change.position.xid, change.entity_id)
            kept.pop(key, None)  # re-inserted last, so the order stays the log's
            kept[key] = change
        elif change.op == "insert":
            kept[(change.topic, change.position.xid, change.position.change_id)] = change
    return list(kept.values())
