"""The order writers lock things in, so concurrent writers wait instead of deadlocking.

`mergeActors` locks its two actors FOR UPDATE (in id order) before it touches anything
that points at them. Every other writer about to point at actors (an ingest's claims and
mentions, a claim edit, a new participant) first takes KEY SHARE locks on those actors,
in id order, before locking anything else. A writer then either waits for a merge to
finish, or a merge waits for it; neither holds a row the other needs while waiting.
KEY SHARE locks do not block each other, so ingests still run side by side.

Events have no unique constraint but their key: two writers that each find no event
"London talks" on 9 June would each create one. So a writer about to match events by
title and date first takes a transaction-level advisory lock per title and date (hashed
into one of `EVENT_LOCK_BUCKETS`, so that a batch of thousands takes a bounded number of
lock-table entries), in order, before it reads them: the second writer waits, then finds
the first one's event.

Two functions exist for each lock, one for a SQLAlchemy session (edits, which use the
ORM) and one for the asyncpg connection the batch store writes through.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["EVENT_LOCK_BUCKETS", "hold_actor_rows", "hold_actors", "hold_event_titles"]

EVENT_LOCK_BUCKETS = 256
# The first key of the two-integer advisory locks events take (a key space of its own,
# apart from the one-bigint locks writers of one article queue on).
_EVENT_LOCK_CLASS = 0x4E47_4576  # "NGEv"
_HOLD_ACTORS = "SELECT id FROM actor WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE"


async def hold_actors(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    """KEY SHARE-lock these actors until the transaction ends; the ids that exist."""
    from sqlalchemy import select

    from newsgraph.db.models import Actor

    wanted = sorted(set(ids))
    if not wanted:
        return set()
    statement = (
        select(Actor.id)
        .where(Actor.id.in_(wanted))
        .order_by(Actor.id)
        .with_for_update(key_share=True)
    )
    return set((await session.scalars(statement)).all())


async def hold_actor_rows(connection: Any, ids: Iterable[int]) -> set[int]:
    """`hold_actors` on an asyncpg connection."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    return {record[0] for record in await connection.fetch(_HOLD_ACTORS, wanted)}


async def hold_event_titles(connection: Any, events: Iterable[tuple[str, dt.date | None]]) -> None:
    """Lock (title, date) pairs of events about to be matched or created, until commit."""
    buckets = sorted(
        {zlib.crc32(f"{title}\x00{date}".encode()) % EVENT_LOCK_BUCKETS for title, date in events}
    )
    if buckets:
        await connection.execute(
            "SELECT pg_advisory_xact_lock($1, b) FROM unnest($2::int[]) AS b",
            _EVENT_LOCK_CLASS,
            buckets,
        )
