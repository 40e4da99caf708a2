"""The default extractor: rules over sentences, deterministic and offline."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsgraph.db.enums import ActorKind, ClaimKind
from newsgraph.ingest.document import PartialDate
from newsgraph.ingest.extract.actors import find_actors
from newsgraph.ingest.extract.carryover import Carryover
from newsgraph.ingest.extract.claims import ClaimFound, claims_in
from newsgraph.ingest.extract.events import EventFound, EventTracker
from newsgraph.ingest.extract.mentions import MentionFinder
from newsgraph.ingest.extract.registry import ActorFound
from newsgraph.ingest.sentences import split_sentences
from newsgraph.ingest.structure import Structure

__all__ = ["RuleBasedExtractor"]


class RuleBasedExtractor:
    """Actors by pattern, then each sentence for claims and events, in reading order."""

    def extract(self, article: Structure, *, published: date) -> dict[str, Any]:
        """The document's actors, events and claims."""
        actors = find_actors("\n".join(article.paragraphs))
        mentions = MentionFinder(actors)
        tracker = EventTracker(published)
        claims: list[tuple[ClaimFound, EventFound | None]] = []
        for paragraph in article.paragraphs:
            carryover = Carryover()
            for sentence in split_sentences(paragraph):
                found = mentions.find(sentence)
                sentence_claims = carryover.read(sentence, claims_in(sentence, found))
                speakers = {id(c.claimant) for c in sentence_claims if c.claimant is not None}
                events = tracker.read(sentence, found, speakers)
                claims += [(claim, _event_of(claim, events, tracker)) for claim in sentence_claims]
                speaking = [c.claimant for c in sentence_claims if c.claimant is not None]
                if speaking:  # "he" or "it" in the next sentence is most likely who just spoke
                    mentions.last_subject = speaking[-1]
                    if speaking[-1].kind is ActorKind.PERSON:
                        mentions.last_person = speaking[-1]
        events = tracker.finish()
        names = _unique_titles(events)
        return {
            "actors": [_actor(a) for a in actors],
            "events": [_event(e, names) for e in events],
            "claims": [_claim(c, _title_of(e, events, names)) for c, e in claims],
        }


def _event_of(
    claim: ClaimFound, events: list[EventFound], tracker: EventTracker
) -> EventFound | None:
    """The event a claim concerns: the first its sentence reports; for what someone says
    in reaction (not a figure or a forecast), else the story's first event."""
    if events:
        return events[0]
    if claim.kind in {ClaimKind.STATISTIC, ClaimKind.PREDICTION} or not tracker.events:
        return None
    return tracker.events[0]


def _title_of(
    event: EventFound | None, events: list[EventFound], names: dict[int, str]
) -> str | None:
    """The title of the event a claim concerns (or of the one it was merged into)."""
    if event is None:
        return None
    if id(event) in names:
        return names[id(event)]
    twin = next(
        (
            e
            for e in events
            if e.kind is event.kind and set(e.participants) == set(event.participants)
        ),
        None,
    )
    return names[id(twin)] if twin else None


def _unique_titles(events: list[EventFound]) -> dict[int, str]:
    titles: dict[int, str] = {}
    seen: dict[str, int] = {}
    for event in events:
        title = event.title
        seen[title.casefold()] = seen.get(title.casefold(), 0) + 1
        count = seen[title.casefold()]
        titles[id(event)] = title if count == 1 else f"{title} ({count})"
    return titles


def _actor(actor: ActorFound) -> dict[str, Any]:
    return {
        "name": actor.name,
        "aliases": actor.aliases,
        "kind": actor.kind.value,
        "title": actor.title,
        "country": actor.country,
    }


def _event(event: EventFound, titles: dict[int, str]) -> dict[str, Any]:
    date_value = None
    if event.date is not None and event.precision is not None:
        date_value = str(PartialDate(value=event.date, precision=event.precision))
    return {
        "title": titles[id(event)],
        "kind": event.kind.value,
        "location": event.location,
        "date": date_value,
        "date_text": event.date_text,
        "status": event.status.value,
        "participants": [
            {"actor": a.name, "role": role} for a, role in event.participants.values()
        ],
        "caused_by": [titles[id(cause)] for cause in event.caused_by],
    }


def _claim(claim: ClaimFound, event_title: str | None) -> dict[str, Any]:
    return {
        "text": claim.text,
        "claimant": claim.claimant.name if claim.claimant else None,
        "kind": claim.kind.value,
        "about": [a.name for a in claim.about],
        "event": event_title,
    }
