"""Who takes part in an event a sentence mentions.

An act (a decision, a ruling, an announcement, a vote) is led by the subject of its
trigger, else by the owner in "Washington's decision", else by the agent in "was brought
by the League"; "the detention of Selim Kaya" adds Kaya, and a ruling the parties named
right after it ("blocked the merger of Harbour Materials and Medway Aggregates").
A meeting, talks or an agreement takes everyone named in its clause who is nearer to it
than to another trigger, except what only the talks are about ("sanctions against
Russia") and who merely speaks of it, unless they told the meeting itself ("Colletti told
members at a rally").
"""

from __future__ import annotations

import re

from newsgraph.db.enums import ActorKind, EventKind
from newsgraph.ingest.extract.mentions import Mention
from newsgraph.ingest.extract.occurrences import GATHERINGS, EventFound, clause
from newsgraph.ingest.extract.subjects import subject_of

__all__ = ["nearest_triggers", "take_part"]

_LEAD = re.compile(r"\b(?:will lead|led|leads|leading|headed|hosted|will host|chaired)\b")
_TOLD_AT = re.compile(r"\b(?:told|addressed|at)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}$")
_OWNER = re.compile(r"'s\s+(?:[\w-]+\s+){0,5}")
_OF_WHOM = re.compile(r"\s+of\s+(?:the\s+)?")
_AGENT = re.compile(r"\bby\s+(?:the\s+)?")
_NOT_TAKING_PART = re.compile(r"\b(?:against|over|about|on|for|from|of|to)\s+(?:the\s+)?$")


def nearest_triggers(
    mentions: list[Mention], triggers: list[re.Match[str]]
) -> dict[int, re.Match[str]]:
    """For each mention (by id), the trigger it stands nearest to."""
    if not triggers:
        return {}
    return {
        id(m): min(triggers, key=lambda t: min(abs(m.start - t.end()), abs(t.start() - m.end)))
        for m in mentions
    }


def _act(event: EventFound, sentence: str, match: re.Match[str], mentions: list[Mention]) -> None:
    subject = subject_of(sentence, mentions, match.start())
    owners = [
        m
        for m in mentions
        if m.end <= match.start() and _OWNER.fullmatch(sentence, m.end, match.start())
    ]
    lead = subject or (owners[-1].actor if owners else None)
    if lead is not None:
        event.add(lead, "lead")
    of_whom = _OF_WHOM.match(sentence, match.end())
    for mention in mentions:
        if of_whom and mention.start == of_whom.end():  # "the detention of Selim Kaya"
            event.add(mention.actor, "participant")
    for agent in _AGENT.finditer(sentence, match.end(), min(len(sentence), match.end() + 60)):
        for mention in [m for m in mentions if m.start == agent.end()]:  # "brought by the League"
            event.add(mention.actor, "lead" if lead is None else "participant")
    if event.kind is EventKind.RULING:
        for mention in mentions:
            if 0 <= mention.start - match.end() <= 80 and mention.actor is not lead:
                event.add(mention.actor, "party")


def take_part(
    event: EventFound,
    sentence: str,
    match: re.Match[str],
    mentions: list[Mention],
    speakers: set[int],
    nearest: dict[int, re.Match[str]],
) -> None:
    """Add to `event` the actors of `sentence` that take part in it (see the docstring)."""
    if event.kind not in GATHERINGS:
        _act(event, sentence, match, mentions)
        return
    told_at = bool(_TOLD_AT.search(sentence[max(0, match.start() - 40) : match.start()]))
    opening, closing = clause(sentence, match.start(), match.end())
    for mention in mentions:
        speaker = id(mention.actor) in speakers
        if nearest.get(id(mention), match) is not match:
            continue  # nearer another trigger: "talks after a phone call with Xi"
        if not (opening <= mention.start < closing or (told_at and speaker)):
            continue
        if _NOT_TAKING_PART.search(sentence[max(0, mention.start - 15) : mention.start]):
            continue  # "sanctions against Russia", "talks on Ukraine"
        if (
            speaker
            and mention.end <= match.start()
            and event.kind is not EventKind.CALL
            and not told_at
        ):
            continue  # "X said the talks ..." does not put X at the talks
        lead = _LEAD.search(sentence, mention.end, min(len(sentence), mention.end + 12))
        role = "lead" if lead else "participant"
        if event.kind is EventKind.AGREEMENT and mention.actor.kind is not ActorKind.PERSON:
            role = "party"
        event.add(mention.actor, role)
