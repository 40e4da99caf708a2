"""`Article`: one published piece, with its sections, source, actors, events and claims."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.resolvers.declarations import Paged
from newsgraph.resolvers.entities import ARTICLE
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ClaimFilter
from newsgraph.schema.relay import relation_field

__all__ = ["Article", "Section"]


@strawberry.type(description="A section of an article: its heading and its text.")
class Section:
    position: int = strawberry.field(description="0 for the first section.")
    heading: str | None = strawberry.field(description="The section heading, if any.")
    text: str = strawberry.field(description="The section's paragraphs.")


@strawberry.type(description="A published article.")
class Article(relay.Node):
    id: relay.NodeID[int]
    url: str | None = strawberry.field(description="Where it was published.")
    title: str = strawberry.field(description="Its headline (or its first sentence).")
    published_at: datetime | None = strawberry.field(description="When it was published.")
    language: str | None = strawberry.field(description="ISO 639-1 language code.")
    dateline: str | None = strawberry.field(
        description='The wire dateline, e.g. "LONDON, June 9 (Reuters)", if the text had one.'
    )
    body: str = strawberry.field(description="The full text, without the disclaimer.")
    sections: list[Section] = strawberry.field(description="Its sections, in order.")
    ingested_at: datetime = strawberry.field(description="When newsgraph stored it.")
    row: strawberry.Private[models.Article]

    @strawberry.field(description="The publisher.")
    async def source(self, info: Info) -> Source:
        row = await load_row(info.context, models.Source, self.row.source_id)
        assert row is not None, "an article's source is a foreign key"
        return Source.from_row(row)

    @strawberry.field(
        description="The disclaimer found in the article itself, else its publisher's."
    )
    async def disclaimer(self, info: Info) -> Disclaimer | None:
        source = await load_row(info.context, models.Source, self.row.source_id)
        assert source is not None, "an article's source is a foreign key"
        return Disclaimer.effective(self.row, source)

    actors = relation_field(
        ARTICLE.declared("actors", Paged),
        "Actor",
        "newsgraph.schema.actors",
        description="The actors it mentions, by id.",
    )
    events = relation_field(
        ARTICLE.declared("events", Paged),
        "Event",
        "newsgraph.schema.events",
        description="The events it reports, by id.",
    )
    claims = relation_field(
        ARTICLE.declared("claims", Paged),
        "Claim",
        "newsgraph.schema.claims",
        description="The claims made in it, in the order they appear.",
        filter=ClaimFilter,
    )

    @classmethod
    def from_row(cls, row: models.Article) -> Article:
        """The GraphQL view of an article row."""
        return cls(
            id=row.id,
            **ARTICLE.columns(row),
            sections=[Section(**section) for section in row.sections],
            row=row,
        )


from newsgraph.schema.sources import Disclaimer, Source  # noqa: E402
