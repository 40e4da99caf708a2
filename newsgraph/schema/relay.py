"""Relay plumbing shared by every type: connections, edges, page info, global IDs."""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.declarations import Paged, RootList
from newsgraph.resolvers.lists import list_page
from newsgraph.resolvers.pagination import Page, Window
from newsgraph.resolvers.relations import Relation, count_for, load_page
from newsgraph.schema.info import Info

__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "list_connection",
    "relation_connection",
    "relation_field",
]

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page sits in its connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass as `after` or `before` to page from here.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of items, with cursors for the next or previous page.")
class Connection(Generic[NodeT]):
    """Reads its page only when edges, nodes or pageInfo are selected, and counts only
    when totalCount is: a client asking for one of them pays for no other."""

    fetch: strawberry.Private[Callable[[], Awaitable[Page[Any]]]]
    wrap: strawberry.Private[Callable[[Any], NodeT]]
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    loading: strawberry.Private[asyncio.Task[tuple[Page[Any], list[NodeT]]] | None] = None

    async def _items(self) -> tuple[Page[Any], list[NodeT]]:
        if self.loading is None:

            async def load() -> tuple[Page[Any], list[NodeT]]:
                page = await self.fetch()
                return page, [self.wrap(row) for row in page.rows]

            self.loading = asyncio.ensure_future(load())
        return await self.loading

    @strawberry.field(description="The items with their cursors.")
    async def edges(self) -> list[Edge[NodeT]]:
        page, nodes = await self._items()
        return [Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)]

    @strawberry.field(description="The items alone.")
    async def nodes(self) -> list[NodeT]:
        return (await self._items())[1]

    @strawberry.field(description="Cursors and whether more pages exist.")
    async def page_info(self) -> PageInfo:
        page = (await self._items())[0]
        return PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )

    @strawberry.field(description="How many items the whole connection holds (all pages).")
    async def total_count(self) -> int:
        return await self.count()


def list_connection(
    context: RequestContext,
    declared: RootList,
    wrap: Callable[[Any], NodeT],
    *,
    order: str | None = None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    conditions: Any = None,
) -> Connection[NodeT]:
    """A top-level connection: one page of a table, in the `order` chosen, filtered."""
    ordering = declared.ordering(order)
    window = Window.from_arguments(declared.made_for(order), ordering, first, after, last, before)
    fetch, count = list_page(
        context,
        model=declared.model,
        ordering=ordering,
        window=window,
        conditions=conditions() if conditions is not None else (),
    )
    return Connection(fetch=fetch, wrap=wrap, count=count)


def relation_connection(
    context: RequestContext,
    relation: Relation,
    parent_id: int,
    wrap: Callable[[Any], NodeT],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    conditions: Any = None,
) -> Connection[NodeT]:
    """A nested connection: this parent's page of a declared relation, batched."""
    window = Window.from_arguments(relation.name, relation.ordering, first, after, last, before)
    condition_list = conditions if conditions is not None else tuple

    async def fetch() -> Page[Any]:
        return await load_page(context, relation, parent_id, window, conditions, condition_list)

    async def count() -> int:
        return await count_for(context, relation, parent_id, conditions, condition_list)

    return Connection(fetch=fetch, wrap=wrap, count=count)


def relation_field(
    declared: Paged, node: str, module: str, *, description: str, filter: Any = None
) -> Any:
    """A connection field over a declared relation, with `first`, `after`, `last` and
    `before` (and `filter`, when given a filter input whose `conditions()` narrow it).

    `node` names the GraphQL type of the items and `module` the schema module declaring
    it: types that refer to each other stay lazily resolved, and rows become nodes
    through that type's `from_row`.
    """

    @functools.cache
    def node_type() -> Any:
        return getattr(importlib.import_module(module), node)

    def wrap(row: Any) -> Any:
        return node_type().from_row(row)

    def page(parent: Any, info: Info, *window: Any, conditions: Any = None) -> Connection[Any]:
        first, after, last, before = window
        return relation_connection(
            info.context,
            declared.relation(None),
            parent.id,
            wrap,
            first=first,
            after=after,
            last=last,
            before=before,
            conditions=conditions,
        )

    async def unfiltered(
        self: Any,
        info: Info,
        first: Any = None,
        after: Any = None,
        last: Any = None,
        before: Any = None,
    ) -> Connection[Any]:
        return page(self, info, first, after, last, before)

    async def filtered(
        self: Any,
        info: Info,
        first: Any = None,
        after: Any = None,
        last: Any = None,
        before: Any = None,
        filter: Any = None,
    ) -> Connection[Any]:
        conditions = filter.conditions() if filter else None
        return page(self, info, first, after, last, before, conditions=conditions)

    resolve = unfiltered if filter is None else filtered
    resolve.__annotations__ = {
        "info": Info,
        "first": int | None,
        "after": str | None,
        "last": int | None,
        "before": str | None,
        **({} if filter is None else {"filter": filter | None}),
        "return": Connection[Annotated[node, strawberry.lazy(module)]],  # type: ignore[valid-type]
    }
    return strawberry.field(resolver=resolve, description=description)
