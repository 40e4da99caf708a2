"""The root `Query` type."""

from __future__ import annotations

import strawberry

from newsgraph.resolvers.articles import list_articles
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.pagination import Window
from newsgraph.schema.articles import Article, ArticleOrder
from newsgraph.schema.relay import Connection

__all__ = ["Query"]

Info = strawberry.Info[RequestContext, None]


@strawberry.type(description="Everything that can be read.")
class Query:
    @strawberry.field(description="All articles, newest first unless `orderBy` says otherwise.")
    async def articles(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: ArticleOrder = ArticleOrder.PUBLISHED_AT_DESC,
    ) -> Connection[Article]:
        window = Window.from_arguments(first, after, last, before)
        page, count = await list_articles(info.context, window=window, order=order_by.value)
        return Connection.of(page, Article.from_row, count)
