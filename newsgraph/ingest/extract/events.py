"""Events: what happened or will, read sentence by sentence and merged across them.

Each event mention (`occurrences`) gets its participants (`participants`), then is
matched to the events known so far: in one sentence, mentions of one kind of thing are
one event unless a cause links them ("raise its tariffs ... in response to Washington's
decision to lift duties"); across sentences, a back-reference ("the decision", "that
call") or the same place, date or participants make a mention an event already known.
A mention with none of a date, a place or a participant tells no event apart and is
dropped. "after", "following", "in response to", "prompted by" and kin link a cause to
its effect within a sentence.
"""

from __future__ import annotations

import re
from datetime import date

from newsgraph.db.enums import ActorKind, DatePrecision, EventKind
from newsgraph.ingest.extract.mentions import Mention
from newsgraph.ingest.extract.occurrences import GATHERINGS, EventFound, occurrences
from newsgraph.ingest.extract.participants import nearest_triggers, take_part
from newsgraph.ingest.extract.triggers import (
    BACK_NOUN,
    BACK_REFERENCE,
    CAUSE,
    REVERSED_CAUSE,
    kinds_referred,
)

__all__ = ["EventFound", "EventTracker"]

_ACCOMPANYING = re.compile(r"^(?:Accompanying|Joining|Also attending)\b|\binclude[sd]?\b")
# Kinds a mention of one may turn out to be a mention of the other.
_GROUPS = [
    {EventKind.MEETING, EventKind.NEGOTIATION, EventKind.AGREEMENT},
    {EventKind.ANNOUNCEMENT, EventKind.POLICY},
    {EventKind.RULING, EventKind.POLICY},
    {EventKind.VOTE, EventKind.POLICY},
]


def _same_group(a: EventKind, b: EventKind) -> bool:
    return a == b or any(a in group and b in group for group in _GROUPS)


def _clash(a: EventFound, b: EventFound) -> bool:
    """Whether two mentions' dates contradict each other, at the coarser precision."""
    if a.date is None or b.date is None:
        return False
    coarse = {a.precision, b.precision}
    if DatePrecision.YEAR in coarse:
        return a.date.year != b.date.year
    if DatePrecision.MONTH in coarse:
        return (a.date.year, a.date.month) != (b.date.year, b.date.month)
    return a.date != b.date


def _caused(sentence: str, before: int, after: int) -> bool:
    return bool(
        CAUSE.search(sentence, before, after) or REVERSED_CAUSE.search(sentence, before, after)
    )


class EventTracker:
    """Collects the events of one article, sentence after sentence."""

    def __init__(self, published: date) -> None:
        self.published = published
        self.events: list[EventFound] = []

    def _match(self, mention: EventFound, back_reference: bool) -> EventFound | None:
        """The known event a new mention refers to, if any.

        A back-reference is the latest event of its kind that it does not contradict. Else
        a meeting, talks or a call is one known at the same place or with a participant in
        common (an agreement is the talks that reached it only at the same place); an
        undated vote is the vote known; other mentions are the event of their kind dated
        alike or sharing a participant. What will happen is never what did.
        """
        for event in reversed(self.events):
            if mention.location and event.location and mention.location != event.location:
                continue
            if _clash(mention, event) or not _same_group(event.kind, mention.kind):
                continue
            if back_reference:
                return event
            if mention.status is not event.status:
                continue
            same_place = mention.location is not None and mention.location == event.location
            shared = set(mention.participants) & set(event.participants)
            mixed = (
                EventKind.AGREEMENT in {event.kind, mention.kind} and event.kind is not mention.kind
            )
            if (mixed and not same_place) or (mention.location and not event.location):
                continue  # "a meeting in Washington" is not the placeless deal named before
            if mention.kind in GATHERINGS and (same_place or shared):
                return event
            if mention.kind is EventKind.VOTE and not (mention.date and event.date):
                return event
            if mention.date is not None and event.date is not None:
                return event
            if mention.kind is event.kind and shared:
                return event  # "the detention of Selim Kaya" ... "Kaya was detained on Wednesday"
        return None

    def read(self, sentence: str, mentions: list[Mention], speakers: set[int]) -> list[EventFound]:
        """The events a sentence mentions (new or known), in order of their triggers."""
        known_before = list(self.events)
        mentioned, triggers = occurrences(sentence, self.published)
        nearest = nearest_triggers(mentions, [match for match, _ in mentioned])
        found: list[tuple[int, EventFound]] = []
        for match, event in mentioned:
            take_part(event, sentence, match, mentions, speakers, nearest)
            back = bool(BACK_REFERENCE.search(sentence[: match.start()]))
            same_sentence = [
                known
                for position, known in found
                if _same_group(known.kind, event.kind)
                and (
                    EventKind.AGREEMENT not in {known.kind, event.kind} or known.kind is event.kind
                )
                and not _caused(sentence, position, match.start())
            ]
            known = same_sentence[0] if same_sentence else self._match(event, back)
            if known is None:
                if back and any(e.kind is event.kind and _clash(e, event) for e in self.events):
                    continue  # "the two-day meeting was called in April": not the meeting's date
                if not (event.date or event.location or event.participants):
                    continue
                self.events.append(event)
                known = event
            else:
                self._merge(known, event)
            if all(known is not other for _, other in found):
                found.append((match.start(), known))
        for match in BACK_NOUN.finditer(sentence):  # "the decision", "that call"
            if any(start <= match.start("noun") < end for start, end in triggers):
                continue
            kinds = kinds_referred(match)
            known = next((e for e in reversed(known_before) if e.kind in kinds), None)
            if known is not None and all(known is not other for _, other in found):
                found.append((match.start(), known))
        found.sort(key=lambda item: item[0])
        self._causes(sentence, found)
        if not found and self.events and _ACCOMPANYING.search(sentence):
            for mention in mentions:
                if mention.actor.kind is ActorKind.PERSON:
                    self.events[-1].add(mention.actor, "participant")
        return [event for _, event in found]

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
        if new.kind is EventKind.VOTE and known.approval:
            known.kind = EventKind.VOTE  # "approved ... The board voted 3-2": a vote
        known.location = known.location or new.location
        if known.date is None and new.date is not None:
            known.date, known.precision, known.date_text = new.date, new.precision, new.date_text
        for actor, role in new.participants.values():
            known.add(actor, role)

    @staticmethod
    def _causes(sentence: str, found: list[tuple[int, EventFound]]) -> None:
        """ "A after B": B caused A; "A prompted B": A caused B."""
        if len(found) < 2:
            return
        for pattern, reverse in ((CAUSE, False), (REVERSED_CAUSE, True)):
            cause = pattern.search(sentence)
            if cause is None:
                continue
            before = [e for position, e in found if position < cause.start()]
            after = [e for position, e in found if position > cause.start()]
            effects, causes = (after, before) if reverse else (before, after)
            for effect in effects:
                for origin in causes:
                    if origin is not effect and origin not in effect.caused_by:
                        effect.caused_by.append(origin)
            return
