"""Which publishers stand behind a set of rows, with their disclaimers.

Every fact in the graph came from some article, and every article from a source. For
the rows a response touched, this finds the distinct sources behind them (an actor or
an event is backed by every article that mentions or reports it) in one statement.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, exists, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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

    def reached(article: Any) -> list[Any]:
        """Conditions under which `article` is one the rows came from, one per kind."""
        conditions = []
        if article_ids:
            conditions.append(article.id == ids(article_ids))
        if claim_ids:
            conditions.append(
                exists().where(Claim.article_id == article.id, Claim.id == ids(claim_ids))
            )
        if event_ids:
            conditions.append(
                exists().where(
                    ArticleEvent.article_id == article.id, ArticleEvent.event_id == ids(event_ids)
                )
            )
        if actor_ids:
            conditions.append(
                exists().where(
                    ArticleActor.article_id == article.id, ArticleActor.actor_id == ids(actor_ids)
                )
            )
        return conditions

    # Sources are few: for each, ask whether any reached row stands behind it; every
    # EXISTS stops at its first match and uses the foreign-key indexes.
    behind = aliased(Article, name="behind")
    source_conditions = [Source.id == ids(source_ids)] if source_ids else []
    if reached(behind):
        source_conditions.append(
            exists().where(behind.source_id == Source.id, or_(*reached(behind)))
        )
    if not source_conditions:
        return []
    mine = aliased(Article, name="mine")
    own = (
        select(mine.disclaimer_heading, mine.disclaimer_text)
        .where(
            Source.disclaimer_text.is_(None),
            mine.source_id == Source.id,
            mine.disclaimer_text.is_not(None),
            or_(*reached(mine)) if reached(mine) else false(),
        )
        .order_by(mine.id)
        .limit(1)
        .lateral("own")
    )
    statement = (
        select(
            Source.id,
            Source.name,
            Source.domain,
            func.coalesce(Source.disclaimer_heading, own.c.disclaimer_heading),
            func.coalesce(Source.disclaimer_text, own.c.disclaimer_text),
        )
        .outerjoin(own, true())
        .where(or_(*source_conditions))
        .order_by(Source.id)
    )
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
