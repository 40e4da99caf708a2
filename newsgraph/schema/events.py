"""`Event` and `Participation`: what happened, who took part, what it led to."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.db.enums import EventLinkKind
from newsgraph.db.provenance import event_disclaimers
from newsgraph.resolvers.loaders import load_grouped, load_row
from newsgraph.resolvers.pagination import Ordering
from newsgraph.resolvers.relations import Relation, load_all
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import DatePrecision, EventKind, EventStatus
from newsgraph.schema.relay import relation_field

__all__ = ["Event", "Participation"]

_link = models.EventLink
EVENT_PARTICIPANTS = Relation(
    "Event.participants",
    models.EventParticipant,
    models.EventParticipant.event_id,
    Ordering(models.EventParticipant.actor_id, models.EventParticipant.event_id),
)
EVENT_CAUSED_BY = Relation(
    "Event.causedBy",
    models.Event,
    _link.to_event_id,
    Ordering.by_id(models.Event),
    through=_link,
    through_target=_link.from_event_id,
    where=_link.kind == EventLinkKind.CAUSES,
)
EVENT_LEADS_TO = Relation(
    "Event.leadsTo",
    models.Event,
    _link.from_event_id,
    Ordering.by_id(models.Event),
    through=_link,
    through_target=_link.to_event_id,
    where=_link.kind == EventLinkKind.CAUSES,
)
EVENT_ARTICLES = Relation(
    "Event.articles",
    models.Article,
    models.ArticleEvent.event_id,
    Ordering.by_id(models.Article),
    through=models.ArticleEvent,
    through_target=models.ArticleEvent.article_id,
)
EVENT_CLAIMS = Relation(
    "Event.claims", models.Claim, models.Claim.event_id, Ordering.by_id(models.Claim)
)


@strawberry.type(description="An actor's part in an event.")
class Participation:
    role: str | None = strawberry.field(description="lead, participant, host, party, ...")
    row: strawberry.Private[models.EventParticipant]

    @strawberry.field(description="Who took part.")
    async def actor(self, info: Info) -> Actor:
        row = await load_row(info.context, models.Actor, self.row.actor_id)
        assert row is not None, "a participant is a foreign key"
        return Actor.from_row(row)

    @strawberry.field(description="The event taken part in.")
    async def event(self, info: Info) -> Event:
        row = await load_row(info.context, models.Event, self.row.event_id)
        assert row is not None, "a participation's event is a foreign key"
        return Event.from_row(row)

    @classmethod
    def from_row(cls, row: models.EventParticipant) -> Participation:
        """The GraphQL view of a participant row."""
        return cls(role=row.role, row=row)


@strawberry.type(description="Something that happened, or is scheduled to.")
class Event(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="A short name for the event.")
    kind: EventKind = strawberry.field(description="What kind of event it is.")
    status: EventStatus = strawberry.field(description="Whether it has happened.")
    location: str | None = strawberry.field(description="Where, if known.")
    date: date | None = strawberry.field(description="When (its first day when imprecise).")
    date_precision: DatePrecision | None = strawberry.field(
        description="How much of `date` is known."
    )
    date_text: str | None = strawberry.field(description="The date as the article wrote it.")

    @strawberry.field(description="Who took part, with their roles.")
    async def participants(self, info: Info) -> list[Participation]:
        rows = await load_all(info.context, EVENT_PARTICIPANTS, self.id)
        return [Participation.from_row(row) for row in rows]

    @strawberry.field(description="The events that caused this one.")
    async def caused_by(self, info: Info) -> list[Event]:
        return [
            Event.from_row(row) for row in await load_all(info.context, EVENT_CAUSED_BY, self.id)
        ]

    @strawberry.field(description="The events this one caused.")
    async def leads_to(self, info: Info) -> list[Event]:
        return [
            Event.from_row(row) for row in await load_all(info.context, EVENT_LEADS_TO, self.id)
        ]

    articles = relation_field(
        EVENT_ARTICLES,
        "Article",
        "newsgraph.schema.articles",
        description="The articles that report it, by id.",
    )
    claims = relation_field(
        EVENT_CLAIMS,
        "Claim",
        "newsgraph.schema.claims",
        description="The claims concerning it, by id.",
    )

    @strawberry.field(description="The distinct disclaimers of every source that reported it.")
    async def disclaimers(self, info: Info) -> list[Disclaimer]:
        rows = await load_grouped(info.context, event_disclaimers, self.id)
        return [Disclaimer(heading=r.heading, text=r.text, source_id=r.source_id) for r in rows]

    @classmethod
    def from_row(cls, row: models.Event) -> Event:
        """The GraphQL view of an event row."""
        return cls(
            id=row.id,
            title=row.title,
            kind=row.kind,
            status=row.status,
            location=row.location,
            date=row.date,
            date_precision=row.date_precision,
            date_text=row.date_text,
        )


from newsgraph.schema.actors import Actor  # noqa: E402 (types refer to each other)
from newsgraph.schema.sources import Disclaimer  # noqa: E402
