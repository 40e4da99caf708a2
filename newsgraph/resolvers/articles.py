"""Reading articles: orderings and the root `articles` list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from newsgraph.db import queries
from newsgraph.db.models import Article
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import prime
from newsgraph.resolvers.pagination import Ordering, Page, Window

__all__ = ["ARTICLE_ORDERINGS", "list_articles"]

ARTICLE_ORDERINGS = {
    "published_at_desc": Ordering(
        Article.published_sort, Article.id, descending=True, kind="datetime"
    ),
    "published_at_asc": Ordering(Article.published_sort, Article.id, kind="datetime"),
    "ingested_at_desc": Ordering(Article.ingested_at, Article.id, descending=True, kind="datetime"),
    "ingested_at_asc": Ordering(Article.ingested_at, Article.id, kind="datetime"),
}


async def list_articles(
    context: RequestContext, *, window: Window, order: str
) -> tuple[Page[Article], Callable[[], Awaitable[int]]]:
    """One page of all articles in `order`, and a function that counts them all."""
    ordering = ARTICLE_ORDERINGS[order]
    statement = select(Article)
    rows = await context.run(queries.select_rows, statement=window.apply(statement, ordering))
    articles = [row[0] for row in rows]
    prime(context, articles)
    page = Page.from_rows(articles, window, ordering)

    async def count() -> int:
        return await context.run(queries.count_rows, statement=statement)

    return page, count
