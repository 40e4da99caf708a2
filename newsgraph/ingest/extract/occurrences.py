"""Event mentions in one sentence: each trigger (`triggers.py`) with the date expression
that dates it, the place it happens ("in Geneva", "this London meeting"), its status
(future tense: scheduled) and its kind.

A trigger inside a quotation or in what someone asks for or imagines ("urged them to
approve", "whether to appeal") reports no event. A meeting that is only the setting of
an act in the same clause ("raised its rate ... at an unscheduled meeting on Thursday")
is not an event of its own: its date goes to the act.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from newsgraph.db.enums import ActorKind, DatePrecision, EventKind, EventStatus
from newsgraph.ingest.extract.dates import DateMention, find_dates
from newsgraph.ingest.extract.places import MEETING_PLACES
from newsgraph.ingest.extract.registry import ActorFound, surname_of
from newsgraph.ingest.extract.triggers import TRIGGER, kind_of_trigger

__all__ = ["GATHERINGS", "EventFound", "clause", "occurrences"]

GATHERINGS = {EventKind.MEETING, EventKind.NEGOTIATION, EventKind.AGREEMENT, EventKind.CALL}
_LOCATION = re.compile(
    r"\s*\b(?:in|at)\s+(?:the\s+)?(?P<place>[A-Z][a-z]+(?:\s+(?:of\s+the\s+)?[A-Z][a-z]+){0,3})"
)
_NAMED_BEFORE = re.compile(r"([A-Z][a-z]+)\s+$")
_FUTURE = re.compile(
    r"\b(?:will|would|next|upcoming|scheduled|set to|plans? to|is to|are to|due to|is due|"
    r"are due)\b"
)
_UNREAL = re.compile(
    r"\b(?:urged|urging|called for|called on|demanded|asked|pressed|wants?|would like|could|"
    r"should|might|may|if|unless|whether|chance of|bets? on|price in|priced in)\b[^,;]{0,60}$"
)
_SETTING = re.compile(r"\bat\s+(?:a|an|the|its|their)\s+(?:[\w-]+\s+){0,2}$")
_APPROVAL = re.compile(r"^(?:approv|adopt|pass)")
# How far from its trigger a date expression may stand and still date the event.
DATE_REACH = 120
_TITLES = {
    EventKind.CALL: "phone call",
    EventKind.NEGOTIATION: "talks",
    EventKind.MEETING: "meeting",
    EventKind.AGREEMENT: "agreement",
    EventKind.VOTE: "vote",
    EventKind.RULING: "ruling",
    EventKind.POLICY: "policy action",
    EventKind.ANNOUNCEMENT: "announcement",
    EventKind.OTHER: "event",
}
_NOT_PLACES = {"May", "June", "July", "March", "April", "August", "September", "October",
               "November", "December", "January", "February", "Congress", "Parliament",
               "The", "This", "That", "Its", "His", "Her", "Their"}  # fmt: skip


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
    approval: bool = False  # a policy passed by a body, which a vote reported later names

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


def clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span of the clause around [start, end): between commas or semicolons."""
    opening = max(sentence.rfind(",", 0, start), sentence.rfind(";", 0, start)) + 1
    closing = [i for i in (sentence.find(",", end), sentence.find(";", end)) if i >= 0]
    return opening, min(closing) if closing else len(sentence)


def _unreal(sentence: str, match: re.Match[str]) -> bool:
    before = sentence[max(0, match.start() - 80) : match.start()]
    if before.endswith("next "):
        return False  # "at their next meeting" is only to come, not imagined
    return sentence.count('"', 0, match.start()) % 2 == 1 or bool(_UNREAL.search(before))


def _bind(sentence: str, triggers: list[re.Match[str]], published: date) -> dict[int, DateMention]:
    """Each date expression dates the trigger nearest to it in its clause (within
    `DATE_REACH`), one before it first: "voted 3-2 on Thursday to auction"."""
    bound: dict[int, DateMention] = {}
    for mention in find_dates(sentence, published):
        if mention.value is None and "week" not in mention.text:
            continue
        opening, closing = clause(sentence, mention.start, mention.end)
        distances = [
            (
                mention.start - t.end()
                if t.end() <= mention.start
                else t.start() - mention.end + 10,
                i,
            )
            for i, t in enumerate(triggers)
            if opening <= t.start() < closing
        ]
        if not distances and len(triggers) == 1:  # the sentence's only trigger, however far
            distances = [(0, 0)]
        if distances:
            distance, index = min(distances)
            if distance < DATE_REACH and index not in bound:
                bound[index] = mention
    return bound


def _event(
    sentence: str, match: re.Match[str], kind: EventKind, chosen: DateMention | None
) -> EventFound:
    location = None
    place = _LOCATION.search(sentence[match.start() : match.end() + 40]) or _LOCATION.search(
        sentence[max(0, match.start() - 25) : match.start()]
    )
    if place and place.group("place").split()[0] not in _NOT_PLACES and kind in GATHERINGS:
        location = place.group("place")
    named_before = _NAMED_BEFORE.search(sentence[: match.start()])
    if location is None and named_before and named_before.group(1) in MEETING_PLACES:
        location = named_before.group(1)  # "this London meeting", "the Geneva negotiations"
    around = sentence[max(0, match.start() - 80) : match.end() + 20]
    status = EventStatus.SCHEDULED if _FUTURE.search(around) else EventStatus.OCCURRED
    return EventFound(
        kind=kind,
        status=status,
        location=location,
        date=chosen.value if chosen else None,
        precision=chosen.precision if chosen else None,
        date_text=chosen.text if chosen and chosen.value else None,
        approval=bool(_APPROVAL.match(match.group(0))),
    )


def occurrences(
    sentence: str, published: date
) -> tuple[list[tuple[re.Match[str], EventFound]], list[tuple[int, int]]]:
    """The event mentions of a sentence (see the module docstring), by trigger, and the
    spans of every trigger word, those reporting no event included."""
    every = list(TRIGGER.finditer(sentence))
    triggers = [m for m in every if not _unreal(sentence, m)]
    dates = _bind(sentence, triggers, published)
    acts = [i for i, t in enumerate(triggers) if kind_of_trigger(t) not in GATHERINGS]
    found = []
    for index, match in enumerate(triggers):
        kind = kind_of_trigger(match)
        opening, closing = clause(sentence, match.start(), match.end())
        acting = [i for i in acts if opening <= triggers[i].start() < closing]
        setting = kind in GATHERINGS and acting and _SETTING.search(sentence[: match.start()])
        if setting and not _LOCATION.match(sentence, match.end()):
            if index in dates:
                dates.setdefault(acting[0], dates[index])
            continue
        found.append((match, index, kind))
    mentioned = [(m, _event(sentence, m, kind, dates.get(index))) for m, index, kind in found]
    return mentioned, [match.span() for match in every]
