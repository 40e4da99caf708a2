"""The words that report an event, by kind, and the words that link two events.

A trigger is a verb ("ruled", "upheld", "kept its cash rate", "walked off the job") or
a noun ("talks", "the hearing", "a settlement"). A noun that only points back ("the
decision", "the vote", "the deal") names an event already reported, never a new one.
"""

from __future__ import annotations

import re

from newsgraph.db.enums import EventKind
from newsgraph.ingest.extract.lexicon import alternation

__all__ = [
    "BACK_NOUN",
    "BACK_REFERENCE",
    "CAUSE",
    "REVERSED_CAUSE",
    "TRIGGER",
    "kind_of_trigger",
    "kinds_referred",
]

_RATE = r"(?:its |the |their )?(?:[\w-]+ ){0,3}(?:rates?|production|output)"
_SOME = r"(?:[\w-]+ ){0,3}"
# Per kind: literal phrases (matched through one factored pattern) and a few patterns.
_TRIGGERS: list[tuple[EventKind, list[str], list[str]]] = [
    (EventKind.CALL, ["phone call", "telephone call", "video call", "conference call",
     "phone conversation", "telephone conversation", "video conversation", "call with",
     "spoke by phone"], []),
    (EventKind.NEGOTIATION, ["talks", "negotiation", "negotiations", "negotiating chapters"], []),
    (EventKind.MEETING, ["meeting", "summit", "meet with", "met with", "will meet",
     "hearing", "debate", "news conference", "press conference", "news briefing", "rally",
     "annual meetings", "markets day", "received", "testimony", "will appear before",
     "convene", "convened"], []),
    (EventKind.AGREEMENT, ["agreement", "deal", "truce", "accord", "treaty", "settlement",
     "signed", "to settle", "agreed in", "agreed with"], [r"agreed(?=\b[^.,;]{0,60}? to\b)"]),
    (EventKind.VOTE, ["voted", "vote on", "referendum", "election", "runoff", "votes in favour",
     "vote in favour"], []),
    (EventKind.RULING, ["ruled", "ruling", "verdict", "upheld", "struck down", "convicted",
     "sentenced", "sentencing", "fined", "blocked", "judgment", "overturned",
     "rejected a challenge", "rejected a legal challenge", "ordered the", "warning in",
     "warning from"], [r"found [^.]{0,100}? guilty"]),
    (EventKind.POLICY, ["impose", "imposed", "imposing", "revoke", "revoked", "revoking",
     "banned", "approved", "approve", "approves", "adopted", "to pause", "surcharge",
     "executive order", "package of sanctions", "sanctions package", "will propose",
     "would propose", "to propose", "take effect", "takes effect", "took effect",
     "come into force", "comes into force"],
     [rf"(?:kept|left|held|cut|raised|lowered|hiked|lift) {_RATE}",
      r"(?:raise|raised|lift|lifted|doubled|increased|cut|lowered) (?:its |their )?"
      r"(?:duties|tariffs|levies)"]),
    (EventKind.ANNOUNCEMENT, ["announced", "announcement", "unveiled", "in a report"],
     [rf"(?:published|released) (?:its |a |the )?{_SOME}(?:report|outlook|statement|results)",
      rf"(?:reported|posted) (?:a |its )?{_SOME}(?:results|profit|loss|earnings)",
      rf"(?:cut|raised|lowered) its {_SOME}(?:profit|earnings|revenue|sales|margin) "
      r"(?:forecast|outlook|guidance)",
      rf"[Ii]n its {_SOME}(?:[Rr]eport|[Oo]utlook)",
      r"(?:quarterly|annual|half-year|(?:first|second|third|fourth|full)[- ](?:quarter|year)) "
      r"(?:[\w-]+ ){0,2}(?:profit|results|earnings|revenue|sales|loss)"]),
    (EventKind.OTHER, ["strike", "walked off the job", "detained", "detention", "arrested",
     "resigned", "sued", "lawsuit", "filed a complaint", "filed a new complaint",
     "filed complaint", "went bankrupt", "bankruptcy", "sworn in", "conceded defeat",
     "investigation", "pleaded guilty", "launched", "gathered", "auction",
     "vetoed", "exercise", "exercises", "drills"], []),
]  # fmt: skip
_KIND_OF_PHRASE = {phrase: kind for kind, phrases, _ in _TRIGGERS for phrase in phrases}
# One factored pattern for every literal phrase, then the few patterns, each a named group.
TRIGGER = re.compile(
    rf"\b(?:(?P<phrase>{alternation(list(_KIND_OF_PHRASE))})"
    + "".join(
        rf"|(?P<{kind.value}>{'|'.join(patterns)})" for kind, _, patterns in _TRIGGERS if patterns
    )
    + r")\b"
)
BACK_REFERENCE = re.compile(
    r"\b(?:[Tt]his|[Tt]hat|[Tt]he|[Tt]hese|[Tt]hose|[Ii]ts|[Tt]heir)\s+"
    r"(?:[A-Z][a-z]+\s+|new\s+|latest\s+|recent\s+)?$"
)
# Nouns that only point back to an event reported before, with the kinds they can name.
_BACK_NOUNS: dict[str, set[EventKind]] = {
    "call": {EventKind.CALL},
    "decision": {EventKind.RULING, EventKind.POLICY, EventKind.VOTE, EventKind.ANNOUNCEMENT},
    "move": {EventKind.POLICY, EventKind.RULING, EventKind.ANNOUNCEMENT, EventKind.OTHER},
    "approval": {EventKind.POLICY, EventKind.RULING, EventKind.VOTE},
    "cut": {EventKind.POLICY}, "hike": {EventKind.POLICY}, "increase": {EventKind.POLICY},
    "plan": {EventKind.POLICY, EventKind.VOTE}, "package": {EventKind.POLICY},
    "merger": {EventKind.AGREEMENT}, "acquisition": {EventKind.AGREEMENT},
    "purchase": {EventKind.AGREEMENT}, "deal": {EventKind.AGREEMENT},
    "judgment": {EventKind.RULING}, "ruling": {EventKind.RULING}, "verdict": {EventKind.RULING},
    "vote": {EventKind.VOTE}, "result": {EventKind.VOTE, EventKind.ANNOUNCEMENT},
    "report": {EventKind.ANNOUNCEMENT}, "forecast": {EventKind.ANNOUNCEMENT},
    "announcement": {EventKind.ANNOUNCEMENT, EventKind.POLICY},
    "strike": {EventKind.OTHER}, "detention": {EventKind.OTHER},
    "talks": {EventKind.NEGOTIATION, EventKind.MEETING},
    "meeting": {EventKind.MEETING, EventKind.NEGOTIATION},
    "hearing": {EventKind.MEETING}, "debate": {EventKind.MEETING}, "summit": {EventKind.MEETING},
}  # fmt: skip
BACK_NOUN = re.compile(
    r"\b(?:[Tt]his|[Tt]hat|[Tt]he|[Tt]hese|[Tt]hose)\s+(?:[\w-]+\s+)?"
    rf"(?P<noun>{'|'.join(_BACK_NOUNS)})\b(?!\s+(?:of|to|for|on)\b)"
)
# "A after B": B caused A.  "A prompted B": A caused B.
CAUSE = re.compile(
    r"\b(?:a direct result of|result of|after|following|follows|followed|because of|"
    r"prompted (?:\w+ )?by|in response to|in retaliation for|blaming|triggered by|"
    r"came after)\b"
)
REVERSED_CAUSE = re.compile(r"\b(?:prompted|led to|triggered|forcing)\b(?! (?:\w+ )?by)")


def kinds_referred(match: re.Match[str]) -> set[EventKind]:
    """The kinds of event a back-pointing noun ("that call", "the decision") can name."""
    return _BACK_NOUNS[match.group("noun")]


def kind_of_trigger(match: re.Match[str]) -> EventKind:
    """The kind of event a trigger match reports."""
    phrase = match.group("phrase")
    if phrase is not None:
        return _KIND_OF_PHRASE[phrase]
    return EventKind(next(name for name, value in match.groupdict().items() if value))
