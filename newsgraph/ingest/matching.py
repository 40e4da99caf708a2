"""How a document's actors and events meet the stored ones: the rules of matching.

- actors by `key`, else (same kind) by normalised name, by the document's name among a
  stored actor's aliases, or by a stored name among the document's aliases;
- events by `key`, else by normalised title and date.

A match only ever gains: new aliases, values it lacked, a status further along; nothing
stored is overwritten. The rules work on `ActorRow`/`EventRow`, the graph as storing
sees it (rows read from the database and those created earlier in the same batch), so
the same code decides for one document and for a batch of thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from newsgraph.db.enums import EventStatus
from newsgraph.ingest.prepared import ActorSpec, EventSpec

__all__ = [
    "ActorLookup",
    "ActorRow",
    "EventLookup",
    "EventRow",
    "actor_changes",
    "actor_values",
    "best_actor_match",
    "best_event_match",
    "event_changes",
    "event_values",
]

_STATUS_RANK = {
    EventStatus.UNKNOWN: 0,
    EventStatus.SCHEDULED: 1,
    EventStatus.OCCURRED: 2,
    EventStatus.CANCELLED: 2,
}


@dataclass(slots=True)
class ActorRow:
    """An actor's columns that matching reads and a match may fill in."""

    id: int
    key: str | None
    name: str
    name_normalized: str
    kind: str
    title: str | None
    country: str | None
    aliases: list[str]
    match_names: list[str]
    wikidata_id: str | None
    affiliation_id: int | None


@dataclass(slots=True)
class EventRow:
    """An event's columns that matching reads and a match may fill in."""

    id: int
    key: str | None
    title: str
    title_normalized: str
    kind: str
    status: str
    location: str | None
    date: dt.date | None
    date_precision: str | None
    date_text: str | None


class ActorLookup(Protocol):
    """The actors matching can see, by key and by match name."""

    def actor_with_key(self, key: str) -> ActorRow | None: ...

    def actors_named(self, name: str) -> Iterable[ActorRow]: ...


class EventLookup(Protocol):
    """The events matching can see, by key and by normalised title."""

    def event_with_key(self, key: str) -> EventRow | None: ...

    def events_titled(self, title: str) -> Iterable[EventRow]: ...


def actor_values(spec: ActorSpec) -> dict[str, Any]:
    """The columns of a new actor row (the hand edits in `newsgraph.edit` use them too)."""
    return {
        "key": spec.key,
        "name": spec.name,
        "name_normalized": spec.names[0],
        "kind": spec.kind,
        "title": spec.title,
        "country": spec.country,
        "aliases": list(dict.fromkeys(spec.aliases)),
        "match_names": list(spec.names),
        "wikidata_id": spec.wikidata_id,
    }


def event_values(spec: EventSpec) -> dict[str, Any]:
    """The columns of a new event row (the hand edits in `newsgraph.edit` use them too)."""
    return {
        "key": spec.key,
        "title": spec.title,
        "title_normalized": spec.title_normalized,
        "kind": spec.kind,
        "status": spec.status,
        "location": spec.location,
        "date": spec.date,
        "date_precision": spec.date_precision,
        "date_text": spec.date_text,
    }


def best_actor_match(spec: ActorSpec, actors: ActorLookup) -> ActorRow | None:
    """Key first; then the same kind by exact name, by the name as an alias, by an alias
    as a name; among equals the oldest (lowest id)."""
    if spec.key:
        keyed = actors.actor_with_key(spec.key)
        if keyed is not None:
            return keyed

    def fits(row: ActorRow) -> bool:
        return row.kind == spec.kind and _keys_agree(row.key, spec.key)

    name = spec.names[0]
    named = [row for row in actors.actors_named(name) if fits(row)]
    hits = [row for row in named if row.name_normalized == name] or named
    if not hits:
        hits = [
            row
            for alias in spec.names[1:]
            for row in actors.actors_named(alias)
            if row.name_normalized == alias and fits(row)
        ]
    return min(hits, key=lambda row: row.id) if hits else None


def actor_changes(row: ActorRow, spec: ActorSpec, ids: dict[str, int]) -> dict[str, Any]:
    """What the document adds to a known actor: new aliases, and values it lacked.

    `ids` maps the document's normalised actor names to the actors they matched (for
    the affiliation).
    """
    changes: dict[str, Any] = {}
    known = set(row.match_names)
    new = [
        (spelling, normalized) for spelling, normalized in spec.spellings if normalized not in known
    ]
    if new:
        changes["aliases"] = list(dict.fromkeys([*row.aliases, *(s for s, _ in new)]))
        changes["match_names"] = list(dict.fromkeys([*row.match_names, *(n for _, n in new)]))
    for attribute in ("key", "title", "country", "wikidata_id"):
        value = getattr(spec, attribute)
        if value is not None and getattr(row, attribute) is None:
            changes[attribute] = value
    if spec.affiliation is not None and row.affiliation_id is None:
        affiliation = ids[spec.affiliation]
        if affiliation != row.id:
            changes["affiliation_id"] = affiliation
    return changes


def best_event_match(spec: EventSpec, events: EventLookup) -> EventRow | None:
    """Key first; then the same normalised title on the same date (lowest id)."""
    if spec.key:
        keyed = events.event_with_key(spec.key)
        if keyed is not None:
            return keyed
    hits = [
        row
        for row in events.events_titled(spec.title_normalized)
        if row.date == spec.date and _keys_agree(row.key, spec.key)
    ]
    return min(hits, key=lambda r: r.id) if hits else None


def event_changes(row: EventRow, spec: EventSpec) -> dict[str, Any]:
    """What the document adds to a known event: missing values, a status further along."""
    changes: dict[str, Any] = {}
    for attribute in ("key", "location", "date_text"):
        value = getattr(spec, attribute)
        if value is not None and getattr(row, attribute) is None:
            changes[attribute] = value
    if _STATUS_RANK[spec.status] > _STATUS_RANK[EventStatus(row.status)]:
        changes["status"] = spec.status
    return changes


def _keys_agree(stored: str | None, given: str | None) -> bool:
    """Two keys name the same entity unless both are set and differ."""
    return stored is None or given is None or stored == given
