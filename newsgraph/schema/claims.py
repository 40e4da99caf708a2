"""`Claim` and `TextSpan`: an assertion made in an article, and where it stands."""

from __future__ import annotations

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.resolvers.declarations import ToMany
from newsgraph.resolvers.entities import CLAIM
from newsgraph.resolvers.loaders import load_row
from newsgraph.resolvers.relations import load_all
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ClaimKind

__all__ = ["Claim", "TextSpan"]

_ABOUT = CLAIM.declared("about", ToMany).relation


@strawberry.type(description="Where a claim stands in its article's body: [start, end).")
class TextSpan:
    start: int = strawberry.field(description="Offset of its first character.")
    end: int = strawberry.field(description="Offset just after its last character.")


@strawberry.type(description="An assertion made in an article.")
class Claim(relay.Node):
    id: relay.NodeID[int]
    text: str = strawberry.field(description="The sentence or quote, verbatim.")
    kind: ClaimKind = strawberry.field(description="What kind of assertion it is.")
    span: TextSpan | None = strawberry.field(description="Where it stands in the body.")
    row: strawberry.Private[models.Claim]

    @strawberry.field(description="Who made it; null when the publisher itself speaks.")
    async def claimant(self, info: Info) -> Actor | None:
        if self.row.claimant_id is None:
            return None
        row = await load_row(info.context, models.Actor, self.row.claimant_id)
        return Actor.from_row(row) if row else None

    @strawberry.field(description="The actors it is about.")
    async def about(self, info: Info) -> list[Actor]:
        return [
            Actor.from_row(row)
            for row in await load_all(
                info.context, CLAIM.declared("about", ToMany).relation, self.id
            )
        ]

    @strawberry.field(description="The event it concerns, if any.")
    async def event(self, info: Info) -> Event | None:
        if self.row.event_id is None:
            return None
        row = await load_row(info.context, models.Event, self.row.event_id)
        return Event.from_row(row) if row else None

    @strawberry.field(description="The article it appears in.")
    async def article(self, info: Info) -> Article:
        row = await load_row(info.context, models.Article, self.row.article_id)
        assert row is not None, "a claim's article is a foreign key"
        return Article.from_row(row)

    @strawberry.field(
        description="Its article's disclaimer (the article's own, else its source's)."
    )
    async def disclaimer(self, info: Info) -> Disclaimer | None:
        article = await load_row(info.context, models.Article, self.row.article_id)
        assert article is not None, "a claim's article is a foreign key"
        source = await load_row(info.context, models.Source, article.source_id)
        assert source is not None, "an article's source is a foreign key"
        return Disclaimer.effective(article, source)

    @classmethod
    def from_row(cls, row: models.Claim) -> Claim:
        """The GraphQL view of a claim row."""
        span = None
        if row.span_start is not None and row.span_end is not None:
            span = TextSpan(start=row.span_start, end=row.span_end)
        return cls(id=row.id, **CLAIM.columns(row), span=span, row=row)


from newsgraph.schema.actors import Actor  # noqa: E402 (types refer to each other)
from newsgraph.schema.articles import Article  # noqa: E402
from newsgraph.schema.events import Event  # noqa: E402
from newsgraph.schema.sources import Disclaimer  # noqa: E402
