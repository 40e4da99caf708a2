"""`Source` (a publisher) and `Disclaimer` (the block a publisher attaches to its facts)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.resolvers.declarations import Paged
from newsgraph.resolvers.entities import SOURCE
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ArticleFilter, ArticleOrder
from newsgraph.schema.relay import Connection, relation_connection

__all__ = ["Disclaimer", "Source"]


@strawberry.type(description='A publisher\'s disclaimer, e.g. a "Risk Warning" block.')
class Disclaimer:
    heading: str | None = strawberry.field(description="The block's heading, if it had one.")
    text: str = strawberry.field(description="The disclaimer's text, verbatim.")
    source_id: strawberry.Private[int]

    @strawberry.field(description="The publisher whose disclaimer this is.")
    async def source(self, info: Info) -> Source:
        row = await load_row(info.context, models.Source, self.source_id)
        assert row is not None, "a disclaimer's source is a foreign key"
        return Source.from_row(row)

    @classmethod
    def of(cls, heading: str | None, text: str | None, source_id: int) -> Disclaimer | None:
        """The disclaimer with this heading and text, or None when there is no text."""
        if text is None:
            return None
        return cls(heading=heading, text=text, source_id=source_id)

    @classmethod
    def effective(cls, article: models.Article, source: models.Source) -> Disclaimer | None:
        """An article's own disclaimer, else its source's."""
        own = cls.of(article.disclaimer_heading, article.disclaimer_text, source.id)
        return own or cls.of(source.disclaimer_heading, source.disclaimer_text, source.id)


@strawberry.type(description="A publisher of articles.")
class Source(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The publisher's name.")
    domain: str | None = strawberry.field(description="Its web domain, e.g. example.com.")
    url: str | None = strawberry.field(description="Its home page.")
    disclaimer: Disclaimer | None = strawberry.field(
        description="The disclaimer it attaches to its articles, if known."
    )

    @strawberry.field(description="Its articles, newest first unless `orderBy` says otherwise.")
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
        relation = SOURCE.declared("articles", Paged).relation(order_by.name if order_by else None)
        return relation_connection(
            info.context,
            relation,
            self.id,
            Article.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            conditions=filter.conditions() if filter else None,
        )

    @classmethod
    def from_row(cls, row: models.Source) -> Source:
        """The GraphQL view of a source row."""
        return cls(
            id=row.id,
            **SOURCE.columns(row),
            disclaimer=Disclaimer.of(row.disclaimer_heading, row.disclaimer_text, row.id),
        )


from newsgraph.schema.articles import Article  # noqa: E402 (types refer to each other)
