"""The root `Query` type: entry points by ID, by natural key, lists, and search."""

from __future__ import annotations

import strawberry
from sqlalchemy import any_, literal
from strawberry import relay

from newsgraph.db import models
from newsgraph.errors import InputError
from newsgraph.ingest.names import normalize_name
from newsgraph.resolvers.entities import ROOT_LISTS
from newsgraph.resolvers.lists import find_one
from newsgraph.schema.actors import Actor
from newsgraph.schema.articles import Article
from newsgraph.schema.claims import Claim
from newsgraph.schema.events import Event
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import (
    ActorFilter,
    ArticleFilter,
    ArticleOrder,
    ClaimFilter,
    EventFilter,
    EventOrder,
)
from newsgraph.schema.nodes import load_nodes
from newsgraph.schema.relay import Connection, list_connection
from newsgraph.schema.search import SearchResult, search_connection
from newsgraph.schema.sources import Source

__all__ = ["Query"]


async def _one(info: Info, value: strawberry.ID, type_name: str) -> relay.Node | None:
    (node,) = await load_nodes(info.context, [value], type_name)
    return node


@strawberry.type(description="Everything that can be read.")
class Query:
    @strawberry.field(description="Any object by its global ID (null when it does not exist).")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        (node,) = await load_nodes(info.context, [id])
        return node

    @strawberry.field(description="Objects by global ID, in order (null where none exists).")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        if len(ids) > 100:
            raise InputError(f"`ids`: at most 100 IDs at once, got {len(ids)}")
        return await load_nodes(info.context, list(ids), argument="ids")

    @strawberry.field(description="An article by ID or by URL (give exactly one).")
    async def article(
        self, info: Info, id: strawberry.ID | None = None, url: str | None = None
    ) -> Article | None:
        if (id is None) == (url is None):
            raise InputError("`article` takes exactly one of `id` and `url`")
        if id is not None:
            return await _one(info, id, "Article")  # type: ignore[return-value]
        row = await find_one(
            info.context, model=models.Article, conditions=[models.Article.url == url]
        )
        return Article.from_row(row) if row else None

    @strawberry.field(description="All articles, newest first unless `orderBy` says otherwise.")
    async def articles(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ArticleFilter | None = None,
        order_by: ArticleOrder | None = ArticleOrder.PUBLISHED_AT_DESC,
    ) -> Connection[Article]:
        return list_connection(
            info.context,
            ROOT_LISTS["articles"],
            Article.from_row,
            order=order_by.name if order_by else None,
            first=first,
            after=after,
            last=last,
            before=before,
            conditions=filter.conditions() if filter else None,
        )

    @strawberry.field(description="An actor by ID, or by name or alias (give exactly one).")
    async def actor(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Actor | None:
        if (id is None) == (name is None):
            raise InputError("`actor` takes exactly one of `id` and `name`")
        if id is not None:
            return await _one(info, id, "Actor")  # type: ignore[return-value]
        wanted = normalize_name(name or "")
        row = await find_one(
            info.context,
            model=models.Actor,
            conditions=[literal(wanted) == any_(models.Actor.match_names)],
            order_by=[models.Actor.name_normalized != wanted, models.Actor.id],
        )
        return Actor.from_row(row) if row else None

    @strawberry.field(description="All actors, by id.")
    async def actors(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActorFilter | None = None,
    ) -> Connection[Actor]:
        return list_connection(
            info.context,
            ROOT_LISTS["actors"],
            Actor.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            conditions=filter.conditions() if filter else None,
        )

    @strawberry.field(description="An event by ID.")
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        return await _one(info, id, "Event")  # type: ignore[return-value]

    @strawberry.field(description="All events, latest first unless `orderBy` says otherwise.")
    async def events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: EventFilter | None = None,
        order_by: EventOrder | None = EventOrder.DATE_DESC,
    ) -> Connection[Event]:
        return list_connection(
            info.context,
            ROOT_LISTS["events"],
            Event.from_row,
            order=order_by.name if order_by else None,
            first=first,
            after=after,
            last=last,
            before=before,
            conditions=filter.conditions() if filter else None,
        )

    @strawberry.field(description="A claim by ID.")
    async def claim(self, info: Info, id: strawberry.ID) -> Claim | None:
        return await _one(info, id, "Claim")  # type: ignore[return-value]

    @strawberry.field(description="All claims, by id.")
    async def claims(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ClaimFilter | None = None,
    ) -> Connection[Claim]:
        return list_connection(
            info.context,
            ROOT_LISTS["claims"],
            Claim.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            conditions=filter.conditions() if filter else None,
        )

    @strawberry.field(description="All sources, by id.")
    async def sources(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Source]:
        return list_connection(
            info.context,
            ROOT_LISTS["sources"],
            Source.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @strawberry.field(
        description="Articles and claims by full text, actors and events by name; best first."
    )
    async def search(
        self, info: Info, query: str, first: int | None = None, after: str | None = None
    ) -> Connection[SearchResult]:
        return search_connection(info.context, query, first, after)
