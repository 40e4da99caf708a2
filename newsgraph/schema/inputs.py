"""Enums, orderings and filter inputs of the API.

The enums are the data model's own vocabularies (GraphQL shows their member names:
`PERSON`, `NO_COMMENT`). Each ordering enum is declared with the SQL key it sorts by.
Filter inputs take global IDs and turn into the resolvers' plain condition values.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from newsgraph.db import enums
from newsgraph.resolvers.filters import (
    ACTOR_FILTER,
    ARTICLE_FILTER,
    CLAIM_FILTER,
    EVENT_FILTER,
    BoundFilter,
)

__all__ = [
    "ActorFilter",
    "ActorKind",
    "ArticleFilter",
    "ArticleOrder",
    "ClaimFilter",
    "ClaimKind",
    "DatePrecision",
    "EventFilter",
    "EventKind",
    "EventOrder",
    "EventStatus",
]

ActorKind = enums.ActorKind
EventKind = enums.EventKind
EventStatus = enums.EventStatus
DatePrecision = enums.DatePrecision
ClaimKind = enums.ClaimKind
strawberry.enum(ActorKind, description="What an actor is.")
strawberry.enum(EventKind, description="What kind of event it is.")
strawberry.enum(EventStatus, description="Whether it has happened.")
strawberry.enum(DatePrecision, description="How much of a date is known.")
strawberry.enum(ClaimKind, description="What kind of assertion a claim is.")


@strawberry.enum(description="How a list of articles is sorted; ties are broken by id.")
class ArticleOrder(Enum):
    PUBLISHED_AT_DESC = "published_at_desc"
    PUBLISHED_AT_ASC = "published_at_asc"
    INGESTED_AT_DESC = "ingested_at_desc"
    INGESTED_AT_ASC = "ingested_at_asc"


@strawberry.enum(
    description=(
        "How a list of events is sorted; ties by id. Undated events sort as the earliest:"
        " last when newest first, first when oldest first."
    )
)
class EventOrder(Enum):
    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"


@strawberry.input(description="Narrows a list of articles; every condition given must hold.")
class ArticleFilter:
    source_id: strawberry.ID | None = strawberry.field(
        default=None, description="Published by this source."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Mentions this actor."
    )
    event_id: strawberry.ID | None = strawberry.field(
        default=None, description="Reports this event."
    )
    published_after: datetime | None = strawberry.field(
        default=None, description="Published at or after (an instant without an offset is UTC)."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Published before (an instant without an offset is UTC)."
    )
    search: str | None = strawberry.field(
        default=None, description="Full-text search of title and body."
    )

    def conditions(self) -> BoundFilter:
        """The filter as declared, with the values given."""
        return ARTICLE_FILTER.of_input(self)


@strawberry.input(description="Narrows a list of claims; every condition given must hold.")
class ClaimFilter:
    kind: ClaimKind | None = strawberry.field(default=None, description="Of this kind.")
    claimant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Made by this actor."
    )
    about_id: strawberry.ID | None = strawberry.field(default=None, description="About this actor.")
    event_id: strawberry.ID | None = strawberry.field(
        default=None, description="Concerning this event."
    )
    search: str | None = strawberry.field(
        default=None, description="Full-text search of the claim."
    )

    def conditions(self) -> BoundFilter:
        """The filter as declared, with the values given."""
        return CLAIM_FILTER.of_input(self)


@strawberry.input(description="Narrows a list of actors; every condition given must hold.")
class ActorFilter:
    kind: ActorKind | None = strawberry.field(default=None, description="Of this kind.")
    country: str | None = strawberry.field(default=None, description="ISO 3166 alpha-2 code.")
    search: str | None = strawberry.field(default=None, description="Part of a name or alias.")

    def conditions(self) -> BoundFilter:
        """The filter as declared, with the values given."""
        return ACTOR_FILTER.of_input(self)


@strawberry.input(description="Narrows a list of events; every condition given must hold.")
class EventFilter:
    kind: EventKind | None = strawberry.field(default=None, description="Of this kind.")
    status: EventStatus | None = strawberry.field(default=None, description="With this status.")
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="With this participant."
    )
    from_: date | None = strawberry.field(
        default=None, name="from", description="On or after this date."
    )
    to: date | None = strawberry.field(default=None, description="On or before this date.")

    def conditions(self) -> BoundFilter:
        """The filter as declared, with the values given."""
        return EVENT_FILTER.of_input(self)
