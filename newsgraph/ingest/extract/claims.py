"""Claims: who asserted what, sentence by sentence.

A sentence holds a claim when someone in it says, writes, accuses, promises, denies or
declines to comment (one claim per speaker and kind of speech act), when it reports a
figure, or when it ventures a prediction. The speaker is the actor named last before the
verb (a pronoun counts as the last person named); a figure or a prediction nobody is
said to have made is the publisher's own (claimant null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsgraph.db.enums import ActorKind, ClaimKind
from newsgraph.ingest.extract.actors import ActorFound
from newsgraph.ingest.extract.mentions import Mention

__all__ = ["ClaimFound", "claims_in"]

_VERBS: list[tuple[ClaimKind, str]] = [
    (
        ClaimKind.NO_COMMENT,
        r"declined to comment|did not (?:immediately )?(?:respond|comment|specify|elaborate|"
        r"explain)|(?:has|have) not (?:yet )?(?:commented|responded)|would not comment|"
        r"refused to comment|could not be reached|has yet to (?:comment|respond)",
    ),
    (
        ClaimKind.ACCUSATION,
        r"accus(?:ed|es|ing)|blam(?:ed|es)|critici[sz](?:ed|es)|condemn(?:ed|s)",
    ),
    (
        ClaimKind.PROMISE,
        r"promis(?:ed|es)|pledg(?:ed|es)|vow(?:ed|s)|committed to|would appeal|will appeal",
    ),
    (
        ClaimKind.DENIAL,
        r"den(?:ied|ies)|rejected (?:the |those |these )?(?:claims?|reports?|allegations?|"
        r"accusations?)|dismissed (?:the )?(?:claims?|reports?|allegations?)",
    ),
    (ClaimKind.PREDICTION, r"predict(?:ed|s)|forecast(?:s|ed)?|expects?|expected that"),
    (ClaimKind.STATEMENT, r"said|says|saying|stated|states|told|wrote|writes|posted|added|noted|"
     r"announced|hinted|argued|explained|insisted|claimed|confirmed|warned|urged|called for|"
     r"stressed|emphasi[sz]ed|according to|expressed|welcomed"),
]  # fmt: skip
VERB = re.compile("|".join(rf"(?P<{kind.value}>\b(?:{pattern})\b)" for kind, pattern in _VERBS))
STATISTIC = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?%|\b\d[\d,.]*\s?(?:percent|per cent|billion|million|"
    r"trillion)\b|\b\d{1,3}(?:,\d{3})+\b|\bvoted \d+ to \d+\b"
)
PREDICTION = re.compile(
    r"\b(?:might|is expected to|are expected to|is likely to|are likely to|will likely|"
    r"will depend|is poised to|is set to)\b"
)
PROTEST = re.compile(r"\b(?:protests?|criticism|condemnation|complaints?) from\b")
UNNAMED = re.compile(
    r"\b(?:a|an|the)\s+(?:spokesperson|spokesman|spokeswoman|official|representative)\s+"
    r"(?:for|of|at|from)\s+(?:the\s+)?(?P<body>[A-Za-z]+(?:\s+[A-Za-z]+)?)"
)
# How far before its verb a speaker may be named.
SUBJECT_REACH = 90


@dataclass
class ClaimFound:
    """A claim: its sentence, kind, claimant (None: the publisher) and the actors it is about."""

    text: str
    kind: ClaimKind
    claimant: ActorFound | None
    about: list[ActorFound] = field(default_factory=list)


def _subject(
    sentence: str, mentions: list[Mention], position: int, actors: list[ActorFound]
) -> ActorFound | None:
    window = [m for m in mentions if m.end <= position and position - m.end <= SUBJECT_REACH]
    unnamed = None
    for match in UNNAMED.finditer(sentence, 0, position):
        words = match.group("body").lower().split()
        unnamed = next(
            (a for a in actors if a.kind is not ActorKind.PERSON and words[-1] in a.name.lower()),
            None,
        )
    if unnamed is not None:
        return unnamed
    return window[-1].actor if window else None


def claims_in(sentence: str, mentions: list[Mention], actors: list[ActorFound]) -> list[ClaimFound]:
    """The claims one sentence makes (see the module docstring)."""
    found: dict[tuple[int | None, ClaimKind], ClaimFound] = {}
    has_quote = sentence.count('"') >= 2
    has_figure = STATISTIC.search(sentence) is not None
    for match in VERB.finditer(sentence):
        kind = ClaimKind(next(name for name, value in match.groupdict().items() if value))
        if match.group(0) == "according to":
            after = [m for m in mentions if m.start >= match.end()]
            claimant = after[0].actor if after else None
        else:
            right_after = [m for m in mentions if 0 <= m.start - match.end() <= 2]
            claimant = (
                right_after[0].actor  # '"...," said Andreas Schwab'
                if right_after and match.group(0) in {"said", "says", "wrote", "added"}
                else _subject(sentence, mentions, match.start(), actors)
            )
        if claimant is None:
            continue
        if kind is ClaimKind.STATEMENT and has_quote:
            kind = ClaimKind.QUOTE
        elif kind is ClaimKind.STATEMENT and has_figure:
            kind = ClaimKind.STATISTIC
        plain = kind in {ClaimKind.STATEMENT, ClaimKind.QUOTE, ClaimKind.STATISTIC}
        if plain and any(speaker == id(claimant) for speaker, _ in found):
            continue  # one plain claim per speaker and sentence
        found.setdefault((id(claimant), kind), ClaimFound(sentence, kind, claimant))
    for match in PROTEST.finditer(sentence):
        after = [m for m in mentions if m.start >= match.end()]
        if after:
            protester = after[0].actor
            claim = ClaimFound(sentence, ClaimKind.ACCUSATION, protester)
            found.setdefault((id(protester), ClaimKind.ACCUSATION), claim)
    if not found and has_figure:
        found[(None, ClaimKind.STATISTIC)] = ClaimFound(sentence, ClaimKind.STATISTIC, None)
    if not found and PREDICTION.search(sentence):
        found[(None, ClaimKind.PREDICTION)] = ClaimFound(sentence, ClaimKind.PREDICTION, None)
    claims = list(found.values())
    for claim in claims:
        claim.about = list(
            dict.fromkeys(m.actor for m in mentions if m.actor is not claim.claimant)
        )
    return claims
