"""The rows behind changes, and which of them a subscription's filter lets through.

The listener loads each batch's rows once for every subscriber (`live.feed`), and a
resuming subscription loads the stretch it missed the same way (`live.streams`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db import queries
from newsgraph.db.models import Article, Claim, Event
from newsgraph.resolvers.filters import BoundFilter

__all__ = ["MODELS", "load_rows", "matching_ids"]

MODELS: dict[str, type[Article] | type[Claim] | type[Event]] = {
    "article": Article,
    "claim": Claim,
    "event": Event,
}


async def load_rows(session: AsyncSession, *, topic: str, ids: Collection[int]) -> dict[int, Any]:
    """The rows of `topic` with these ids, by id (deleted ones are absent)."""
    return await queries.rows_by_id(session, model=MODELS[topic], ids=list(ids))


async def matching_ids(
    session: AsyncSession, *, topic: str, ids: Collection[int], bounds: Sequence[BoundFilter]
) -> list[set[int]]:
    """For each filter of `bounds`, which of these rows of `topic` pass it: one statement
    however many filters (a batch of changes meets every subscription's filter at once)."""
    if not bounds:
        return []
    model = MODELS[topic]
    wanted = list(ids)
    statement = union_all(
        *(
            select(literal(number).label("filter"), model.id).where(model.id.in_(wanted), *bound())
            for number, bound in enumerate(bounds)
        )
    )
    passed: list[set[int]] = [set() for _ in bounds]
    for number, row_id in (await session.execute(statement)).all():
        passed[number].add(row_id)
    return passed
