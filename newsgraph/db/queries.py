"""Query functions shared by every entity: rows by id, one page, a count.

Each takes the session first and keyword-only arguments after it, returns rows, and
never commits; the request context decides when a statement may run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.base import Base

__all__ = ["count_rows", "rows_by_id", "select_rows"]

ModelT = TypeVar("ModelT", bound=Base)


async def rows_by_id(
    session: AsyncSession, *, model: type[ModelT], ids: Sequence[int]
) -> dict[int, ModelT]:
    """The rows of `model` with these ids, by id (missing ids are simply absent)."""
    if not ids:
        return {}
    primary = model.__mapper__.primary_key[0]
    rows = (await session.execute(select(model).where(primary.in_(set(ids))))).scalars()
    return {getattr(row, str(primary.key)): row for row in rows}


async def select_rows(session: AsyncSession, *, statement: Select[Any]) -> list[Any]:
    """The rows of a prepared statement (a page, a batch of nested pages)."""
    return list((await session.execute(statement)).all())


async def count_rows(session: AsyncSession, *, statement: Select[Any]) -> int:
    """How many rows `statement` selects, without fetching them."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int((await session.execute(counted)).scalar_one())
