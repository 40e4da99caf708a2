"""`SearchResult`: what `search(query:)` finds, across articles, actors, events and claims."""

from __future__ import annotations

from typing import Annotated

import strawberry

from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import load_rows
from newsgraph.resolvers.search import SEARCHED, count_hits, search
from newsgraph.schema.actors import Actor
from newsgraph.schema.articles import Article
from newsgraph.schema.claims import Claim
from newsgraph.schema.events import Event
from newsgraph.schema.nodes import NODE_TYPES
from newsgraph.schema.relay import Connection, Edge, PageInfo

__all__ = ["SearchResult", "search_connection"]

SearchResult = Annotated[
    Article | Actor | Event | Claim,
    strawberry.union("SearchResult", description="An article, actor, event or claim."),
]


async def search_connection(
    context: RequestContext, text: str, first: int | None, after: str | None
) -> Connection[SearchResult]:
    """The ranked results for `text` as a connection."""
    page = await search(context, text=text, first=first, after=after)
    by_kind: dict[str, list[int]] = {}
    for hit in page.hits:
        by_kind.setdefault(hit.kind, []).append(hit.id)
    objects = {}
    for kind, ids in by_kind.items():
        _, wrap = NODE_TYPES[kind]
        for row_id, row in zip(ids, await load_rows(context, SEARCHED[kind], ids), strict=True):
            if row is not None:
                objects[kind, row_id] = wrap(row)
    edges = [
        Edge(cursor=hit.cursor, node=objects[hit.kind, hit.id])
        for hit in page.hits
        if (hit.kind, hit.id) in objects
    ]

    async def count() -> int:
        return await count_hits(context, text=text)

    return Connection(
        edges=edges,  # type: ignore[arg-type]
        nodes=[edge.node for edge in edges],  # type: ignore[misc]
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )
