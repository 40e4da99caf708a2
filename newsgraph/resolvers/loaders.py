"""Row loaders: every "row N of table T" of one tick, fetched in one statement per table.

They are created per request in the context. Rows fetched another way (a page of a
connection) are primed into them, so a later lookup of the same row costs nothing.
An actor merged into another (`mergeActors`) is looked up as the survivor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from newsgraph.db import queries
from newsgraph.db.base import Base
from newsgraph.db.models import Actor, Article
from newsgraph.resolvers.context import RequestContext

__all__ = ["load_grouped", "load_row", "load_rows", "prime"]

ModelT = TypeVar("ModelT", bound=Base)


def _row_loader(context: RequestContext, model: type[ModelT]) -> DataLoader[int, ModelT | None]:
    key = ("rows_by_id", model)
    loader: DataLoader[int, ModelT | None] | None = context.loaders.get(key)
    if loader is None:

        async def load(ids: list[int]) -> list[ModelT | None]:
            found: dict[int, Any] = await context.run(queries.rows_by_id, model=model, ids=ids)
            prime(context, found.values())
            missing = [i for i in ids if i not in found]
            if missing and model is Actor:  # merged away: the survivor answers for it
                found |= await context.run(queries.merged_actors, ids=missing)
                prime(context, found.values())
            return [found.get(i) for i in ids]

        loader = DataLoader(load_fn=load)
        context.loaders[key] = loader
    return loader


async def load_row(context: RequestContext, model: type[ModelT], row_id: int) -> ModelT | None:
    """Row `row_id` of `model` (None when there is none), batched with its siblings."""
    return await _row_loader(context, model).load(row_id)


async def load_rows(
    context: RequestContext, model: type[ModelT], ids: Sequence[int]
) -> list[ModelT | None]:
    """Rows of `model` in the order of `ids` (None where missing), batched."""
    return list(await _row_loader(context, model).load_many(list(ids)))


def prime(context: RequestContext, rows: Iterable[Any]) -> None:
    """Hand rows fetched another way to the row loaders, and note them as reached."""
    rows = list(rows)
    companions = [row.source for row in rows if isinstance(row, Article) and "source" in vars(row)]
    rows += companions
    context.reach(rows)
    for row in rows:
        if hasattr(row, "id"):  # link rows (participations) have no id to be looked up by
            _row_loader(context, type(row)).prime(row.id, row)


GroupedQuery = Callable[..., Awaitable[Mapping[int, list[Any]]]]


async def load_grouped(context: RequestContext, query: GroupedQuery, parent_id: int) -> list[Any]:
    """What `query(session, ids=...)` groups under `parent_id`, batched with its siblings."""
    key = ("grouped", query)
    loader: DataLoader[int, list[Any]] | None = context.loaders.get(key)
    if loader is None:

        async def load(ids: list[int]) -> list[list[Any]]:
            grouped = await context.run(query, ids=ids)
            return [list(grouped.get(i, [])) for i in ids]

        loader = DataLoader(load_fn=load)
        context.loaders[key] = loader
    return await loader.load(parent_id)
