"""`SearchResult`: what `search(query:)` finds, across articles, actors, events and claims."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from newsgraph.errors import InputError
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import load_rows
from newsgraph.resolvers.pagination import Page
from newsgraph.resolvers.search import SEARCHED, count_hits, search
from newsgraph.schema.actors import Actor
from newsgraph.schema.articles import Article
from newsgraph.schema.claims import Claim
from newsgraph.schema.events import Event
from newsgraph.schema.nodes import NODE_TYPES
from newsgraph.schema.relay import Connection

__all__ = ["SearchResult", "search_connection"]

SearchResult = Annotated[
    Article | Actor | Event | Claim,
    strawberry.union("SearchResult", description="An article, actor, event or claim."),
]


def search_connection(
    context: RequestContext, text: str, first: int | None, after: str | None
) -> Connection[SearchResult]:
    """The ranked results for `text` as a connection."""
    if not text.strip():
        raise InputError("`query` must not be empty")

    async def fetch() -> Page[Any]:
        found = await search(context, text=text, first=first, after=after)
        by_kind: dict[str, list[int]] = {}
        for hit in found.hits:
            by_kind.setdefault(hit.kind, []).append(hit.id)
        objects = {}
        for kind, ids in by_kind.items():
            _, wrap = NODE_TYPES[kind]
            for row_id, row in zip(ids, await load_rows(context, SEARCHED[kind], ids), strict=True):
                if row is not None:
                    objects[kind, row_id] = wrap(row)
        hits = [hit for hit in found.hits if (hit.kind, hit.id) in objects]
        return Page(
            rows=[objects[hit.kind, hit.id] for hit in hits],
            cursors=[hit.cursor for hit in hits],
            has_next=found.has_next,
            has_previous=found.has_previous,
        )

    async def count() -> int:
        return await count_hits(context, text=text)

    return Connection(fetch=fetch, wrap=lambda node: node, count=count)
