"""Relay plumbing shared by every type: connections, edges, page info, global IDs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from newsgraph.errors import InputError
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.pagination import Page, Window
from newsgraph.resolvers.relations import Relation, count_for, load_page

__all__ = ["Connection", "Edge", "PageInfo", "decode_id", "relation_connection"]

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
    edges: list[Edge[NodeT]] = strawberry.field(description="The items with their cursors.")
    nodes: list[NodeT] = strawberry.field(description="The items alone.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole connection holds (all pages).")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def of(
        cls,
        page: Page[Any],
        wrap: Callable[[Any], NodeT],
        count: Callable[[], Awaitable[int]],
    ) -> Connection[NodeT]:
        """A connection over a page of rows, each wrapped into its GraphQL type."""
        nodes = [wrap(row) for row in page.rows]
        return cls(
            edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            count=count,
        )


def decode_id(value: str, *expected: str, argument: str = "id") -> tuple[str, int]:
    """The type name and row id inside a global ID, checked against the expected types."""
    try:
        global_id = relay.GlobalID.from_id(value)
        row_id = int(global_id.node_id)
    except (ValueError, TypeError):
        raise InputError(f"`{argument}`: {value!r} is not an ID this API handed out") from None
    if expected and global_id.type_name not in expected:
        raise InputError(
            f"`{argument}`: {value!r} is the ID of a {global_id.type_name}, "
            f"expected a {' or '.join(expected)}"
        )
    return global_id.type_name, row_id


async def relation_connection(
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
    window = Window.from_arguments(first, after, last, before)
    condition_list = conditions if conditions is not None else tuple
    page = await load_page(context, relation, parent_id, window, conditions, condition_list)

    async def count() -> int:
        return await count_for(context, relation, parent_id, conditions, condition_list)

    return Connection.of(page, wrap, count)
