"""The order writers lock actors in, so concurrent writers wait instead of deadlocking.

`mergeActors` locks its two actors FOR UPDATE (in id order) before it touches anything
that points at them. Every other writer about to point at actors (an ingest's claims and
mentions, a claim edit, a new participant) first takes KEY SHARE locks on those actors,
in id order, before locking anything else. A writer then either waits for a merge to
finish, or a merge waits for it; neither holds a row the other needs while waiting.
KEY SHARE locks do not block each other, so ingests still run side by side.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Actor

__all__ = ["hold_actors"]


async def hold_actors(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    """KEY SHARE-lock these actors until the transaction ends; the ids that exist."""
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
