"""Organisations and government bodies named by their head noun, with or without a
company suffix: "Competition and Markets Authority", "Bank of England", "Helixa
Therapeutics", "Centers for Medicare & Medicaid Services", and the institutions known
by one word ("Kremlin", "Eurostat", "the Treasury"). A country before an institution
("Britain's Competition and Markets Authority", "China's Commerce Ministry") is its
owner, not an actor; an acronym in brackets after the name is an alias.

`add` is how every finder of organisations registers one (see `cues` for those known
only by what is said of them).
"""

from __future__ import annotations

import re

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import (
    COMPANY_HEADS,
    GOVERNMENT_HEADS,
    INSTITUTION_COUNTRIES,
    NOT_ACRONYMS,
    ORGANIZATION_HEADS,
    TITLE_MODIFIERS,
    alternation,
)
from newsgraph.ingest.extract.people import ROLE
from newsgraph.ingest.extract.places import CITIES, COUNTRY_FORMS, DEMONYMS, US_STATES
from newsgraph.ingest.extract.registry import ActorFound, Registry
from newsgraph.ingest.extract.shapes import ACRONYM, CAP_WORD, NOT_ORGANIZATIONS, PROPER_PHRASE

__all__ = ["HEAD", "OWNER_BEFORE", "PLACES", "add", "find", "kind_of"]

_HEADS = GOVERNMENT_HEADS + ORGANIZATION_HEADS + COMPANY_HEADS
HEAD = re.compile(rf"\b(?:{alternation(_HEADS)})\b\.?")
# What a head noun may carry after it: "of the Republic of Turkey", "for Business and Trade".
_OF_TAIL = re.compile(
    rf" (?:of|for) (?:the )?{CAP_WORD}(?: (?:(?:and|&|of|for|the) ){{0,2}}{CAP_WORD}){{0,5}}"
)
_IN_TAIL = re.compile(r" in (?:the )?(?:U\.S\.|United States|[A-Z][a-z]+)")  # "Embassy in the U.S."
_ACRONYM_AFTER = re.compile(rf" \((?P<acronym>{ACRONYM})\)")
_WORD_BEFORE = re.compile(rf"(?:^|(?<=[ \n(]))(?P<word>{CAP_WORD}) $")
_CONNECTOR_BEFORE = re.compile(rf"(?:^|(?<=[ \n(]))(?P<word>{CAP_WORD}) (?:and|&) $")
OWNER_BEFORE = re.compile(rf"(?P<owner>{PROPER_PHRASE})'s? (?:independent )?$")
_LATER_HEAD = re.compile(rf" (?:{CAP_WORD} ){{0,3}}(?:{alternation(_HEADS)})\b")
INSTITUTIONS = re.compile(
    r"\b(?:White House|Kremlin|Pentagon|Elysee|Downing Street|Eurostat|Bundesbank|Fed|"
    r"Bundestag|Knesset|Duma|Istat|Destatis|Treasury|Congress|NATO|OPEC\+?|Interpol|"
    r"Europol)(?![\w+])"
)
_INTERNATIONAL = re.compile(r"^(?:U\.N\.|UN|United Nations|International|World|NATO)\b")
_PUBLIC = re.compile(rf"\b(?:{alternation(GOVERNMENT_HEADS + list(INSTITUTION_COUNTRIES))})\b")
_DEMONYM_PREFIX = re.compile(rf"^(?:{alternation(list(DEMONYMS))}) (?=\S+ \S)")
_GEOGRAPHY = re.compile(
    r"\b(?:Coast|Sea|River|Valley|Island|Islands|Street|Road|Square|Hall|Bay|Gulf|Region)$"
)
_ROLE_START = re.compile(rf"^(?:{ROLE})\b")
_ROLE_NEXT = re.compile(rf" (?:{ROLE})\b")
PLACES = set(COUNTRY_FORMS) | set(DEMONYMS) | set(CITIES) | US_STATES
# Words that end a name on its left: articles, pronouns, conjunctions, dates.
_LEFT_STOPS = {
    "The", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "By", "For", "To",
    "From", "With", "As", "Of", "Its", "His", "Her", "Their", "Our", "It", "He", "She", "They",
    "We", "I", "However", "Although", "But", "And", "Or", "If", "When", "While", "After",
    "Before", "Under", "Asked", "Speaking", "Writing", "Meanwhile", "Since", "During",
    "Until", "Both", "Each", "Every", "All", "No", "Not", "Only", "Also", "Other", "Some",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday",
}  # fmt: skip


def kind_of(name: str) -> ActorKind:
    """Government for public bodies (not international ones), else organisation."""
    if _INTERNATIONAL.match(name) or not _PUBLIC.search(name):
        return ActorKind.ORGANIZATION
    return ActorKind.GOVERNMENT


def _clean(name: str) -> str:
    name = re.sub(r"^(?:The|the) ", "", name.strip())
    name = re.sub(r"'s?$", "", name)
    return name if re.search(r"\b[A-Z]\.[A-Z]\.$", name) else name.rstrip(".")


