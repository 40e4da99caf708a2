"""Events: create, update, who took part (with which role), and how events link up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.enums import EventLinkKind
from newsgraph.db.locks import hold_actors
from newsgraph.db.models import Event, EventLink, EventParticipant
from newsgraph.edit.checks import locked_row, locked_rows, validated
from newsgraph.errors import EditError, Problem
from newsgraph.ingest.document import EventDoc, PartialDate
from newsgraph.ingest.matching import event_values
from newsgraph.ingest.prepared import EventSpec

__all__ = [
    "add_participant",
    "create_event",
    "link_events",
    "remove_participant",
    "unlink_events",
    "update_event",
]

_EDITABLE = ("key", "title", "kind", "status", "location", "date_text")


def _date_text(row: Event) -> str | None:
    """The stored date as the document format writes it (2025-06-09, 2025-06, 2025)."""
    if row.date is None or row.date_precision is None:
        return None
    return str(PartialDate(value=row.date, precision=row.date_precision))


async def _refuse_taken_key(session: AsyncSession, key: str | None, own_id: int | None) -> None:
    if key is None:
        return
    taken = select(Event.id).where(Event.key == key)
    if await session.scalar(taken.where(Event.id != own_id) if own_id else taken) is not None:
        raise EditError(
            Problem(field=("input", "key"), message="another event has this key", code="CONFLICT")
        )


async def create_event(session: AsyncSession, values: dict[str, Any]) -> Event:
    """A new event from the document format's event fields (`date` as YYYY[-MM[-DD]])."""
    columns = event_values(EventSpec.of(validated(EventDoc, values, ("input",))))
    await _refuse_taken_key(session, columns["key"], None)
    row = Event(**columns)
    session.add(row)
    await session.flush()
    return row


async def update_event(session: AsyncSession, event_id: int, changes: dict[str, Any]) -> Event:
    """Apply `changes` (only the keys given; `date: None` makes the event undated)."""
    row = await locked_row(session, Event, event_id, ("id",))
    current = {name: getattr(row, name) for name in _EDITABLE} | {"date": _date_text(row)}
    columns = event_values(EventSpec.of(validated(EventDoc, {**current, **changes}, ("input",))))
    await _refuse_taken_key(session, columns["key"], row.id)
    for name, value in columns.items():
        setattr(row, name, value)
    await session.flush()
    return row


async def add_participant(
    session: AsyncSession, event_id: int, actor_id: int, role: str | None
) -> Event:
    """Add the actor to the event, or change its role there."""
    if not await hold_actors(session, [actor_id]):  # before the event: see db.locks
        raise EditError(
            Problem(field=("actorId",), message="no actor has this ID", code="NOT_FOUND")
        )
    event = await locked_row(session, Event, event_id, ("eventId",))
    role = role.strip() or None if role else None
    statement = insert(EventParticipant).values(event_id=event_id, actor_id=actor_id, role=role)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["event_id", "actor_id"], set_={"role": statement.excluded.role}
        )
    )
    return event


async def remove_participant(session: AsyncSession, event_id: int, actor_id: int) -> Event:
    """Take the actor out of the event."""
    event = await locked_row(session, Event, event_id, ("eventId",))
    removed = await session.execute(
        delete(EventParticipant).where(
            EventParticipant.event_id == event_id, EventParticipant.actor_id == actor_id
        )
    )
    if removed.rowcount == 0:  # type: ignore[attr-defined]
        raise EditError(
            Problem(field=("actorId",), message="this actor is not a participant", code="NOT_FOUND")
        )
    return event


async def link_events(
    session: AsyncSession, from_id: int, to_id: int, kind: EventLinkKind
) -> Event:
    """`from` causes (follows, is part of, relates to) `to`; linking twice changes nothing."""
    if from_id == to_id:
        raise EditError(Problem(field=("toId",), message="an event cannot be linked to itself"))
    source, _ = await locked_rows(session, Event, {("fromId",): from_id, ("toId",): to_id})
    await session.execute(
        insert(EventLink)
        .values(from_event_id=from_id, to_event_id=to_id, kind=kind)
        .on_conflict_do_nothing()
    )
    return source


async def unlink_events(
    session: AsyncSession, from_id: int, to_id: int, kind: EventLinkKind
) -> Event:
    """Remove the link `from` -kind-> `to`."""
    source = await locked_row(session, Event, from_id, ("fromId",))
    removed = await session.execute(
        delete(EventLink).where(
            EventLink.from_event_id == from_id,
            EventLink.to_event_id == to_id,
            EventLink.kind == kind,
        )
    )
    if removed.rowcount == 0:  # type: ignore[attr-defined]
        raise EditError(
            Problem(field=("toId",), message="these events are not linked so", code="NOT_FOUND")
        )
    return source
