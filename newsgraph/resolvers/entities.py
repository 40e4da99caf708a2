"""The graph, declared: each GraphQL object type backed by a table, field by field.

This is the one place that says how the API maps onto the database (the vocabulary is in
`declarations`). The Strawberry types in `newsgraph.schema` build themselves and load
their relations from it; the compiler in `newsgraph.compile` reads it to write SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from newsgraph.db import models
from newsgraph.db.base import Base
from newsgraph.db.enums import EventLinkKind
from newsgraph.resolvers.declarations import (
    Column,
    Derived,
    Entity,
    GlobalId,
    Paged,
    RootList,
    Scalar,
    ToMany,
    ToOne,
)
from newsgraph.resolvers.filters import ACTOR_FILTER, ARTICLE_FILTER, CLAIM_FILTER, EVENT_FILTER
from newsgraph.resolvers.pagination import Ordering
from newsgraph.resolvers.relations import Relation

__all__ = [
    "ACTOR",
    "ARTICLE",
    "ARTICLE_ORDERINGS",
    "CLAIM",
    "ENTITIES",
    "EVENT",
    "EVENT_ORDERINGS",
    "PARTICIPATION",
    "ROOT_LISTS",
    "SOURCE",
]

_article = models.Article
_event = models.Event
_link = models.EventLink
_participant = models.EventParticipant

# Undated rows sort as the oldest: the sort keys are computed columns without NULLs.
ARTICLE_ORDERINGS: dict[str | None, Ordering] = {
    "PUBLISHED_AT_DESC": Ordering(_article.published_sort, _article.id, True, "datetime"),
    "PUBLISHED_AT_ASC": Ordering(_article.published_sort, _article.id, False, "datetime"),
    "INGESTED_AT_DESC": Ordering(_article.ingested_at, _article.id, True, "datetime"),
    "INGESTED_AT_ASC": Ordering(_article.ingested_at, _article.id, False, "datetime"),
}
EVENT_ORDERINGS: dict[str | None, Ordering] = {
    "DATE_DESC": Ordering(_event.date_sort, _event.id, True, "date"),
    "DATE_ASC": Ordering(_event.date_sort, _event.id, False, "date"),
}


def _causes(link: Any) -> ColumnElement[bool]:
    causes: ColumnElement[bool] = link.kind == EventLinkKind.CAUSES
    return causes


def _through(
    name: str, target: type[Base], parent: object, through: type[Base], to: object
) -> Relation:
    """A relation through a link table, by the target's id."""
    return Relation(
        name,
        target,
        parent,
        Ordering.by_id(target),
        through=through,
        through_target=to,
    )


ARTICLE = Entity(
    "Article",
    _article,
    {
        "id": GlobalId(),
        "url": Column("url"),
        "title": Column("title"),
        "publishedAt": Column("published_at", Scalar.DATETIME),
        "language": Column("language"),
        "dateline": Column("dateline"),
        "body": Column("body"),
        "sections": Derived("sections"),
        "ingestedAt": Column("ingested_at", Scalar.DATETIME),
        "source": ToOne("Source", "source_id"),
        "disclaimer": Derived("article_disclaimer"),
        "actors": Paged(
            {
                None: _through(
                    "Article.actors",
                    models.Actor,
                    models.ArticleActor.article_id,
                    models.ArticleActor,
                    models.ArticleActor.actor_id,
                )
            }
        ),
        "events": Paged(
            {
                None: _through(
                    "Article.events",
                    _event,
                    models.ArticleEvent.article_id,
                    models.ArticleEvent,
                    models.ArticleEvent.event_id,
                )
            }
        ),
        "claims": Paged(
            {
                None: Relation(
                    "Article.claims",
                    models.Claim,
                    models.Claim.article_id,
                    Ordering.by_id(models.Claim),
                )
            },
            filter=CLAIM_FILTER,
        ),
    },
)

SOURCE = Entity(
    "Source",
    models.Source,
    {
        "id": GlobalId(),
        "name": Column("name"),
        "domain": Column("domain"),
        "url": Column("url"),
        "disclaimer": Derived("source_disclaimer"),
        "articles": Paged(
            {
                order: Relation(f"Source.articles/{order}", _article, _article.source_id, ordering)
                for order, ordering in ARTICLE_ORDERINGS.items()
            },
            filter=ARTICLE_FILTER,
            default_order="PUBLISHED_AT_DESC",
        ),
    },
)

