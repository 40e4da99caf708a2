"""The shorter names organisations go by in a story: the first word of a company's name
("Altavia" for Altavia Technologies, "Harbour" for Harbour Materials), the start of an
institution's ("the Fed" for the Federal Reserve) and initials ("IMF", "BOJ", "FDA").
A short form the finders took for an organisation of its own is merged into the full
name, so one organisation is one actor.
"""

from __future__ import annotations

import re

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import INSTITUTION_COUNTRIES, NOT_ACRONYMS
from newsgraph.ingest.extract.organisations import PLACES
from newsgraph.ingest.extract.places import COUNTRY_FORMS
from newsgraph.ingest.extract.registry import ActorFound, Registry
from newsgraph.ingest.extract.shapes import ACRONYM, NOT_NAMES

__all__ = ["find"]

# First words too common to stand for one company alone.
_NOT_SHORT = NOT_NAMES | {"United", "European", "Royal", "Central", "General", "Great"}
# Words initials leave out: "Bank of Japan" is BOJ or BJ.
_SMALL_WORDS = {"of", "and", "the", "for", "&", "on", "de", "la"}
_ACRONYMS = re.compile(rf"\b{ACRONYM}(?![\w.])")


def _initials(name: str) -> set[str]:
    """ "FDA" for "Food and Drug Administration", "BOJ" (and "BJ") for "Bank of Japan"."""
    words = re.sub(r"^(?:U\.S\.|The) ", "", name).split()
    if len(words) < 2:
        return set()
    forms = {
        "".join(w[0] for w in words if w not in _SMALL_WORDS).upper(),
        "".join(w[0] for w in words if w not in {"&", "the", "and"}).upper(),
    }
    return {form for form in forms if len(form) > 1}


def _merge(registry: Registry, actor: ActorFound, form: str) -> None:
    """Make `form` an alias of `actor`, absorbing an actor found under that name alone."""
    other = registry.get(form)
    alone = other is not None and other is not actor and " " not in other.name
    if alone and other is not None and other.kind is not ActorKind.PERSON:
        registry.remove(other)
    registry.alias(actor, form)


def _first_words(registry: Registry) -> None:
    text = registry.text
    for actor in registry.actors:
        words = actor.name.split()
        if actor.kind is not ActorKind.ORGANIZATION or len(words) < 2:
            continue
        first = words[0]
        if first in _NOT_SHORT or first in PLACES or first.isupper() or words[1] in _SMALL_WORDS:
            continue
        alone = re.compile(rf"\b{re.escape(first)}\b(?! {re.escape(words[1])})")
        for match in alone.finditer(text):
            if match.start() > 2 and text[match.start() - 2] not in ".!?\n":  # not capitalised
                _merge(registry, actor, first)  # only as a sentence's first word
                break


def find(registry: Registry) -> None:
    """Give organisations the short names the text uses for them (see the docstring)."""
    _first_words(registry)
    actors = registry.actors
    for short in [a for a in actors if a.name in INSTITUTION_COUNTRIES and " " not in a.name]:
        longer = next((a for a in actors if " " in a.name and a.name.startswith(short.name)), None)
        if longer is not None and longer.kind is short.kind:
            _merge(registry, longer, short.name)  # "the Fed" is the Federal Reserve
    for acronym in dict.fromkeys(_ACRONYMS.findall(registry.text)):
        if acronym in COUNTRY_FORMS or acronym in NOT_ACRONYMS:
            continue
        owner = next(
            (
                a
                for a in registry.actors
                if a.kind is not ActorKind.PERSON and acronym in _initials(a.name)
            ),
            None,
        )
        if owner is not None:
            _merge(registry, owner, acronym)
