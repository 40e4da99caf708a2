"""Events: what happened or will, found by trigger words, merged across sentences.

A trigger ("phone call", "talks", "agreement", "announced", "voted", "ruled", "imposed")
opens an event mention with the date expression nearest to it, a location ("in
Geneva"), a status (future tense: scheduled) and participants. Mentions of the same
kind of thing at the same place, or a back-reference ("this meeting", "that call"),
are one event. "a direct result of", "after", "following" link a cause to its effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from newsgraph.db.enums import ActorKind, DatePrecision, EventKind, EventStatus
from newsgraph.ingest.extract.actors import ActorFound, surname_of
from newsgraph.ingest.extract.dates import DateMention, find_dates
from newsgraph.ingest.extract.lexicon import MEETING_PLACES
from newsgraph.ingest.extract.mentions import Mention

__all__ = ["EventFound", "EventTracker"]

_TRIGGERS: list[tuple[EventKind, str]] = [
    (EventKind.CALL, r"(?:phone|telephone|video) (?:call|conversation)|call with|spoke by phone"),
    (EventKind.NEGOTIATION, r"(?:trade )?talks|negotiations?"),
    (EventKind.MEETING, r"meeting|summit|meet with|met with|to meet|will meet"),
    (
        EventKind.AGREEMENT,
        r"(?:[a-z]+ ){0,3}(?:agreement|deal|truce|accord|treaty|framework)|agreed(?: on \w+)? to",
    ),
    (EventKind.VOTE, r"voted|vote on|referendum"),
    (EventKind.RULING, r"ruled|ruling|verdict"),
    (
        EventKind.POLICY,
        r"imposed?|revok(?:e|ed|ing)|ban(?:ned)?|sanction(?:s|ed)|tariffs? on|export controls?|"
        r"approved|(?:kept|left|held|cut|raised|lowered) (?:its |the )?(?:\w+ ){0,2}"
        r"(?:rates?|production|output)",
    ),
    (EventKind.ANNOUNCEMENT, r"announced|announcement|warning|unveiled"),
]  # fmt: skip
TRIGGER = re.compile(
    "|".join(rf"(?P<{kind.value}>\b(?:{pattern})\b)" for kind, pattern in _TRIGGERS)
)
_BACK_REFERENCE = re.compile(r"\b(?:this|that|the|these|those)\s+(?:[A-Z][a-z]+\s+)?$")
_LOCATION = re.compile(r"\bin\s+(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_FUTURE = re.compile(r"\b(?:will|would|next|upcoming|scheduled|set to|plans? to|is to|are to)\b")
_CAUSE = re.compile(r"\b(?:a direct result of|result of|after|following|because of|prompted by)\b")
_LEAD = re.compile(r"\b(?:will lead|led|leads|leading|headed|hosted|will host)\b")
_ACCOMPANYING = re.compile(r"^(?:Accompanying|Joining|Also attending)\b|\binclude[sd]?\b")
# How far from its trigger a date expression may stand and still date the event.
DATE_REACH = 60
_GATHERINGS = {EventKind.MEETING, EventKind.NEGOTIATION, EventKind.AGREEMENT}
_GROUPS = [
    {EventKind.MEETING, EventKind.NEGOTIATION, EventKind.AGREEMENT},
    {EventKind.ANNOUNCEMENT, EventKind.POLICY},
]
_TITLES = {
    EventKind.CALL: "phone call",
    EventKind.NEGOTIATION: "talks",
    EventKind.MEETING: "meeting",
    EventKind.AGREEMENT: "agreement",
    EventKind.VOTE: "vote",
    EventKind.RULING: "ruling",
    EventKind.POLICY: "policy action",
    EventKind.ANNOUNCEMENT: "announcement",
}
_NOT_PLACES = {"May", "June", "July", "March", "April", "August", "September", "October",
               "November", "December", "January", "February", "Congress", "Parliament"}  # fmt: skip


@dataclass(eq=False)
class EventFound:
    """An event with its participants (and roles) and the events that caused it."""

    kind: EventKind
    status: EventStatus
    location: str | None = None
    date: date | None = None
    precision: DatePrecision | None = None
    date_text: str | None = None
    participants: dict[int, tuple[ActorFound, str]] = field(default_factory=dict)
    caused_by: list[EventFound] = field(default_factory=list)

    def add(self, actor: ActorFound, role: str) -> None:
        current = self.participants.get(id(actor))
        if current is None or (current[1] == "participant" and role == "lead"):
            self.participants[id(actor)] = (actor, role)

    @property
    def title(self) -> str:
        people = [a for a, _ in self.participants.values()]
        names = [surname_of(a.name) if a.kind is ActorKind.PERSON else a.name for a in people[:2]]
        head = "-".join(names) if names else ""
        where = f" in {self.location}" if self.location else ""
        return " ".join(part for part in (head, _TITLES[self.kind]) if part) + where


def _same_group(a: EventKind, b: EventKind) -> bool:
    return a == b or any(a in group and b in group for group in _GROUPS)


class EventTracker:
    """Collects the events of one article, sentence after sentence."""

    def __init__(self, published: date) -> None:
        self.published = published
        self.events: list[EventFound] = []

    def _match(self, mention: EventFound, back_reference: bool) -> EventFound | None:
        """The known event a new mention refers to, if any.

        Meetings, talks and agreements are about one place and time: a mention that does
        not contradict a known one's place or date is the same. Other kinds (an
        announcement, a vote) are the same only when referred back to ("that ruling")
        or dated alike.
        """
        for event in reversed(self.events):
            if mention.location and event.location and mention.location != event.location:
                continue
            if mention.date and event.date and mention.date != event.date:
                continue
            gathering = mention.kind in _GATHERINGS and event.kind in _GATHERINGS
            same_place = mention.location is not None and mention.location == event.location
            if mention.location and not event.location and not back_reference:
                continue  # "a meeting in Washington" is not the placeless deal named before
            if gathering and (back_reference or same_place or not (mention.date and event.date)):
                return event
            if _same_group(event.kind, mention.kind) and (
                back_reference or (mention.date is not None and mention.date == event.date)
            ):
                return event
        return None

    def read(self, sentence: str, mentions: list[Mention], speakers: set[int]) -> list[EventFound]:
        """The events a sentence mentions (new or known), in order of their triggers."""
        dates = [
            d
            for d in find_dates(sentence, self.published)
            if d.value is not None or "week" in d.text
        ]
        found: list[tuple[int, EventFound]] = []
        for match in TRIGGER.finditer(sentence):
            kind = EventKind(next(name for name, value in match.groupdict().items() if value))
            if kind is EventKind.ANNOUNCEMENT and re.search(
                dict(_TRIGGERS)[EventKind.POLICY], sentence[match.end() : match.end() + 40]
            ):
                kind = EventKind.POLICY
            event = self._mention(sentence, match, kind, dates)
            back = bool(_BACK_REFERENCE.search(sentence[: match.start()]))
            same_sentence = [e for _, e in found if e.kind is kind or (
                e.kind not in _GATHERINGS and _same_group(e.kind, kind))]  # fmt: skip
            known = same_sentence[0] if same_sentence else self._match(event, back)
            if known is None:
                self.events.append(event)
                known = event
            else:
                self._merge(known, event)
            if all(known is not other for _, other in found):
                found.append((match.start(), known))
            self._participants(known, kind, sentence, match, mentions, speakers)
        self._causes(sentence, found)
        if not found and self.events and _ACCOMPANYING.search(sentence):
            for mention in mentions:
                if mention.actor.kind is ActorKind.PERSON:
                    self.events[-1].add(mention.actor, "participant")
        return [event for _, event in found]

    def _mention(
        self, sentence: str, match: re.Match[str], kind: EventKind, dates: list[DateMention]
    ) -> EventFound:
        def distance(mention: DateMention) -> int:
            return min(abs(mention.start - match.end()), abs(match.start() - mention.end))

        near = sorted(dates, key=distance)
        chosen = near[0] if near and distance(near[0]) < DATE_REACH else None
        location = None
        place = _LOCATION.search(sentence[match.start() : match.end() + 40]) or _LOCATION.search(
            sentence[max(0, match.start() - 25) : match.start()]
        )
        if place and place.group("place").split()[0] not in _NOT_PLACES:
            location = place.group("place")
        named_before = re.search(r"([A-Z][a-z]+)\s+$", sentence[: match.start()])
        if location is None and named_before and named_before.group(1) in MEETING_PLACES:
            location = named_before.group(1)  # "this London meeting", "the Geneva negotiations"
        clause = sentence[max(0, match.start() - 80) : match.end() + 20]
        status = EventStatus.SCHEDULED if _FUTURE.search(clause) else EventStatus.OCCURRED
        return EventFound(
            kind=kind,
            status=status,
            location=location,
            date=chosen.value if chosen else None,
            precision=chosen.precision if chosen else None,
            date_text=chosen.text if chosen and chosen.value else None,
        )

    def finish(self) -> list[EventFound]:
        """The events, with mentions of one call (or vote, ...) by the same people merged."""
        merged: list[EventFound] = []
        for event in self.events:
            people = set(event.participants)
            twin = next(
                (
                    other
                    for other in merged
                    if other.kind is event.kind
                    and people
                    and set(other.participants) == people
                    and not (other.date and event.date and other.date != event.date)
                ),
                None,
            )
            if twin is None:
                merged.append(event)
                continue
            self._merge(twin, event)
            for other in self.events:
                other.caused_by = [twin if c is event else c for c in other.caused_by]
        for event in merged:
            event.caused_by = list(dict.fromkeys(c for c in event.caused_by if c is not event))
        return merged

    @staticmethod
    def _merge(known: EventFound, new: EventFound) -> None:
        known.location = known.location or new.location
        if known.date is None and new.date is not None:
            known.date, known.precision, known.date_text = new.date, new.precision, new.date_text

    @staticmethod
    def _participants(event: EventFound, kind: EventKind, sentence: str, match: re.Match[str],
                      mentions: list[Mention], speakers: set[int]) -> None:  # fmt: skip
        if kind in {EventKind.ANNOUNCEMENT, EventKind.POLICY}:
            before = [m for m in mentions if m.end <= match.start()]
            if before:
                event.add(before[-1].actor, "lead")
            return
        for mention in mentions:
            speaker_before = id(mention.actor) in speakers and mention.end <= match.start()
            if speaker_before and kind is not EventKind.CALL:
                continue
            if mention.actor.kind is ActorKind.PERSON or kind in {
                EventKind.AGREEMENT,
                EventKind.MEETING,
                EventKind.NEGOTIATION,
            }:
                lead = _LEAD.search(sentence, mention.end, min(len(sentence), mention.end + 12))
                role = "lead" if lead else "participant"
                if kind is EventKind.AGREEMENT and mention.actor.kind is not ActorKind.PERSON:
                    role = "party"
                event.add(mention.actor, role)

    @staticmethod
    def _causes(sentence: str, found: list[tuple[int, EventFound]]) -> None:
        cause = _CAUSE.search(sentence)
        if cause is None or len(found) < 2:
            return
        effects = [e for position, e in found if position < cause.start()]
        causes = [e for position, e in found if position > cause.start()]
        for effect in effects:
            for origin in causes:
                if origin is not effect and origin not in effect.caused_by:
                    effect.caused_by.append(origin)
