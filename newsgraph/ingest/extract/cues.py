"""Organisations known only by what is said of them, when nothing in their name says
what they are: a word that describes them ("drugmaker Corvan", "statistics office
Eurostat", "the Kyodo news agency"), what only organisations do or have ("analysts at
UBS", "Altavia shares", "Biogen, whose ...", "Helixa's founder", "Goldman Sachs cut its
forecast", "SES, the Luxembourg-based satellite operator"), speaking alone ("Maersk
said", "The Liberal Democrats said"), a party ("the opposition Law and Justice party"),
a country's ministry named in lower case ("India's foreign ministry") and their place
in a person's title ("Westpac chief economist").
"""

from __future__ import annotations

import re

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import (
    INSTITUTION_COUNTRIES,
    ORGANIZATION_DESCRIPTORS,
    TITLE_MODIFIERS,
    alternation,
)
from newsgraph.ingest.extract.organisations import HEAD, OWNER_BEFORE, PLACES, add
from newsgraph.ingest.extract.people import SPEECH, TITLED, role_owner, titled
from newsgraph.ingest.extract.places import COUNTRY_FORMS, DEMONYMS
from newsgraph.ingest.extract.registry import Registry
from newsgraph.ingest.extract.shapes import CAP_WORD, PROPER_PHRASE

__all__ = ["find"]

_PARTY = re.compile(rf"\b(?P<name>{CAP_WORD}(?: (?:and )?{CAP_WORD}){{0,3}}) party\b")
_LOWER_MINISTRY = re.compile(
    rf"\b(?:(?P<owner>{PROPER_PHRASE})'s|(?P<demonym>{alternation(list(DEMONYMS))})) "
    r"(?P<what>(?:[a-z]+ ){1,2}(?:ministry|department|regulator|office))\b(?! [A-Z])"
)
_LOWER_BODIES = (" ministry", " department", " regulator", " office")
_DESCRIBED = re.compile(
    rf"\b(?P<what>{alternation(ORGANIZATION_DESCRIPTORS)})s?,? (?P<name>{PROPER_PHRASE})"
    rf"(?: and (?P<second>{PROPER_PHRASE}))?"
)
_DESCRIBED_AFTER = re.compile(
    rf"\bthe (?P<name>{PROPER_PHRASE}) (?:news agency|broadcaster|news service|think tank|"
    r"trade group|lobby group)\b"
)
# Named after a word that only organisations follow.
_AFTER_CUE = re.compile(
    r"\b(?:[Aa]nalysts?|[Ee]conomists?|[Ss]trategists?|[Rr]esearchers?|[Ee]xecutives?|"
    rf"[Ee]xperts?|[Bb]ankers?) (?:at|from|with) (?P<at>{PROPER_PHRASE})"
    rf"|\b[Ss]hares (?:in|of) (?P<of>{PROPER_PHRASE})"
    rf"|\baccording to (?P<source>{PROPER_PHRASE})(?:'s)? (?:data|figures|calculations|"
    r"estimates|survey|poll|tool|report)"
    rf"|(?=[A-Z])(?:^|(?<=[a-z0-9\"')][.;:] )|(?<=\n))(?P<its>{PROPER_PHRASE})"
    r" (?:[a-z]+ ){1,2}its\b"
)
# Named before what only follows organisations.
_BEFORE_CUE = re.compile(
    r"(?:'s?)? shares\b|, (?:which|whose)\b|'s (?:(?:former|new|top) )?(?:founder|"
    r"chief executive|chief economist|chairman|chairwoman|board|shares|parent|"
    r"(?:[a-z]+ ){0,2}economist)\b"
    r"|, (?:the|a|an) (?:(?P<city>[A-Z]\w*(?: [A-Z]\w*)?)-based )?(?:[\w'-]+ ){0,4}"
    r"(?P<what>operator|company|group|firm|bank|lender|maker|carrier|airline|association|body|agency|"
    r"broadcaster|charity|union|organisation|organization|exchange)\b"
)
_NAME_WORD = re.compile(rf"^(?:{CAP_WORD}|&)$")
_DEMONYM_BEFORE = re.compile(rf"(?:^|(?<= ))(?P<demonym>{alternation(list(DEMONYMS))}) $")
# A speaker standing alone at the start of a clause: "Maersk said", "The Conservatives,
# who ..., said", "Friends of the Earth called".
_SPEAKER = re.compile(
    rf"(?=[A-Z])(?:^|(?<=[a-z0-9\"')][.;:!?] )|(?<=\n))(?P<the>The )?(?P<name>{CAP_WORD}"
    rf"(?: (?:of the |of |and )?{CAP_WORD}){{0,3}})(?:, (?:the|a|an|who|which) [^,]{{3,120}},)?"
    rf" (?:also )?(?:{SPEECH})\b"
)


