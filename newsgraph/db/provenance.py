"""Which publishers stand behind a set of rows, with their disclaimers.

Every fact in the graph came from some article, and every article from a source. For
the rows a response touched, this finds the distinct sources behind them (an actor or
an event is backed by every article that mentions or reports it) in one statement.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, func, select, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Article, ArticleActor, ArticleEvent, Claim, Source

__all__ = ["SourceDisclaimer", "event_disclaimers", "sources_behind"]


@dataclass(frozen=True)
class SourceDisclaimer:
    """A source and the disclaimer that goes with data from it (None when it has none)."""

    source_id: int
    name: str
    domain: str | None
    heading: str | None
    text: str | None


async def sources_behind(
    session: AsyncSession,
    *,
    source_ids: Collection[int] = (),
    article_ids: Collection[int] = (),
    claim_ids: Collection[int] = (),
    event_ids: Collection[int] = (),
    actor_ids: Collection[int] = (),
) -> list[SourceDisclaimer]:
    """The distinct sources behind these rows, by id.

    A source without a disclaimer of its own takes the first (lowest id) disclaimer one
    of its articles among these carried, so a publisher's block found in an article is
    never dropped.
    """

    def ids(values: Collection[int]) -> Any:
        return any_(bindparam(None, sorted(set(values)), type_=ARRAY(BigInteger)))

    # One indexed lookup per kind of row, only for the kinds that were reached.
    branches = [
        select(column).where(key == ids(values))
        for column, key, values in (
            (Article.id, Article.id, article_ids),
            (Claim.article_id, Claim.id, claim_ids),
            (ArticleEvent.article_id, ArticleEvent.event_id, event_ids),
            (ArticleActor.article_id, ArticleActor.actor_id, actor_ids),
        )
        if values
    ]
    source_branches = [select(Source.id.label("id")).where(Source.id == ids(source_ids))]
    reached = None
    if branches:
        reached = (
            union(*branches).cte("reached") if len(branches) > 1 else branches[0].cte("reached")
        )
        reached_id = reached.c[0]
        source_branches.append(
            select(Article.source_id.label("id")).join(reached, Article.id == reached_id)
        )
    sources = union(*source_branches).cte("sources")
    heading = Source.disclaimer_heading
    text = Source.disclaimer_text
    statement = select(Source.id, Source.name, Source.domain, heading, text)
    if reached is not None:
        own = (
            select(Article.disclaimer_heading, Article.disclaimer_text)
            .join(reached, Article.id == reached.c[0])
            .where(Article.source_id == Source.id, Article.disclaimer_text.is_not(None))
            .order_by(Article.id)
            .limit(1)
            .lateral("own")
        )
        statement = select(
            Source.id,
            Source.name,
            Source.domain,
            func.coalesce(heading, own.c.disclaimer_heading),
            func.coalesce(text, own.c.disclaimer_text),
        ).outerjoin(own, text.is_(None))
    statement = statement.join(sources, Source.id == sources.c.id).order_by(Source.id)
    rows = (await session.execute(statement)).all()
    return [SourceDisclaimer(*row) for row in rows]


async def event_disclaimers(
    session: AsyncSession, *, ids: Collection[int]
) -> dict[int, list[SourceDisclaimer]]:
    """For each event, the distinct disclaimers of the articles that report it.

    An article's disclaimer is its own block, else its source's; articles with neither
    add nothing. Sorted by source, then text, so the list is stable.
    """
    heading = func.coalesce(Article.disclaimer_heading, Source.disclaimer_heading)
    text = func.coalesce(Article.disclaimer_text, Source.disclaimer_text)
    statement = (
        select(ArticleEvent.event_id, Source.id, Source.name, Source.domain, heading, text)
        .distinct()
        .join(Article, Article.id == ArticleEvent.article_id)
        .join(Source, Source.id == Article.source_id)
        .where(ArticleEvent.event_id.in_(list(ids)), text.is_not(None))
        .order_by(ArticleEvent.event_id, Source.id, text, heading)
    )
    grouped: dict[int, list[SourceDisclaimer]] = {}
    for event_id, source_id, name, domain, heading_, text_ in (
        await session.execute(statement)
    ).all():
        grouped.setdefault(event_id, []).append(
            SourceDisclaimer(source_id, name, domain, heading_, text_)
        )
    return grouped