ACTOR = Entity(
    "Actor",
    models.Actor,
    {
        "id": GlobalId(),
        "name": Column("name"),
        "kind": Column("kind", Scalar.ENUM),
        "title": Column("title"),
        "country": Column("country"),
        "aliases": Column("aliases", Scalar.TEXT_LIST),
        "wikidataId": Column("wikidata_id"),
        "affiliation": ToOne("Actor", "affiliation_id"),
        "claims": Paged(
            {
                None: Relation(
                    "Actor.claims",
                    models.Claim,
                    models.Claim.claimant_id,
                    Ordering.by_id(models.Claim),
                )
            },
            filter=CLAIM_FILTER,
        ),
        "claimsAbout": Paged(
            {
                None: _through(
                    "Actor.claimsAbout",
                    models.Claim,
                    models.ClaimAbout.actor_id,
                    models.ClaimAbout,
                    models.ClaimAbout.claim_id,
                )
            }
        ),
        "events": Paged(
            {
                None: Relation(
                    "Actor.events",
                    _participant,
                    _participant.actor_id,
                    Ordering(_participant.event_id, _participant.actor_id),
                )
            }
        ),
        "articles": Paged(
            {
                None: _through(
                    "Actor.articles",
                    _article,
                    models.ArticleActor.actor_id,
                    models.ArticleActor,
                    models.ArticleActor.article_id,
                )
            }
        ),
    },
)

EVENT = Entity(
    "Event",
    _event,
    {
        "id": GlobalId(),
        "title": Column("title"),
        "kind": Column("kind", Scalar.ENUM),
        "status": Column("status", Scalar.ENUM),
        "location": Column("location"),
        "date": Column("date", Scalar.DATE),
        "datePrecision": Column("date_precision", Scalar.ENUM),
        "dateText": Column("date_text"),
        "participants": ToMany(
            Relation(
                "Event.participants",
                _participant,
                _participant.event_id,
                Ordering(_participant.actor_id, _participant.event_id),
            )
        ),
        "causedBy": ToMany(
            Relation(
                "Event.causedBy",
                _event,
                _link.to_event_id,
                Ordering.by_id(_event),
                through=_link,
                through_target=_link.from_event_id,
                where=_causes,
            )
        ),
        "leadsTo": ToMany(
            Relation(
                "Event.leadsTo",
                _event,
                _link.from_event_id,
                Ordering.by_id(_event),
                through=_link,
                through_target=_link.to_event_id,
                where=_causes,
            )
        ),
        "articles": Paged(
            {
                None: _through(
                    "Event.articles",
                    _article,
                    models.ArticleEvent.event_id,
                    models.ArticleEvent,
                    models.ArticleEvent.article_id,
                )
            }
        ),
        "claims": Paged(
            {
                None: Relation(
                    "Event.claims",
                    models.Claim,
                    models.Claim.event_id,
                    Ordering.by_id(models.Claim),
                )
            }
        ),
        "disclaimers": Derived("event_disclaimers"),
    },
)

CLAIM = Entity(
    "Claim",
    models.Claim,
    {
        "id": GlobalId(),
        "text": Column("text"),
        "kind": Column("kind", Scalar.ENUM),
        "span": Derived("span"),
        "claimant": ToOne("Actor", "claimant_id"),
        "about": ToMany(
            _through(
                "Claim.about",
                models.Actor,
                models.ClaimAbout.claim_id,
                models.ClaimAbout,
                models.ClaimAbout.actor_id,
            )
        ),
        "event": ToOne("Event", "event_id"),
        "article": ToOne("Article", "article_id"),
        "disclaimer": Derived("claim_disclaimer"),
    },
)

PARTICIPATION = Entity(
    "Participation",
    _participant,
    {
        "role": Column("role"),
        "actor": ToOne("Actor", "actor_id"),
        "event": ToOne("Event", "event_id"),
    },
    key=("event_id", "actor_id"),
    node=False,
)

ENTITIES = {
    entity.type_name: entity for entity in (ARTICLE, SOURCE, ACTOR, EVENT, CLAIM, PARTICIPATION)
}

ROOT_LISTS = {
    "articles": RootList(
        _article, ARTICLE_ORDERINGS, ARTICLE_FILTER, "PUBLISHED_AT_DESC", name="articles"
    ),
    "actors": RootList(
        models.Actor, {None: Ordering.by_id(models.Actor)}, ACTOR_FILTER, name="actors"
    ),
    "events": RootList(_event, EVENT_ORDERINGS, EVENT_FILTER, "DATE_DESC", name="events"),
    "claims": RootList(
        models.Claim, {None: Ordering.by_id(models.Claim)}, CLAIM_FILTER, name="claims"
    ),
    "sources": RootList(models.Source, {None: Ordering.by_id(models.Source)}, name="sources"),
}
