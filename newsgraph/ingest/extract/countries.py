"""Countries as actors: named as doers or targets ("Switzerland said", "sanctions against
Russia"), by their capital acting ("Beijing denied", "talks with Washington"), by a
collective ("Chinese officials", "EU diplomats") or by an administration ("the Trump
administration").

A country that only places something ("sales in China", "talks in Paris"), qualifies a
noun ("U.S. tariffs") or sits inside another actor's name or title ("U.S. Commerce
Department", "German Finance Minister", "China's Commerce Ministry") is not one.
"""

from __future__ import annotations

import functools
import re

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import alternation
from newsgraph.ingest.extract.places import (
    CAPITALS,
    COUNTRY_ALIASES,
    COUNTRY_FORMS,
    DEMONYMS,
    country_code,
)
from newsgraph.ingest.extract.registry import ActorFound, Registry
from newsgraph.ingest.extract.shapes import NAME_TOKEN

__all__ = ["COLLECTIVE", "find"]

COUNTRY = re.compile(rf"(?<![\w.])(?P<form>{alternation(list(COUNTRY_FORMS))})(?![\w-])")
CAPITAL = re.compile(rf"(?<![\w.-])(?P<capital>{alternation(list(CAPITALS))})(?![\w-])")
_COLLECTIVE_NOUNS = (
    "officials|government|authorities|side|delegations?|negotiators|leaders|diplomats|"
    "regulators|lawmakers|troops|forces|military|envoys?|ministers|ambassadors"
)
_DEMONYM = alternation(list(DEMONYMS))
COLLECTIVE = re.compile(
    rf"\b(?P<first>{_DEMONYM})(?:\s+and\s+(?P<second>{_DEMONYM}))?\s+(?:{_COLLECTIVE_NOUNS})\b"
)
ADMINISTRATION = re.compile(rf"\b(?:the\s+)?(?P<form>(?P<surname>{NAME_TOKEN})\s+administration)\b")
_PLACE_BEFORE = re.compile(
    r"\b(?:in|to|from|into|across|throughout|within|outside|around|near|at|via|of)\s+(?:the\s+)?"
    r"(?:[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s+and\s+(?:the\s+)?)?$"
)
_SHORT_FORMS = {"U.S.", "US", "UK", "U.K.", "EU", "E.U.", "UAE", "U.A.E.", "USA"}
# After a country's name when it acts: a verb (maybe after "and Brussels"), a possessive,
# a collective ("officials"), the end of a clause.
_VERB_AFTER = re.compile(
    rf"^(?:'s\b|\s*[,.;:)]|\s+(?:{_COLLECTIVE_NOUNS})\b|(?:\s+and\s+[A-Z][\w.]*)?\s+"
    r"(?:[a-z]+ly\s+)?(?:[a-z]+ed|said|says|is|are|was|has|had|have|would|will|could|can|"
    r"must|should|did|does|do|may|might|wants|plans|seeks|hopes|tells|urges|insists|needs)\b)"
)
_VERB_BEFORE = re.compile(
    r"\b(?:with|against|between|and|by|[a-z]+ed|urged|told|pressed)\s+(?:the\s+)?$"
)


def _acting(text: str, start: int, end: int) -> bool:
    """Whether a capital stands for its country here (a subject or an object of an act)."""
    return bool(
        _VERB_AFTER.match(text[end : end + 40])
        or _VERB_BEFORE.search(text[max(0, start - 20) : start])
    )


def _counts(registry: Registry, match: re.Match[str], form: str) -> bool:
    text, start, end = registry.text, match.start(), match.end()
    after = text[end : end + 30]
    place = _PLACE_BEFORE.search(text[max(0, start - 20) : start]) and not after.startswith("'s")
    if registry.covered(start, end) or place:  # "in China", but "in response to Washington's"
        return False
    if re.match(r"^\s+[A-Z][a-z]", after) and form not in _SHORT_FORMS:
        return False  # "Jordan Peterson", "Turkey Hill"
    if form in _SHORT_FORMS:  # "U.S. tariffs" qualifies; "the U.S. accused" acts
        if re.match(r"^ [a-z]", after) and not _VERB_AFTER.match(after):
            return False
        return bool(
            _VERB_AFTER.match(after)
            or re.match(r"^ of\b", after)
            or _VERB_BEFORE.search(text[max(0, start - 20) : start])
        )
    return True


def _country(registry: Registry, name: str, form: str | None) -> ActorFound:
    kind = ActorKind.GOVERNMENT if name == "European Union" else ActorKind.COUNTRY
    actor = registry.add(name, kind, country=country_code(name))
    if form and form != name:
        registry.alias(actor, form)
    return actor


@functools.cache
def _name_of_code(code: str) -> str | None:
    names = dict.fromkeys(COUNTRY_FORMS.values())
    return next((name for name in names if country_code(name) == code), None)


def find(registry: Registry) -> None:
    """Every country the text makes an actor (see the module docstring)."""
    text = registry.text
    found: list[ActorFound] = []
    for match in COUNTRY.finditer(text):
        form = match.group("form")
        if _counts(registry, match, form):
            found.append(_country(registry, COUNTRY_FORMS[form], form))
    for match in CAPITAL.finditer(text):
        capital = match.group("capital")
        if _counts(registry, match, capital) and _acting(text, match.start(), match.end()):
            found.append(_country(registry, CAPITALS[capital], capital))
    for match in COLLECTIVE.finditer(text):
        if registry.covered(match.start(), match.end()):
            continue
        for demonym in filter(None, (match.group("first"), match.group("second"))):
            found.append(_country(registry, DEMONYMS[demonym], None))
    for match in ADMINISTRATION.finditer(text) if " administration" in text else ():
        person = registry.person_by_surname(match.group("surname"))
        name = _name_of_code(person.country) if person is not None and person.country else None
        if name is not None:
            found.append(_country(registry, name, match.group("form")))
    for actor in found:
        for alias in COUNTRY_ALIASES.get(actor.name, [])[:2]:
            registry.alias(actor, alias)
