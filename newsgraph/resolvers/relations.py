"""Declared relations, and the loaders that read them for every parent at once.

A `Relation` says how a field reaches its rows: which table, which column names the
parent (directly or through a link table), a fixed condition, and the default order.
The GraphQL types declare their relations next to themselves; the loaders here read
only those declarations, so the mapping lives in one place and a later SQL compiler can
read it too.

`load_page` pages a relation per parent: one statement for all parents of a tick,
numbered with `row_number() OVER (PARTITION BY parent ...)` so that each parent gets its
own first N. `load_all` reads an unpaged relation (participants, causes), `count_for`
counts per parent with one `GROUP BY`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from strawberry.dataloader import DataLoader

from newsgraph.db import queries
from newsgraph.db.base import Base
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import prime
from newsgraph.resolvers.pagination import Ordering, Page, Window

__all__ = ["Relation", "count_for", "load_all", "load_page"]

Conditions = Callable[[], Sequence[ColumnElement[bool]]]


@dataclass(frozen=True, eq=False)
class Relation:
    """How a field reaches the rows of `target` that belong to a parent."""

    name: str
    target: type[Base]
    parent: Any  # the column holding the parent's id (in `target` or in `through`)
    ordering: Ordering
    through: type[Base] | None = None
    through_target: Any = None  # the link table's column pointing at the target's id
    # A fixed condition, over the link table (or the target when there is none): a
    # function of the entity, so that a compiled statement can apply it to an alias.
    where: Callable[[Any], ColumnElement[bool]] | None = None

    def statement(self, parent_ids: Sequence[int], conditions: Sequence[Any]) -> Select[Any]:
        """The target rows (plus `parent_id`) of these parents, filtered."""
        statement = select(self.target, self.parent.label("parent_id"))
        if self.through is not None:
            statement = statement.join(
                self.through, self.through_target == self.target.__mapper__.primary_key[0]
            )
        fixed = self.where(self.through or self.target) if self.where else true()
        return statement.where(self.parent.in_(parent_ids), fixed, *conditions)

    def paged(self, statement: Select[Any], window: Window) -> Select[Any]:
        """Each parent's page of `statement`: numbered within the parent, first N kept."""
        position = func.row_number().over(
            partition_by=self.parent,
            order_by=self.ordering.order_by(reverse=window.backwards),
        )
        # Number only the keys, then join the page's rows back: cheaper to build than an
        # alias of the whole entity over the numbered subquery.
        keys = list(self.target.__mapper__.primary_key)
        numbered = (
            statement.with_only_columns(*keys, self.parent.label("parent_id"))
            .where(*window.conditions(self.ordering))
            .add_columns(position.label("position"))
            .subquery("numbered")
        )
        paged = (
            select(self.target, numbered.c.parent_id)
            .join(numbered, and_(*(key == numbered.c[str(key.key)] for key in keys)))
            .where(numbered.c.position <= window.size + 1)
            .order_by(numbered.c.parent_id, numbered.c.position)
        )
        return queries.with_companions(paged, self.target)


def _loader(
    context: RequestContext,
    key: Hashable,
    load: Callable[[list[int]], Awaitable[list[Any]]],
) -> DataLoader[int, Any]:
    loader = context.loaders.get(key)
    if loader is None:
        loader = DataLoader(load_fn=load)
        context.loaders[key] = loader
    return loader


def _grouped(rows: Sequence[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for entity, parent_id in rows:
        grouped[parent_id].append(entity)
    return grouped


async def load_page(
    context: RequestContext,
    relation: Relation,
    parent_id: int,
    window: Window,
    filter_key: Hashable = None,
    conditions: Conditions = tuple,
) -> Page[Any]:
    """The page of `relation` under `parent_id`, batched with every sibling parent."""

    async def load(parent_ids: list[int]) -> list[Page[Any]]:
        statement = relation.paged(relation.statement(parent_ids, conditions()), window)
        rows = _grouped(await context.run(queries.select_rows, statement=statement))
        pages = [Page.from_rows(rows.get(i, []), window, relation.ordering) for i in parent_ids]
        prime(context, (entity for page in pages for entity in page.rows))
        return pages

    key = ("page", relation.name, window, filter_key)
    return await _loader(context, key, load).load(parent_id)  # type: ignore[no-any-return]


async def load_all(context: RequestContext, relation: Relation, parent_id: int) -> list[Any]:
    """Every row of `relation` under `parent_id`, in the declared order, batched."""

    async def load(parent_ids: list[int]) -> list[list[Any]]:
        statement = relation.statement(parent_ids, ()).order_by(*relation.ordering.order_by())
        statement = queries.with_companions(statement, relation.target)
        rows = _grouped(await context.run(queries.select_rows, statement=statement))
        prime(context, (entity for entities in rows.values() for entity in entities))
        return [rows.get(i, []) for i in parent_ids]

    return await _loader(context, ("all", relation.name), load).load(parent_id)  # type: ignore[no-any-return]


async def count_for(
    context: RequestContext,
    relation: Relation,
    parent_id: int,
    filter_key: Hashable = None,
    conditions: Conditions = tuple,
) -> int:
    """How many rows `relation` holds under `parent_id` (all pages), batched."""

    async def load(parent_ids: list[int]) -> list[int]:
        inner = relation.statement(parent_ids, conditions()).subquery()
        statement = select(inner.c.parent_id, func.count()).group_by(inner.c.parent_id)
        counts = dict(await context.run(queries.select_rows, statement=statement))
        return [int(counts.get(i, 0)) for i in parent_ids]

    key = ("count", relation.name, filter_key)
    return await _loader(context, key, load).load(parent_id)  # type: ignore[no-any-return]
