"""Claims: who asserted what, sentence by sentence.

A sentence holds a claim when someone in it says, reports, writes, accuses, promises,
denies, forecasts or declines to comment (one claim per speaker), when it reports a
figure, or when it ventures a prediction. The speaker is the subject of the verb (see
`subjects`), the actor after "according to" or "quoted", or the one after the verb in
'"...," said Andreas Schwab'. Verbs inside what the speaker says ("Harlan said the Fed
expected ...") are not a second claim, unless a new clause gives another speaker
("..., a charge Kerr rejected", "..., while the commission declined to comment"). A
figure or a prediction no one is said to have made is the publisher's (claimant null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsgraph.db.enums import ActorKind, ClaimKind
from newsgraph.ingest.extract.lexicon import alternation
from newsgraph.ingest.extract.mentions import Mention
from newsgraph.ingest.extract.registry import ActorFound
from newsgraph.ingest.extract.subjects import subjects_of

__all__ = ["VERB", "ClaimFound", "claims_in"]

_VERBS: list[tuple[ClaimKind, list[str], list[str]]] = [
    (ClaimKind.NO_COMMENT, ["could not be reached", "has yet to comment", "has yet to respond"], [
        r"declined to (?:comment|say|answer|discuss|elaborate|give|provide|confirm|specify|"
        r"disclose)",
        r"did not (?:immediately )?(?:respond|comment|return|reply|specify|elaborate|explain|"
        r"answer)",
        r"(?:has|have|had) not (?:yet )?(?:commented|responded|replied)",
        r"(?:would not|refused to) (?:comment|say|answer|discuss|elaborate)",
    ]),
    (ClaimKind.ACCUSATION, ["accused", "accuses", "accusing", "blamed", "blames", "blaming",
     "criticized", "criticised", "criticizes", "criticises", "criticizing", "criticising",
     "condemned", "condemns"], []),
    (ClaimKind.PROMISE, ["promised", "promises", "pledged", "pledges", "vowed", "vows",
     "committed to", "would appeal", "will appeal"], []),
    (ClaimKind.DENIAL, ["denied", "denies"], [
        r"rejected(?= (?:the|that|those|these|any|such|his|her|its) (?:claims?|reports?|"
        r"allegations?|accusations?|criticism|characteri[sz]ation|charges?|comparison|"
        r"suggestions?)\b)",
        r"rejected(?=[.,;])",
        r"dismissed(?= (?:the |any )?(?:claims?|reports?|allegations?|suggestions?|criticism|"
        r"concerns)\b)",
    ]),
    (ClaimKind.PREDICTION, ["predicted", "predicts", "forecast", "forecasts", "forecasted",
     "expect", "expects", "expected", "estimated", "projected", "anticipate", "anticipates",
     "see", "sees"], [
        r"(?:cut|raised|lowered|kept|maintained|revised|nudged up) (?:its|their) (?:[\w-]+ ){0,3}?"
        r"(?:forecasts?|outlook|estimates?|projections?)",
    ]),
    (ClaimKind.STATEMENT, ["said", "says", "saying", "stated", "told", "tells", "wrote",
     "writes", "posted", "added", "adding", "noted", "announced", "hinted", "argued",
     "arguing", "explained", "insisted", "claimed", "confirmed", "warned", "warning", "urged",
     "urging", "called for", "called on", "called", "stressed", "emphasized", "emphasised",
     "according to", "expressed", "welcomed", "reported", "showed", "quoted", "thanked",
     "acknowledged", "citing", "replied", "responded", "countered", "maintained", "praised",
     "agreed that"], []),
]  # fmt: skip
_KIND_OF_VERB = {verb: kind for kind, verbs, _ in _VERBS for verb in verbs}
VERB = re.compile(
    rf"\b(?:(?P<verb>{alternation(list(_KIND_OF_VERB))})"
    + "".join(
        rf"|(?P<{kind.value}>{'|'.join(patterns)})" for kind, _, patterns in _VERBS if patterns
    )
    + r")\b"
)


def _kind_of(match: re.Match[str]) -> ClaimKind:
    verb = match.group("verb")
    if verb is not None:
        return _KIND_OF_VERB[verb]
    return ClaimKind(next(name for name, value in match.groupdict().items() if value))


STATISTIC = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?%|\b\d[\d,.]*\s?(?:percent|per cent|billion|million|"
    r"trillion|basis points|megahertz|barrels|tonnes|votes|seats)\b|\b\d{1,3}(?:,\d{3})+\b|"
    r"\bvoted \d+(?: to |-)\d+\b|\b\d+-\d+ (?:vote|majority)\b"
)
_DIGIT = re.compile(r"\d")
PREDICTION = re.compile(
    r"\b(?:might|is expected to|are expected to|is likely to|are likely to|will likely|"
    r"will depend|is poised to|is set to)\b"
)
PROTEST = re.compile(r"\b(?:protests?|criticism|condemnation|complaints?) from\b")
_NOT_A_VERB = re.compile(r"(?:\b(?:its|their|his|her|the|a|an|is|are|was|were|be|been|as)\s+)$")
_PASSIVE_AFTER = re.compile(r"\s+by\b")
# What starts a new clause with a speaker of its own inside a sentence.
_NEW_CLAUSE = re.compile(
    r",\s+while\s|;\s|,\s+but\s|,\s+whereas\s|,\s+a\s+(?:charge|claim|view|step)\s"
)
# A sentence opening on a subordinate clause: the comma after it starts the main one.
_SUBORDINATE = re.compile(
    r"^(?:Although|Though|While|Whereas|After|Before|When|As|Because|Since|If)\b"
)
_QUOTE_ENDED = re.compile(r"[\",]\s*$")
_INVERTED = {"said", "says", "wrote", "added", "told", "noted"}


@dataclass
class ClaimFound:
    """A claim: its sentence, kind, claimant (None: the publisher) and the actors it is about."""

    text: str
    kind: ClaimKind
    claimant: ActorFound | None
    about: list[ActorFound] = field(default_factory=list)


def _claimants(sentence: str, mentions: list[Mention], match: re.Match[str]) -> list[ActorFound]:
    verb = match.group(0)
    after = [m for m in mentions if m.start >= match.end()]
    if verb in {"according to", "quoted"}:
        return [after[0].actor] if after and after[0].start - match.end() <= 50 else []
    before = sentence[: match.start()]
    if after and verb in _INVERTED and '"' in before and _QUOTE_ENDED.search(before):
        people = [
            m for m in after if m.actor.kind is ActorKind.PERSON and m.start - match.end() <= 60
        ]
        first = after[0]
        if first.start - match.end() <= 2:  # '"...," said Andreas Schwab'
            possessive = sentence.startswith("'s", first.end)  # "said ING's economist Anna Visser"
            return [people[0].actor if possessive and people else first.actor]
    return subjects_of(sentence, mentions, match.start())


def _reported(sentence: str, reported_from: int | None, position: int) -> bool:
    """Whether a verb at `position` stands in what the first speaker says, rather than in
    a clause of its own ("..., while X declined to comment"; "Although X promised ...,
    Y accused ...")."""
    if reported_from is None or _NEW_CLAUSE.search(sentence, reported_from, position):
        return False
    return not (_SUBORDINATE.match(sentence) and "," in sentence[reported_from:position])


def claims_in(sentence: str, mentions: list[Mention]) -> list[ClaimFound]:
    """The claims one sentence makes (see the module docstring)."""
    found: dict[tuple[int | None, ClaimKind], ClaimFound] = {}
    has_quote = sentence.count('"') >= 2
    has_figure = _DIGIT.search(sentence) is not None and STATISTIC.search(sentence) is not None
    reported_from: int | None = None  # where the first speaker's words begin
    verbs = list(VERB.finditer(sentence))
    for match in verbs:
        if _NOT_A_VERB.search(sentence, 0, match.start()) or _PASSIVE_AFTER.match(
            sentence, match.end()
        ):
            continue  # "its forecast", "announced by the White House"
        if _reported(sentence, reported_from, match.start()):
            continue
        claimants = _claimants(sentence, mentions, match)
        if not claimants:
            continue
        reported_from = match.end()
        kind = _kind_of(match)
        if kind is ClaimKind.STATEMENT and has_quote:
            kind = ClaimKind.QUOTE
        elif kind is ClaimKind.STATEMENT and has_figure:
            kind = ClaimKind.STATISTIC
        for claimant in claimants:
            if not any(speaker == id(claimant) for speaker, _ in found):  # one claim per speaker
                found[(id(claimant), kind)] = ClaimFound(sentence, kind, claimant)
    for match in PROTEST.finditer(sentence):
        after = [m for m in mentions if m.start >= match.end()]
        if after and not any(s == id(after[0].actor) for s, _ in found):
            found[(id(after[0].actor), ClaimKind.ACCUSATION)] = ClaimFound(
                sentence, ClaimKind.ACCUSATION, after[0].actor
            )
    if not found and has_figure:
        found[(None, ClaimKind.STATISTIC)] = ClaimFound(sentence, ClaimKind.STATISTIC, None)
    if not found and PREDICTION.search(sentence):
        found[(None, ClaimKind.PREDICTION)] = ClaimFound(sentence, ClaimKind.PREDICTION, None)
    claims = list(found.values())
    forecast = any(_kind_of(m) is ClaimKind.PREDICTION for m in verbs)
    for claim in claims:
        if forecast and claim.kind in {ClaimKind.STATEMENT, ClaimKind.STATISTIC}:
            claim.kind = ClaimKind.PREDICTION  # "said it expected inflation to peak"
        claim.about = list(
            dict.fromkeys(m.actor for m in mentions if m.actor is not claim.claimant)
        )
    return claims