def _acceptable(registry: Registry, name: str) -> bool:
    """Whether a capitalised phrase can be an organisation's name: not a place, a bare
    head noun ("Court"), a role before a name ("Governor Karl Brunner"), a person."""
    words = name.split()
    if not words or words[0] in NOT_ORGANIZATIONS or name in PLACES or name in NOT_ACRONYMS:
        return False
    if len(words) == 1 and HEAD.fullmatch(name) and not INSTITUTIONS.fullmatch(name):
        return False
    if _ROLE_START.match(name) and not HEAD.search(words[-1]):
        return False  # "Governor Karl Brunner", but "General Court" is a court
    if _GEOGRAPHY.search(name) or re.fullmatch(r"(?:[A-Z]\.)+", name):
        return False
    if len(words) > 2 and (person := registry.get(" ".join(words[-2:]))) is not None:
        return person.kind is not ActorKind.PERSON  # "Prime Minister Piotr Lesniak"
    known = registry.get(name)
    return known is None or known.kind is not ActorKind.PERSON


def add(registry: Registry, name: str, span: tuple[int, int] | None = None) -> ActorFound | None:
    """Register an organisation (None when the phrase cannot be one); a demonym before
    the name ("U.S. Food and Drug Administration") gives its country and an alias."""
    name = _clean(name)
    if not _acceptable(registry, name):
        return None
    actor = registry.add(name, kind_of(name))
    prefix = _DEMONYM_PREFIX.match(name)
    if prefix and actor.country is None:
        registry.owners.setdefault(id(actor), DEMONYMS[prefix.group(0).strip()])
        registry.alias(actor, name[prefix.end() :])
    if span:
        registry.cover(*span)
    return actor


def _joins(registry: Registry, start: int, word: str) -> bool:
    """Whether the capitalised word before `start` belongs to the name: not an article or
    a date, nor an owner ("Britain's", "European Union's", "Volkner's"), though the
    "People's" of "Republican People's Party" is."""
    if word in _LEFT_STOPS:
        return False
    if not word.endswith(("'s", "'")):
        return True
    owner = OWNER_BEFORE.search(registry.text, max(0, start - 40), start)
    words = owner.group("owner").split() if owner else [word]
    owners = [" ".join(words[i:]) for i in range(len(words))]
    return not any(o in PLACES or registry.get(o) is not None for o in owners)


def _extent(registry: Registry, match: re.Match[str]) -> tuple[int, int]:
    """The span of the name a head noun ends: left over capitalised words (across "and"
    and "&"), right over an "of ..." tail."""
    text, start, end = registry.text, match.start(), match.end()
    while True:
        before = _WORD_BEFORE.search(text, max(0, start - 60), start)
        joined = _CONNECTOR_BEFORE.search(text, max(0, start - 60), start)
        if before and _joins(registry, start, before.group("word")):
            start = before.start()
        elif joined and not joined.group("word").isupper():
            if not _joins(registry, start, joined.group("word")):
                break
            start = joined.start()
        else:
            break
    tail = _OF_TAIL.match(text, end)
    if tail:
        end = tail.end()
    elif match.group(0) in {"Embassy", "Consulate"} and (place := _IN_TAIL.match(text, end)):
        end = place.end()
    return start, end


def _headed(registry: Registry) -> None:
    text = registry.text
    for match in HEAD.finditer(text):
        if registry.covered(*match.span(), titles=False) or _LATER_HEAD.match(text, match.end()):
            continue  # inside a name found already, or a part of a longer one
        start, end = _extent(registry, match)
        name = text[start:end]
        if " " not in name and not INSTITUTIONS.fullmatch(name):
            continue
        if registry.covered(start, end) and name not in INSTITUTION_COUNTRIES:
            continue  # "Treasury" of "U.S. Treasury Secretary" is part of a title
        actor = add(registry, name, (start, end))
        if actor is None:
            continue
        owner = OWNER_BEFORE.search(text, max(0, start - 40), start)
        if owner:
            registry.owners.setdefault(id(actor), owner.group("owner"))
            registry.cover(owner.start(), start)
            if owner.group("owner") in COUNTRY_FORMS:
                registry.alias(actor, f"{owner.group('owner')}'s {actor.name}")
        acronym = _ACRONYM_AFTER.match(text, end)
        if acronym and acronym.group("acronym") not in COUNTRY_FORMS:
            registry.alias(actor, acronym.group("acronym"))


def find(registry: Registry) -> None:
    """Every organisation the text names by a head noun or as a known institution."""
    _headed(registry)
    text = registry.text
    for match in INSTITUTIONS.finditer(text):
        name = match.group(0)
        if name in {"Treasury", "Congress"} and not text[: match.start()].endswith(
            ("the ", "The ")
        ):
            continue  # "Treasury yields", "their Treasury holdings"
        if name in TITLE_MODIFIERS and _ROLE_NEXT.match(text, match.end()):
            continue
        add(registry, name, match.span())
