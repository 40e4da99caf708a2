"""`Event` and `Participation`: what happened, who took part, what it led to."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.db.provenance import event_disclaimers
from newsgraph.resolvers.declarations import Paged, ToMany
from newsgraph.resolvers.entities import EVENT, PARTICIPATION
from newsgraph.resolvers.loaders import load_grouped, load_row
from newsgraph.resolvers.relations import load_all
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import DatePrecision, EventKind, EventStatus
from newsgraph.schema.relay import relation_field

__all__ = ["Event", "Participation"]

_PARTICIPANTS = EVENT.declared("participants", ToMany).relation
_CAUSED_BY = EVENT.declared("causedBy", ToMany).relation
_LEADS_TO = EVENT.declared("leadsTo", ToMany).relation


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
        return cls(**PARTICIPATION.columns(row), row=row)


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
        rows = await load_all(
            info.context, EVENT.declared("participants", ToMany).relation, self.id
        )
        return [Participation.from_row(row) for row in rows]

    @strawberry.field(description="The events that caused this one.")
    async def caused_by(self, info: Info) -> list[Event]:
        return [
            Event.from_row(row)
            for row in await load_all(
                info.context, EVENT.declared("causedBy", ToMany).relation, self.id
            )
        ]

    @strawberry.field(description="The events this one caused.")
    async def leads_to(self, info: Info) -> list[Event]:
        return [
            Event.from_row(row)
            for row in await load_all(
                info.context, EVENT.declared("leadsTo", ToMany).relation, self.id
            )
        ]

    articles = relation_field(
        EVENT.declared("articles", Paged),
        "Article",
        "newsgraph.schema.articles",
        description="The articles that report it, by id.",
    )
    claims = relation_field(
        EVENT.declared("claims", Paged),
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
        return cls(id=row.id, **EVENT.columns(row))


from newsgraph.schema.actors import Actor  # noqa: E402 (types refer to each other)
from newsgraph.schema.sources import Disclaimer  # noqa: E402