def _names_before(text: str, end: int) -> list[str]:
    """The capitalised names (one, or two joined by "and") ending at `end`."""
    window = text[max(0, end - 80) : end]
    words = window[window.rfind("\n") + 1 :].split(" ")
    names: list[list[str]] = [[]]
    for word in reversed(words):
        if _NAME_WORD.match(word) and len(names[-1]) < 4:
            names[-1].insert(0, word)
        elif word == "and" and names[-1] and len(names) == 1:
            names.append([])
        else:
            break
    return [" ".join(n).strip("& ") for n in names if n and n[0] != "&"]


def _lower_case_bodies(registry: Registry) -> None:
    """ "India's foreign ministry", "the German finance ministry"."""
    text = registry.text
    if not any(word in text for word in _LOWER_BODIES):
        return
    for match in _LOWER_MINISTRY.finditer(text):
        owner = match.group("owner")
        if owner and owner not in COUNTRY_FORMS:
            continue
        name = f"{owner}'s {match.group('what')}" if owner else match.group(0)
        actor = registry.add(name.strip(), ActorKind.GOVERNMENT)
        registry.owners.setdefault(id(actor), owner or DEMONYMS[match.group("demonym")])
        registry.cover(*match.span())


def _described(registry: Registry) -> None:
    text = registry.text
    for pattern in (_DESCRIBED, _DESCRIBED_AFTER, _AFTER_CUE):
        for match in pattern.finditer(text):
            owner = OWNER_BEFORE.search(text, max(0, match.start() - 40), match.start())
            what = match.groupdict().get("what")
            for group, value in match.groupdict().items():
                if not value or group == "what":
                    continue
                covered = registry.covered(*match.span(group))
                actor = registry.get(value) if covered else add(registry, value)
                if actor is None:
                    continue
                if what or group == "at":  # "carmaker Volkner"; analysts work at banks and firms
                    actor.described.update([what.rstrip("s")] if what else ["bank", "firm"])
                if owner and pattern is _DESCRIBED:
                    registry.owners.setdefault(id(actor), owner.group("owner"))  # "Italy's"
                    registry.cover(owner.start(), match.start())
                demonym = _DEMONYM_BEFORE.search(text, max(0, match.start() - 20), match.start())
                if demonym and pattern is _DESCRIBED:  # "U.S. drugmaker Corvan"
                    registry.owners.setdefault(id(actor), DEMONYMS[demonym.group("demonym")])
    for match in _BEFORE_CUE.finditer(text):
        for name in _names_before(text, match.start()):
            if registry.covered(match.start() - len(name), match.start()):
                continue
            actor = add(registry, name)
            if actor is not None and match.group("what"):
                actor.described.add(match.group("what"))
            if actor is not None and match.group("city"):
                registry.owners.setdefault(id(actor), match.group("city"))


def _speakers(registry: Registry) -> None:
    for match in _SPEAKER.finditer(registry.text):
        name = match.group("name")
        before_of = name.split(" of ")[0]
        if " " in name and not match.group("the") and (" " in before_of or " and " in name):
            continue  # "Jane Doe said" is a person's name, "The Liberal Democrats said" is not
        if registry.get(name) is None and registry.person_by_surname(name) is None:
            add(registry, name)


def _owners_in_titles(registry: Registry) -> None:
    for match in TITLED.finditer(registry.text):
        owner = role_owner(titled(registry.text, match)[1])
        if owner is None or owner in PLACES or owner.endswith("'s") or HEAD.fullmatch(owner):
            continue
        if owner in INSTITUTION_COUNTRIES or not any(w in TITLE_MODIFIERS for w in owner.split()):
            add(registry, owner)


def find(registry: Registry) -> None:
    """Every organisation known by a cue (see the module docstring)."""
    if " party" in registry.text:
        for match in _PARTY.finditer(registry.text):
            actor = add(registry, match.group("name"), match.span())
            if actor is not None:
                registry.alias(actor, f"{actor.name} party")
    _lower_case_bodies(registry)
    _owners_in_titles(registry)
    _described(registry)
    _speakers(registry)
