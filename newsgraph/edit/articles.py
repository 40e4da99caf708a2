"""Deleting an article, and with it what only it supported.

Its claims, mentions and reports go with it (the foreign keys cascade). An event it
reported goes too when no other article reports it and no other article's claim is about
it. An actor it mentioned, or that spoke or was spoken of in it, goes when nothing else
holds it: no other mention, claim, participation in a remaining event, or affiliation.
Sources stay: a publisher is a record of its own, with a disclaimer someone may have set.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Article
from newsgraph.edit.checks import locked_row

__all__ = ["DeletedArticle", "delete_article"]

_CANDIDATE_EVENTS = "SELECT event_id FROM article_event WHERE article_id = :article"
_CANDIDATE_ACTORS = """
    SELECT actor_id FROM article_actor WHERE article_id = :article
    UNION SELECT claimant_id FROM claim WHERE article_id = :article AND claimant_id IS NOT NULL
    UNION SELECT ca.actor_id FROM claim_about ca JOIN claim c ON c.id = ca.claim_id
          WHERE c.article_id = :article
    UNION SELECT ep.actor_id FROM event_participant ep JOIN article_event ae
          ON ae.event_id = ep.event_id WHERE ae.article_id = :article
"""
_UNSUPPORTED_EVENTS = """
    DELETE FROM event e WHERE e.id = ANY(:ids)
      AND NOT EXISTS (SELECT 1 FROM article_event ae WHERE ae.event_id = e.id)
      AND NOT EXISTS (SELECT 1 FROM claim c WHERE c.event_id = e.id)
    RETURNING e.id
"""
_UNSUPPORTED_ACTORS = """
    DELETE FROM actor a WHERE a.id = ANY(:ids)
      AND NOT EXISTS (SELECT 1 FROM article_actor m WHERE m.actor_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM claim c WHERE c.claimant_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM claim_about ca WHERE ca.actor_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM event_participant p WHERE p.actor_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM actor o WHERE o.affiliation_id = a.id AND o.id <> a.id)
    RETURNING a.id
"""


@dataclass(frozen=True)
class DeletedArticle:
    """The ids of what went: the article, and the events and actors only it supported."""

    article_id: int
    event_ids: list[int]
    actor_ids: list[int]


async def delete_article(session: AsyncSession, article_id: int) -> DeletedArticle:
    """Delete the article and what only it supported."""
    await locked_row(session, Article, article_id, ("id",))
    params = {"article": article_id}
    event_ids = list((await session.scalars(text(_CANDIDATE_EVENTS), params)).all())
    actor_ids = list((await session.scalars(text(_CANDIDATE_ACTORS), params)).all())
    await session.execute(text("DELETE FROM article WHERE id = :article"), params)
    gone_events = list((await session.scalars(text(_UNSUPPORTED_EVENTS), {"ids": event_ids})).all())
    gone_actors = list((await session.scalars(text(_UNSUPPORTED_ACTORS), {"ids": actor_ids})).all())
    return DeletedArticle(
        article_id=article_id, event_ids=sorted(gone_events), actor_ids=sorted(gone_actors)
    )
