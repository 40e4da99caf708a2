"""The country each actor belongs to, from what the article shows of it.

An organisation: a demonym or a country before it ("Irish Air Line Pilots' Association",
"China's Commerce Ministry"), a country, state or city in its name ("Bank of Canada",
"Ohio Supreme Court", "University of Warsaw"), the city it is based in, or common
knowledge of the institution (the Fed). A person: a demonym or a place in the title
("German Chancellor", "Warsaw Mayor"), the country or organisation the title belongs to
("Russia's deputy ambassador", "Fed Chair", "Corvan chief executive"). What is left of
the people in office and the public bodies takes the article's own country, when one
country dominates its institutions (a story about the Bank of England and the Treasury
is about Britain); international and European bodies never do.
"""

from __future__ import annotations

import re
from collections import Counter

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import (
    GOVERNMENT_HEADS,
    INSTITUTION_COUNTRIES,
    POLITICAL_ROLES,
)
from newsgraph.ingest.extract.people import role_owner
from newsgraph.ingest.extract.places import CITIES, COUNTRY_FORMS, DEMONYMS, US_STATES, country_code
from newsgraph.ingest.extract.registry import ActorFound, Registry

__all__ = ["assign"]

_SUPRANATIONAL = re.compile(
    r"\b(?:EU|European|U\.N\.|United Nations|International|World|NATO|OPEC)\b"
)
_GOVERNMENT_WORD = re.compile(rf"\b(?:{'|'.join(GOVERNMENT_HEADS)})\b", re.IGNORECASE)
_POLITICAL = re.compile(
    rf"\b(?:{'|'.join(sorted(POLITICAL_ROLES, key=len, reverse=True))})\b", re.IGNORECASE
)
_PRIVATE = re.compile(
    r"\b(?:company|firm|corporate|executive|economist|analyst|bank)\b", re.IGNORECASE
)
# Share of the public actors with a known country that the article's own country needs.
HOME_SHARE = 0.6


def _place_code(words: str) -> str | None:
    """The country of a country, demonym, state or city named somewhere in `words`."""
    for size in (3, 2, 1):
        tokens = words.replace("'s", "").split()
        for i in range(len(tokens) - size + 1):
            phrase = " ".join(tokens[i : i + size])
            if phrase in COUNTRY_FORMS:
                return country_code(COUNTRY_FORMS[phrase])
            if phrase in DEMONYMS:
                return country_code(DEMONYMS[phrase])
            if phrase in US_STATES:
                return "US"
            if phrase in CITIES:
                return country_code(CITIES[phrase])
    return None


def _own_code(registry: Registry, actor: ActorFound) -> str | None:
    for form in actor.forms:
        if form in INSTITUTION_COUNTRIES:
            return INSTITUTION_COUNTRIES[form]
    owner = registry.owners.get(id(actor))
    if owner is not None:
        known = registry.get(owner)
        if known is not None and known is not actor and known.country:
            return known.country
        code = _place_code(owner)
        if code:
            return code
    if actor.kind is ActorKind.PERSON:
        title = actor.title or ""
        owner_org = role_owner(title) if title else None
        employer = title.split(" at ", 1)[1] if " at " in title else None
        for organisation in (owner_org, employer):
            known = registry.get(re.sub(r"^the ", "", organisation)) if organisation else None
            if known is not None and known.country:
                return known.country
        return _place_code(title.split(" at ")[0]) or (_place_code(employer) if employer else None)
    if _SUPRANATIONAL.search(actor.name):
        return None
    return _place_code(actor.name)


def _home(actors: list[ActorFound]) -> str | None:
    public = Counter(
        a.country for a in actors if a.country and a.kind is not ActorKind.ORGANIZATION
    )
    if not public:
        return None
    code, count = public.most_common(1)[0]
    return code if count >= HOME_SHARE * sum(public.values()) else None


def _in_office(actor: ActorFound) -> bool:
    """A public body, or a person holding a public office ("Treasurer", "Committee
    Chairman"; not "company spokesman")."""
    if actor.kind is ActorKind.GOVERNMENT:
        return not _SUPRANATIONAL.search(actor.name)
    title = actor.title or ""
    public = _POLITICAL.search(title) or _GOVERNMENT_WORD.search(title)
    private = _PRIVATE.search(title) or _SUPRANATIONAL.search(title)
    return actor.kind is ActorKind.PERSON and bool(public) and not private


def assign(registry: Registry) -> None:
    """Set the country of every actor that lacks one and whose country the text shows."""
    actors = registry.actors
    for _ in range(2):  # a person's country may come from an organisation's, found first
        for actor in actors:
            if actor.country is None:
                actor.country = _own_code(registry, actor) or None
    home = _home(actors)
    if home is None:
        return
    for actor in actors:
        if actor.country is None and _in_office(actor):
            actor.country = home
