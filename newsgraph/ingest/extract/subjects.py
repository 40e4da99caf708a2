"""Who does what a verb says: the actor a clause is about, found from the mentions before
the verb the way a reader finds it.

The subject is the last actor named before the verb, skipping an apposition or a
relative clause between them ("Senator Elena Marsh, the committee's ranking Democrat,
accused ..."), unless other words stand between it and the verb: in "the tariffs
announced by the White House" or "pressed Harlan after the president said", no one
named is the subject. A name in apposition is the subject itself ("Its chairwoman,
Ingrid Holm, said"); an organisation after "of" or "at" qualifies the person before it
("Nadia Petrova of Arcadia Research wrote"); "X's office" speaks for X. A participle or
a second verb ("..., saying", "but warned") shares the sentence's subject.
"""

from __future__ import annotations

import re

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.mentions import Mention, sentence_subject
from newsgraph.ingest.extract.registry import ActorFound

__all__ = ["SUBJECT_REACH", "subject_of", "subjects_of"]

# How far before its verb a subject may be named.
SUBJECT_REACH = 120
_TIME = r"(?:on|last|this|next|late|early)\s+\w+(?:\s+(?:morning|night|afternoon|evening))?"
# Who speaks for an actor named right before them: "Chen's office", "a CMS spokesperson".
_SPOKESPEOPLE = (
    r"(?:office|spokesperson|spokesman|spokeswoman|representative|officials?|statement|note|"
    r"report|campaign|team)"
)
# What may stand between a subject and its verb: "'s office", "(CMA)", ", who", adverbs,
# auxiliaries, a time ("on Tuesday"), a channel ("in a statement", "on social media").
_GAP = re.compile(
    rf"(?:'s?\s+{_SPOKESPEOPLE}|\s+{_SPOKESPEOPLE}|\s+\((?:[A-Z][\w&+]*)\)|,\s+(?:who|which))?"
    r"(?:\s*,?\s+(?:[a-z]+ly|also|has|have|had|would|will|could|did|does|do|is|was|were|not|"
    r"again|then|now|still|later|separately|previously|once|already|first|jointly|begun|"
    r"started|decided\s+to|agreed\s+to|been|"
    rf"{_TIME}|earlier(?:\s+this\s+\w+)?|on\s+social\s+media|in\s+a\s+\w+(?:\s+\w+)?|"
    r"in\s+its\s+(?:\w+\s+){0,3}\w+))*\s*"
)
_QUALIFIER = re.compile(r"\s+(?:of|at)\s+(?:the\s+)?")
_CONJUNCT = re.compile(r"(?:,\s+|\s+)(?:and|but)\s+(?:also\s+)?$")
_PARTICIPLE = re.compile(r",\s+(?:also\s+)?$")
_JOINED = re.compile(r",?\s+(?:and|or)\s+")


def subjects_of(sentence: str, mentions: list[Mention], position: int) -> list[ActorFound]:
    """The subject of the verb at `position`, and those joined to it by "and" ("Novo
    Nordisk and Eli Lilly ... did not respond")."""
    subject = subject_of(sentence, mentions, position)
    if subject is None:
        return []
    found = [subject]
    index = max(
        (i for i, m in enumerate(mentions) if m.actor is subject and m.end <= position), default=-1
    )
    while index > 0 and _JOINED.fullmatch(sentence, mentions[index - 1].end, mentions[index].start):
        index -= 1
        found.insert(0, mentions[index].actor)
    return list(dict.fromkeys(found))


def _appositive(
    sentence: str, mentions: list[Mention], position: int
) -> tuple[int, ActorFound | None]:
    """Step back over up to two commas' worth of apposition or relative clause before the
    verb ("Senator Elena Marsh, the committee's ranking Democrat, accused"); a person's
    name alone between the commas is the subject ("Its chairwoman, Ingrid Holm, said")."""
    cut = position
    for _ in range(2):
        head = sentence[:cut].rstrip()
        opening = head.rfind(",", 0, len(head) - 1)
        if not head.endswith(",") or opening < 0:
            break
        segment = head[opening + 1 : -1].strip()
        for mention in mentions:
            named = sentence[mention.start : mention.end]
            if (
                mention.start > opening
                and mention.actor.kind is ActorKind.PERSON
                and segment == named
            ):
                return cut, mention.actor
        cut = opening
    return cut, None


def subject_of(sentence: str, mentions: list[Mention], position: int) -> ActorFound | None:
    """The subject of the verb at `position` (see the module docstring)."""
    cut, named = _appositive(sentence, mentions, position)
    if named is not None:
        return named
    before = [m for m in mentions if m.end <= cut and cut - m.end <= SUBJECT_REACH]
    if before:
        candidate = before[-1]
        qualified = len(before) > 1 and before[-2].actor.kind is ActorKind.PERSON
        if qualified and _QUALIFIER.fullmatch(sentence, before[-2].end, candidate.start):
            candidate = before[-2]  # "Nadia Petrova of Arcadia Research wrote"
        if _GAP.fullmatch(sentence, candidate.end, cut):
            return candidate.actor
    head = sentence[:position]
    participle = sentence[position:].split(" ", 1)[0].endswith("ing")
    if _CONJUNCT.search(head) or (participle and _PARTICIPLE.search(head)):
        return sentence_subject(sentence, mentions)  # "..., saying", "... but warned"
    return None
