"""Events: `createEvent`, `updateEvent`, participants and links between events."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.db.enums import EventLinkKind
from newsgraph.edit import events as edit
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.events import Event
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import EventKind, EventStatus
from newsgraph.schema.mutations.payloads import UserError, attempt, given, row_id

__all__ = ["EventMutations"]

_FIELDS = ("key", "title", "kind", "status", "location", "date", "date_text")

strawberry.enum(EventLinkKind, description="How one event relates to another.")


@strawberry.input(description="A new event.")
class CreateEventInput:
    title: str = strawberry.field(description="A short name for the event.")
    kind: EventKind = strawberry.field(description="What kind of event it is.")
    status: EventStatus = strawberry.field(
        default=EventStatus.UNKNOWN, description="Whether it has happened."
    )
    location: str | None = strawberry.field(default=None, description="Where.")
    date: str | None = strawberry.field(
        default=None, description="When: YYYY-MM-DD, YYYY-MM or YYYY (the precision is kept)."
    )
    date_text: str | None = strawberry.field(default=None, description="The date as written.")
    key: str | None = strawberry.field(
        default=None, description="A stable identifier that documents can match it by."
    )


@strawberry.input(description="Changes to an event: only the fields given change.")
class UpdateEventInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    kind: EventKind | None = strawberry.field(default=strawberry.UNSET, description="New kind.")
    status: EventStatus | None = strawberry.field(
        default=strawberry.UNSET, description="New status."
    )
    location: str | None = strawberry.field(default=strawberry.UNSET, description="New place.")
    date: str | None = strawberry.field(
        default=strawberry.UNSET, description="YYYY-MM-DD, YYYY-MM or YYYY; null: undated."
    )
    date_text: str | None = strawberry.field(default=strawberry.UNSET, description="As written.")
    key: str | None = strawberry.field(default=strawberry.UNSET, description="New key.")


@strawberry.type(description="The result of an event mutation.")
class EventPayload:
    event: Event | None = strawberry.field(description="The event, as stored.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


async def _payload(info: Info, event_id: int | None, errors: list[UserError]) -> EventPayload:
    row = await load_row(info.context, models.Event, event_id) if event_id else None
    return EventPayload(event=Event.from_row(row) if row else None, user_errors=errors)


def _participant(event_id: relay.GlobalID, actor_id: relay.GlobalID) -> tuple[int, int]:
    return row_id(event_id, "Event", "eventId"), row_id(actor_id, "Actor", "actorId")


@strawberry.type
class EventMutations:
    @strawberry.mutation(description="Create an event.")
    async def create_event(self, info: Info, input: CreateEventInput) -> EventPayload:
        async def work(session: Any) -> int:
            return (await edit.create_event(session, given(input, *_FIELDS))).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Change an event; only the fields given change.")
    async def update_event(
        self, info: Info, id: relay.GlobalID, input: UpdateEventInput
    ) -> EventPayload:
        async def work(session: Any) -> int:
            event_id = row_id(id, "Event", "id")
            return (await edit.update_event(session, event_id, given(input, *_FIELDS))).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Add an actor to an event, or change its role there.")
    async def add_participant(
        self,
        info: Info,
        event_id: relay.GlobalID,
        actor_id: relay.GlobalID,
        role: str | None = None,
    ) -> EventPayload:
        async def work(session: Any) -> int:
            event, actor = _participant(event_id, actor_id)
            return (await edit.add_participant(session, event, actor, role)).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Take an actor out of an event.")
    async def remove_participant(
        self, info: Info, event_id: relay.GlobalID, actor_id: relay.GlobalID
    ) -> EventPayload:
        async def work(session: Any) -> int:
            event, actor = _participant(event_id, actor_id)
            return (await edit.remove_participant(session, event, actor)).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(
        description="Link two events: `from` CAUSES (FOLLOWS, is PART_OF, is RELATED to) `to`."
    )
    async def link_events(
        self, info: Info, from_id: relay.GlobalID, to_id: relay.GlobalID, kind: EventLinkKind
    ) -> EventPayload:
        async def work(session: Any) -> int:
            source, target = row_id(from_id, "Event", "fromId"), row_id(to_id, "Event", "toId")
            return (await edit.link_events(session, source, target, kind)).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Remove a link between two events.")
    async def unlink_events(
        self, info: Info, from_id: relay.GlobalID, to_id: relay.GlobalID, kind: EventLinkKind
    ) -> EventPayload:
        async def work(session: Any) -> int:
            source, target = row_id(from_id, "Event", "fromId"), row_id(to_id, "Event", "toId")
            return (await edit.unlink_events(session, source, target, kind)).id

        return await _payload(info, *await attempt(info, work))
