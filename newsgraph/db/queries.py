"""Query functions shared by every entity: rows by id, one page, a count.

Each takes the session first and keyword-only arguments after it, returns rows, and
never commits; the request context decides when a statement may run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from newsgraph.db.base import Base
from newsgraph.db.models import Actor, ActorRedirect, Article

__all__ = ["count_rows", "merged_actors", "rows_by_id", "select_rows", "with_companions"]

ModelT = TypeVar("ModelT", bound=Base)


def with_companions(statement: Select[Any], entity: Any) -> Select[Any]:
    """Load, in the same statement, the rows that always come with `entity`'s rows.

    An article is never shown without its source (its name, its disclaimer), and there
    is exactly one: joining it in costs less than a second statement for every page.
    """
    mapper = sa_inspect(entity).mapper
    if mapper.class_ is Article:
        return statement.options(joinedload(entity.source))
    return statement


async def rows_by_id(
    session: AsyncSession, *, model: type[ModelT], ids: Sequence[int]
) -> dict[int, ModelT]:
    """The rows of `model` with these ids, by id (missing ids are simply absent)."""
    if not ids:
        return {}
    primary = model.__mapper__.primary_key[0]
    statement = with_companions(select(model).where(primary.in_(set(ids))), model)
    rows = (await session.execute(statement)).scalars()
    return {getattr(row, str(primary.key)): row for row in rows}


async def merged_actors(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Actor]:
    """The actors that actors merged away (`mergeActors`) live on as, by merged id."""
    statement = select(ActorRedirect.merged_id, Actor).join(
        Actor, Actor.id == ActorRedirect.actor_id
    )
    rows = await session.execute(statement.where(ActorRedirect.merged_id.in_(set(ids))))
    return {merged_id: actor for merged_id, actor in rows}


async def select_rows(session: AsyncSession, *, statement: Select[Any]) -> list[Any]:
    """The rows of a prepared statement (a page, a batch of nested pages)."""
    return list((await session.execute(statement)).all())


async def count_rows(session: AsyncSession, *, statement: Select[Any]) -> int:
    """How many rows `statement` selects, without fetching them."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int((await session.execute(counted)).scalar_one())
