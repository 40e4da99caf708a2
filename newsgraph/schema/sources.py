"""`Source` (a publisher) and `Disclaimer` (the block a publisher attaches to its facts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import load_row

if TYPE_CHECKING:
    from newsgraph.schema.articles import Article

__all__ = ["Disclaimer", "Source"]


@strawberry.type(description='A publisher\'s disclaimer, e.g. a "Risk Warning" block.')
class Disclaimer:
    heading: str | None = strawberry.field(description="The block's heading, if it had one.")
    text: str = strawberry.field(description="The disclaimer's text, verbatim.")
    source_id: strawberry.Private[int]

    @strawberry.field(description="The publisher whose disclaimer this is.")
    async def source(self, info: strawberry.Info[RequestContext, None]) -> Source:
        row = await load_row(info.context, models.Source, self.source_id)
        assert row is not None, "a disclaimer's source is a foreign key"
        return Source.from_row(row)

    @classmethod
    def of(cls, heading: str | None, text: str | None, source_id: int) -> Disclaimer | None:
        """The disclaimer with this heading and text, or None when there is no text."""
        if text is None:
            return None
        return cls(heading=heading, text=text, source_id=source_id)


@strawberry.type(description="A publisher of articles.")
class Source(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The publisher's name.")
    domain: str | None = strawberry.field(description="Its web domain, e.g. example.com.")
    url: str | None = strawberry.field(description="Its home page.")
    disclaimer: Disclaimer | None = strawberry.field(
        description="The disclaimer it attaches to its articles, if known."
    )

    @classmethod
    def from_row(cls, row: models.Source) -> Source:
        """The GraphQL view of a source row."""
        return cls(
            id=row.id,
            name=row.name,
            domain=row.domain,
            url=row.url,
            disclaimer=Disclaimer.of(row.disclaimer_heading, row.disclaimer_text, row.id),
        )


ArticleRef = Annotated["Article", strawberry.lazy("newsgraph.schema.articles")]
