"""`Article`: one published piece, and how article lists are ordered."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.sources import Disclaimer, Source

__all__ = ["Article", "ArticleOrder", "Section"]


@strawberry.enum(description="How a list of articles is sorted; ties are broken by id.")
class ArticleOrder(Enum):
    PUBLISHED_AT_DESC = "published_at_desc"
    PUBLISHED_AT_ASC = "published_at_asc"
    INGESTED_AT_DESC = "ingested_at_desc"
    INGESTED_AT_ASC = "ingested_at_asc"


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
    body: str = strawberry.field(description="The full text, without the disclaimer.")
    sections: list[Section] = strawberry.field(description="Its sections, in order.")
    ingested_at: datetime = strawberry.field(description="When newsgraph stored it.")
    row: strawberry.Private[models.Article]

    @strawberry.field(description="The publisher.")
    async def source(self, info: strawberry.Info[RequestContext, None]) -> Source:
        row = await load_row(info.context, models.Source, self.row.source_id)
        assert row is not None, "an article's source is a foreign key"
        return Source.from_row(row)

    @strawberry.field(
        description="The disclaimer found in the article itself, else its publisher's."
    )
    async def disclaimer(self, info: strawberry.Info[RequestContext, None]) -> Disclaimer | None:
        row = self.row
        own = Disclaimer.of(row.disclaimer_heading, row.disclaimer_text, row.source_id)
        if own is not None:
            return own
        source = await load_row(info.context, models.Source, row.source_id)
        assert source is not None, "an article's source is a foreign key"
        return Disclaimer.of(source.disclaimer_heading, source.disclaimer_text, source.id)

    @classmethod
    def from_row(cls, row: models.Article) -> Article:
        """The GraphQL view of an article row."""
        return cls(
            id=row.id,
            url=row.url,
            title=row.title,
            published_at=row.published_at,
            language=row.language,
            body=row.body,
            sections=[Section(**section) for section in row.sections],
            ingested_at=row.ingested_at,
            row=row,
        )
