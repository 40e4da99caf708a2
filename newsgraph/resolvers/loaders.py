"""DataLoaders, created per request in the context and shared by every resolver in it.

`rows_by_id` batches every "give me row N of table T" of one tick into one statement
per table. A mutation that changes rows clears its loaders with `forget`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from newsgraph.db import queries
from newsgraph.db.base import Base
from newsgraph.resolvers.context import RequestContext

__all__ = ["load_row", "load_rows"]

ModelT = TypeVar("ModelT", bound=Base)


def _row_loader(context: RequestContext, model: type[ModelT]) -> DataLoader[int, ModelT | None]:
    key = ("rows_by_id", model)
    loader = context.loaders.get(key)
    if loader is None:

        async def load(ids: list[int]) -> list[ModelT | None]:
            found = await context.run(queries.rows_by_id, model=model, ids=ids)
            return [found.get(i) for i in ids]

        loader = DataLoader(load_fn=load)
        context.loaders[key] = loader
    return loader


async def load_row(context: RequestContext, model: type[ModelT], row_id: int) -> ModelT | None:
    """Row `row_id` of `model`, batched with every other such request of this tick."""
    return await _row_loader(context, model).load(row_id)


async def load_rows(
    context: RequestContext, model: type[ModelT], ids: Sequence[int]
) -> list[ModelT | None]:
    """Rows of `model` in the order of `ids` (None where missing), batched."""
    return list(await _row_loader(context, model).load_many(list(ids)))


def prime(context: RequestContext, rows: Sequence[Any]) -> None:
    """Tell the row loader about rows fetched another way, so nobody fetches them again."""
    for row in rows:
        _row_loader(context, type(row)).prime(row.id, row)
