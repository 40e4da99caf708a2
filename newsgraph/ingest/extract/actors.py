"""Finding actors: titled people, people who speak, countries (by name, capital, demonym
or "administration"), governments and organisations, with the names each goes by."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import (
    CAPITALS,
    COUNTRY_ALIASES,
    DEMONYMS,
    GOVERNMENT_HEADS,
    ORGANIZATION_HEADS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
    alternation,
    country_code,
)

__all__ = ["ActorFound", "find_actors", "surname_of"]

_NAME_TOKEN = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_PARTICLE = r"(?:bin|bint|al|el|de|da|di|van|von|der|del|la|le)"
_PERSON_NAME = (
    rf"{_NAME_TOKEN}(?:\s+[A-Z]\.)?"
    rf"(?:\s+(?:{_PARTICLE}\s+)?(?:{_NAME_TOKEN}|Mc[A-Z][a-z]+|O'[A-Z][a-z]+)){{1,2}}"
)
_DEMONYM = alternation(list(DEMONYMS))
_TITLE = (
    rf"(?:(?P<demonym>{_DEMONYM})\s+)?"
    rf"(?P<title>(?:(?:{alternation(TITLE_MODIFIERS)})\s+){{0,2}}(?:{alternation(TITLE_HEADS)}))"
)
TITLED_PERSON = re.compile(rf"\b{_TITLE}\s+(?P<name>{_PERSON_NAME}|{_NAME_TOKEN})(?![\w-])")
SPEAKER = re.compile(
    rf"(?:\b(?:said|says|told|wrote|added|noted)\s+(?P<after>{_PERSON_NAME})\b)"
    rf"|(?:(?:^|[.,;:]\s+|\"\s*)(?P<before>{_PERSON_NAME})\s+(?:said|says|told|wrote|added|noted|"
    r"warned|argued|explained|stated|announced|denied|accused|promised|criticized|criticised|"
    r"welcomed|vowed|pledged|rejected|dismissed|predicted)\b)"
)
_ORG_HEAD = alternation(GOVERNMENT_HEADS + ORGANIZATION_HEADS)
ORGANIZATION = re.compile(
    rf"\b(?P<name>(?:(?:{_DEMONYM})\s+)?(?:[A-Z][\w&'-]*\s+){{0,4}}(?:{_ORG_HEAD})\b\.?"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w.'-]*)(?:\s+(?:and\s+)?[A-Z][\w.'-]*){{0,4}})?"
    rf"(?:\s+in\s+the\s+(?:U\.S\.|United States|[A-Z][a-z]+))?)"
    r"(?:\s+\((?P<acronym>[A-Z]{2,8})\))?"
)
_COUNTRY_FORMS = {form: name for name, forms in COUNTRY_ALIASES.items() for form in [name, *forms]}
COUNTRY = re.compile(rf"(?<![\w.])(?P<form>{alternation(list(_COUNTRY_FORMS))})(?![\w])")
CAPITAL = re.compile(
    rf"(?<!\bin\s)(?<!\bto\s)(?<!\bat\s)(?<!\bfrom\s)(?<!\bof\s)(?<!\bnear\s)(?<!\bvia\s)"
    rf"\b(?P<capital>{alternation(list(CAPITALS))})\b(?!\s+(?:on|last|next|this)\b)(?!,\s+[A-Z])"
)
COLLECTIVE = re.compile(
    rf"\b(?P<demonym>{_DEMONYM})\s+(?:officials|government|authorities|side|delegation|"
    r"negotiators|leaders|diplomats|regulators)\b"
)
ADMINISTRATION = re.compile(
    rf"\b(?:the\s+)?(?P<form>(?P<surname>{_NAME_TOKEN})\s+administration)\b"
)
# Words that begin a capitalised phrase without naming anyone.
_NOT_NAMES = {
    "The", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "By", "For",
    "However", "Although", "Additionally", "Besides", "Meanwhile", "But", "And", "If",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "Bitcoin", "Ethereum",
}  # fmt: skip
_KNOWN_GOVERNMENTS = {"White House": "US", "Kremlin": "RU", "Pentagon": "US", "Elysee": "FR"}
_GOVERNMENT_WORDS = set(GOVERNMENT_HEADS) | set(_KNOWN_GOVERNMENTS)
# Companies by what is said of them: "Nvidia shares rose", "analysts at Goldman Sachs".
COMPANY = re.compile(
    rf"\b(?P<shares>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})?)\s+shares\b"
    rf"|\b(?:analysts|economists|strategists|researchers|executives)\s+at\s+"
    rf"(?P<at>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})?)"
)
_TITLE_AFTER = re.compile(rf"\s+(?:{alternation(TITLE_HEADS)})\b")
# Family names that come first: "Xi Jinping" is President Xi.
_FAMILY_NAME_FIRST = {
    "Xi", "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
    "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Han",
    "Tang", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan",
    "Cai", "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen",
    "Yao", "Fang", "Jin", "Dai", "Wen", "Kim", "Park", "Lee", "Moon", "Yoon", "Nguyen",
}  # fmt: skip


def surname_of(name: str) -> str:
    """The name a person is called by alone: the last word, or the first for names that
    put the family name first."""
    words = name.split()
    if len(words) == 2 and words[0] in _FAMILY_NAME_FIRST:
        return words[0]
    return words[-1]


@dataclass(eq=False)
class ActorFound:
    """An actor and every form of its name seen (or known) for it."""

    name: str
    kind: ActorKind
    title: str | None = None
    country: str | None = None
    aliases: list[str] = field(default_factory=list)

    def add_alias(self, alias: str) -> None:
        alias = alias.strip()
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)

    @property
    def forms(self) -> list[str]:
        """The name and aliases, longest first (for matching mentions)."""
        return sorted({self.name, *self.aliases}, key=len, reverse=True)


class _Actors:
    def __init__(self) -> None:
        self.found: dict[tuple[str, ActorKind], ActorFound] = {}

    def add(self, name: str, kind: ActorKind, **values: str | None) -> ActorFound:
        key = (name, kind)
        actor = self.found.get(key)
        if actor is None:
            actor = self.found[key] = ActorFound(name, kind)
        for attribute, value in values.items():
            if value and getattr(actor, attribute) is None:
                setattr(actor, attribute, value)
        return actor

    def person_by_surname(self, surname: str) -> ActorFound | None:
        for actor in self.found.values():
            if actor.kind is ActorKind.PERSON and surname_of(actor.name) == surname:
                return actor
        return None

    def country(self, name: str, form: str | None = None) -> ActorFound:
        kind = ActorKind.GOVERNMENT if name == "European Union" else ActorKind.COUNTRY
        actor = self.add(name, kind, country=country_code(name))
        if form:
            actor.add_alias(form)
        return actor


def _people(text: str, actors: _Actors) -> None:
    for match in TITLED_PERSON.finditer(text):
        name = match.group("name")
        if name.split()[0] in _NOT_NAMES or name in DEMONYMS or name in _COUNTRY_FORMS:
            continue
        demonym = match.group("demonym")
        title = f"{demonym} {match.group('title')}" if demonym else match.group("title")
        country = country_code(DEMONYMS[demonym]) if demonym else None
        if " " not in name:  # "President Trump": a title and a surname
            person = actors.person_by_surname(name)
            if person is not None:
                person.add_alias(f"{match.group('title').split()[-1]} {name}")
                continue
        person = actors.add(name, ActorKind.PERSON, title=title, country=country)
        if " " in name:
            surname = surname_of(name)
            person.add_alias(surname)
            head = match.group("title").split()[-1]
            if head in {"President", "Premier", "Chancellor", "Minister"}:
                person.add_alias(f"{head} {surname}")
    for match in SPEAKER.finditer(text):
        name = match.group("after") or match.group("before")
        if name.split()[0] in _NOT_NAMES or name in _COUNTRY_FORMS:
            continue
        words = name.split()
        if actors.person_by_surname(surname_of(name)) is None and not any(
            word in _GOVERNMENT_WORDS or word in ORGANIZATION_HEADS for word in words
        ):
            actors.add(name, ActorKind.PERSON).add_alias(surname_of(name))


def _organisations(text: str, actors: _Actors) -> None:
    for match in ORGANIZATION.finditer(text):
        if _TITLE_AFTER.match(text, match.end("name")):
            continue  # "Treasury" in "Treasury Secretary Scott Bessent" is part of a title
        name = re.sub(r"^(?:The|the)\s+", "", match.group("name"))
        if not re.search(r"\b[A-Z]\.[A-Z]\.$", name):
            name = name.rstrip(".")
        name = re.sub(r"'s$", "", name)
        words = name.split()
        if not words or words[0] in _NOT_NAMES - {"The"} or len(words) == 1:
            continue
        if words[0] in TITLE_HEADS:
            continue
        kind = (
            ActorKind.GOVERNMENT
            if any(head in name for head in _GOVERNMENT_WORDS)
            else ActorKind.ORGANIZATION
        )
        demonym = next((d for d in DEMONYMS if name.startswith(d + " ")), None)
        country = country_code(DEMONYMS[demonym]) if demonym else None
        actor = actors.add(name, kind, country=country)
        if match.group("acronym"):
            actor.add_alias(match.group("acronym"))
        if demonym is None and " of " in name:  # "Ministry of Commerce" is also "Commerce Ministry"
            head, _, rest = name.partition(" of ")
            actor.add_alias(f"{rest} {head}")
    for name, country in _KNOWN_GOVERNMENTS.items():
        if re.search(rf"\b{name}\b", text):
            actors.add(name, ActorKind.GOVERNMENT, country=country)
    for match in COMPANY.finditer(text):
        name = match.group("shares") or match.group("at")
        if name and name.split()[0] not in _NOT_NAMES and name not in _COUNTRY_FORMS:
            actors.add(name, ActorKind.ORGANIZATION)


def _countries(text: str, actors: _Actors) -> None:
    for match in COUNTRY.finditer(text):
        form = match.group("form")
        actors.country(_COUNTRY_FORMS[form], form)
    for match in CAPITAL.finditer(text):
        actors.country(CAPITALS[match.group("capital")], match.group("capital"))
    for match in COLLECTIVE.finditer(text):
        actors.country(DEMONYMS[match.group("demonym")])
    for match in ADMINISTRATION.finditer(text):
        person = actors.person_by_surname(match.group("surname"))
        if person is not None and person.country:
            name = next(n for n in COUNTRY_ALIASES if country_code(n) == person.country)
            actors.country(name, match.group("form"))


def find_actors(text: str) -> list[ActorFound]:
    """The actors of an article's text, in the order they were first found by kind."""
    actors = _Actors()
    _people(text, actors)
    _organisations(text, actors)
    _countries(text, actors)
    found = list(actors.found.values())
    # A country named only inside an organisation's name ("Embassy in the U.S.") or a
    # person's title ("Chinese President") is not an actor of the story.
    outside_names = text
    for actor in found:
        if actor.kind is not ActorKind.COUNTRY:
            outside_names = outside_names.replace(actor.name, " ")
    kept = [
        actor
        for actor in found
        if actor.kind is not ActorKind.COUNTRY
        or _named_as_collective(actor, text)
        or any(
            re.search(rf"(?<![\w.]){re.escape(form)}(?!\w)", outside_names) for form in actor.forms
        )
    ]
    for actor in kept:
        if actor.kind is ActorKind.COUNTRY:
            for form in COUNTRY_ALIASES.get(actor.name, [])[:2]:
                actor.add_alias(form)
    return kept


def _named_as_collective(actor: ActorFound, text: str) -> bool:
    return any(
        DEMONYMS[match.group("demonym")] == actor.name for match in COLLECTIVE.finditer(text)
    ) or any(form.endswith("administration") for form in actor.aliases)
