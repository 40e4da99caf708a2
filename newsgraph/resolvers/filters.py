"""Filters as plain values (ids already decoded), and the SQL conditions they stand for.

They are frozen dataclasses so that a filter can be part of a loader's key: two
sibling fields with the same filter share one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select

from newsgraph.db.enums import ActorKind, ClaimKind, EventKind, EventStatus
from newsgraph.db.models import (
    Actor,
    ActorRedirect,
    Article,
    ArticleActor,
    ArticleEvent,
    Claim,
    ClaimAbout,
    Event,
    EventParticipant,
)

__all__ = [
    "ActorConditions",
    "ArticleConditions",
    "ClaimConditions",
    "EventConditions",
    "current_actor",
    "text_query",
]


def text_query(text: str) -> Any:
    """A full-text query as people type it: words, "phrases", -exclusions, or."""
    return func.websearch_to_tsquery("english", text)


def current_actor(actor_id: int) -> ColumnElement[int]:
    """The actor `actor_id` is now: itself, or the survivor it was merged into, found by
    PostgreSQL inside the filtering statement (no statement of its own)."""
    survivor = select(ActorRedirect.actor_id).where(ActorRedirect.merged_id == actor_id)
    return func.coalesce(survivor.scalar_subquery(), actor_id)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class ArticleConditions:
    """What `ArticleFilter` asks for."""

    source_id: int | None = None
    actor_id: int | None = None
    event_id: int | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    search: str | None = None

    def __call__(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.source_id is not None:
            conditions.append(Article.source_id == self.source_id)
        if self.actor_id is not None:
            conditions.append(
                exists().where(
                    ArticleActor.article_id == Article.id,
                    ArticleActor.actor_id == current_actor(self.actor_id),
                )
            )
        if self.event_id is not None:
            conditions.append(
                exists().where(
                    ArticleEvent.article_id == Article.id, ArticleEvent.event_id == self.event_id
                )
            )
        if self.published_after is not None:
            conditions.append(Article.published_at >= self.published_after)
        if self.published_before is not None:
            conditions.append(Article.published_at < self.published_before)
        if self.search:
            conditions.append(Article.search.bool_op("@@")(text_query(self.search)))
        return conditions


@dataclass(frozen=True)
class ClaimConditions:
    """What `ClaimFilter` asks for."""

    kind: ClaimKind | None = None
    claimant_id: int | None = None
    about_id: int | None = None
    event_id: int | None = None
    search: str | None = None

    def __call__(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kind is not None:
            conditions.append(Claim.kind == self.kind)
        if self.claimant_id is not None:
            conditions.append(Claim.claimant_id == current_actor(self.claimant_id))
        if self.about_id is not None:
            conditions.append(
                exists().where(
                    ClaimAbout.claim_id == Claim.id,
                    ClaimAbout.actor_id == current_actor(self.about_id),
                )
            )
        if self.event_id is not None:
            conditions.append(Claim.event_id == self.event_id)
        if self.search:
            conditions.append(Claim.search.bool_op("@@")(text_query(self.search)))
        return conditions


@dataclass(frozen=True)
class ActorConditions:
    """What `ActorFilter` asks for."""

    kind: ActorKind | None = None
    country: str | None = None
    search: str | None = None

    def __call__(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kind is not None:
            conditions.append(Actor.kind == self.kind)
        if self.country is not None:
            conditions.append(Actor.country == self.country.upper())
        if self.search:
            pattern = _like(self.search)
            alias = func.unnest(Actor.aliases).table_valued("alias").alias("alias")
            conditions.append(
                or_(
                    Actor.name.ilike(pattern),
                    exists(select(alias.c.alias).where(alias.c.alias.ilike(pattern))),
                )
            )
        return conditions


@dataclass(frozen=True)
class EventConditions:
    """What `EventFilter` asks for (`date_from`/`date_to` inclusive)."""

    kind: EventKind | None = None
    status: EventStatus | None = None
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __call__(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kind is not None:
            conditions.append(Event.kind == self.kind)
        if self.status is not None:
            conditions.append(Event.status == self.status)
        if self.actor_id is not None:
            conditions.append(
                exists().where(
                    EventParticipant.event_id == Event.id,
                    EventParticipant.actor_id == current_actor(self.actor_id),
                )
            )
        if self.date_from is not None:
            conditions.append(Event.date >= self.date_from)
        if self.date_to is not None:
            conditions.append(Event.date <= self.date_to)
        return conditions
