"""Top-level lists (`articles`, `actors`, ...): one page of a table, and its count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select

from newsgraph.db import queries
from newsgraph.db.base import Base
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import prime
from newsgraph.resolvers.pagination import Ordering, Page, Window

__all__ = ["find_one", "list_page"]


def list_page(
    context: RequestContext,
    *,
    model: type[Base],
    ordering: Ordering,
    window: Window,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> tuple[Callable[[], Awaitable[Page[Any]]], Callable[[], Awaitable[int]]]:
    """Functions reading one page of `model`'s rows matching `conditions`, and counting
    them all; each runs only if called."""
    statement = select(model).where(*conditions)

    async def fetch() -> Page[Any]:
        paged = queries.with_companions(window.apply(statement, ordering), model)
        rows = [row[0] for row in await context.run(queries.select_rows, statement=paged)]
        page = Page.from_rows(rows, window, ordering)
        prime(context, page.rows)
        return page

    async def count() -> int:
        return await context.run(queries.count_rows, statement=statement)

    return fetch, count


async def find_one(
    context: RequestContext,
    *,
    model: type[Base],
    conditions: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any] = (),
) -> Any:
    """The first row of `model` matching `conditions` (in `order_by`), or None."""
    statement = select(model).where(*conditions).order_by(*order_by).limit(1)
    statement = queries.with_companions(statement, model)
    rows = await context.run(queries.select_rows, statement=statement)
    prime(context, [row[0] for row in rows])
    return rows[0][0] if rows else None
