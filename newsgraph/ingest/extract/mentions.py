"""Where actors are mentioned in a sentence: by a name or an alias, by a collective ("Chinese
officials"), by a capital, and by what points back to one named before: "he" and "she"
(the last sentence's subject, else the last person named), "it" and "they" (the last
sentence's subject when not a person), a role ("the prime minister"), or what it is
("the bank", "the Luxembourg-based court", "the company").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.countries import COLLECTIVE
from newsgraph.ingest.extract.places import CAPITALS, DEMONYMS
from newsgraph.ingest.extract.registry import ActorFound

__all__ = ["Mention", "MentionFinder", "sentence_subject"]

_PERSONAL = re.compile(r"\b(?:[Hh]e|[Ss]he|his|[Hh]er|him)\b")
_IMPERSONAL = re.compile(r"\b(?:[Ii]ts?|[Tt]hey)\b")
_MODIFIER = (
    r"(?:[\w-]+-based|low-cost|central|state|federal|national|local|new|independent|European)"
)
# What an organisation is called once named: head noun -> what its name or kind must show.
_KINDS: dict[str, str] = {
    "central bank": r"\bBank\b|\bReserve\b|\bFed\b|Bundesbank|\bECB\b|\bBOJ\b|\bRBA\b",
    "bank": r"\bBank\b|\bReserve\b|\bFed\b|Bundesbank|\bECB\b|\bBOJ\b|\bRBA\b",
    "court": r"Court|Tribunal", "justices": r"Court", "tribunal": r"Tribunal|Court",
    "ministry": r"[Mm]inistry|Department", "department": r"Department|[Mm]inistry",
    "regulator": r"Commission|Authority|Agency|Administration|Board|Office|Regulator|SEC|FCC|FDA",
    "watchdog": r"Commission|Authority|Agency|Administration|Board|Office",
    "agency": r"Agency|Administration|Office|Bureau|Authority|Commission|Eurostat|Istat",
    "commission": r"Commission", "committee": r"Committee", "board": r"Board",
    "council": r"Council", "fund": r"Fund", "alliance": r"Alliance", "league": r"League",
    "association": r"Association", "federation": r"Federation", "union": r"Union",
    "party": r"Party|party|Democrats|Conservatives|Republicans|Labour|Greens|Liberals",
    "exchange": r"Exchange", "panel": r"Committee|Commission|Panel|Board",
    "bloc": r"European Union", "group": r"[^\W\d]", "company": r".", "firm": r".", "carrier": r".",
    "airline": r"Air", "carmaker": r".", "drugmaker": r".", "lender": r".", "insurer": r".",
}  # fmt: skip
_KIND_PATTERNS = {head: re.compile(pattern) for head, pattern in _KINDS.items()}
_COMPANY_WORDS = {
    "company",
    "firm",
    "carrier",
    "airline",
    "carmaker",
    "drugmaker",
    "lender",
    "insurer",
}
_NOT_COMPANIES = re.compile(r"Party|Union|Association|League|Alliance|Federation|Council|Forces")
_GENERIC = re.compile(
    rf"\b(?:[Tt]he|[Ii]ts|(?P<owner>[A-Z][\w.]*(?: [A-Z][\w.]*)?)'s)\s+(?:{_MODIFIER}\s+){{0,2}}"
    rf"(?P<head>(?i:{'|'.join(sorted(_KINDS, key=len, reverse=True))}))\b"
    r"(?!\s+[A-Z])(?!-)"
)
_ROLES = (
    "prime minister|finance minister|foreign minister|minister|chancellor|president|governor|"
    "senator|judge|treasurer|mayor|premier|secretary|chairman|chairwoman|chief executive|"
    "commissioner|ambassador|envoy|speaker|councilmember|supervisor|administrator"
)
_ROLE_REFERENCE = re.compile(rf"\b[Tt]he\s+(?:new\s+|former\s+)?(?P<role>{_ROLES})\b(?!\s+[A-Z])")
_LOCATED = re.compile(r"\b(?:in|to|from|at|near|via)\s+$")


_LEADING = re.compile(r"^(?:(?:The|A|An)\s+|[^,]{1,40},\s+(?:the\s+)?)?$")


def sentence_subject(sentence: str, mentions: list[Mention]) -> ActorFound | None:
    """The actor a sentence opens with (the subject of its main clause), if any."""
    if mentions and _LEADING.match(sentence[: mentions[0].start]):
        return mentions[0].actor
    return None


def _is(actor: ActorFound, head: str) -> bool:
    """Whether an organisation is what "the <head>" says: so called before ("carmaker
    Volkner" is the carmaker), or so named ("the court" is the General Court)."""
    if actor.kind in {ActorKind.PERSON, ActorKind.COUNTRY}:
        return False
    if head in actor.described:
        return True
    shows = _KIND_PATTERNS[head]
    if head in _COMPANY_WORDS:
        company = actor.kind is ActorKind.ORGANIZATION and not _NOT_COMPANIES.search(actor.name)
        return company and bool(shows.search(actor.name))
    if head == "central bank" and actor.kind is not ActorKind.GOVERNMENT:
        return False
    if head == "group" and actor.kind is not ActorKind.ORGANIZATION:
        return False
    return any(shows.search(form) for form in actor.forms)


@dataclass(frozen=True)
class Mention:
    """An actor named (or referred to) at [start, end) of a sentence."""

    actor: ActorFound
    start: int
    end: int


class MentionFinder:
    """Finds mentions of a fixed set of actors, remembering who was named last."""

    def __init__(self, actors: list[ActorFound]) -> None:
        self.actors = actors
        self.by_form: dict[str, ActorFound] = {}
        for actor in actors:
            for form in actor.forms:
                self.by_form.setdefault(form, actor)
        self.by_name = {actor.name: actor for actor in actors}
        for capital, country in CAPITALS.items():
            if country in self.by_name:
                self.by_form.setdefault(capital, self.by_name[country])
        forms = sorted(self.by_form, key=len, reverse=True)  # few: no need to factor them
        self.pattern = (
            re.compile(rf"(?<![\w])(?:{'|'.join(map(re.escape, forms))})(?![\w])")
            if forms
            else None
        )
        self.last_person: ActorFound | None = None
        self.last_subject: ActorFound | None = None
        self.recent: list[ActorFound] = []

    def find(self, sentence: str) -> list[Mention]:
        """Mentions in order, references resolved (see the module docstring)."""
        named: list[Mention] = []
        if self.pattern is not None:
            for match in self.pattern.finditer(sentence):
                actor = self.by_form[match.group(0)]
                located = _LOCATED.search(sentence, 0, match.start())
                if (
                    match.group(0) in CAPITALS
                    and located
                    and sentence[match.end() : match.end() + 2] != "'s"
                ):
                    continue  # "talks in Washington": a place, not the government
                named.append(Mention(actor, match.start(), match.end()))
        for match in COLLECTIVE.finditer(sentence):  # "Chinese officials", "EU diplomats"
            for group in ("first", "second"):
                country = self.by_name.get(DEMONYMS.get(match.group(group) or "", ""))
                if country is not None and not any(
                    m.start <= match.start(group) < m.end for m in named
                ):
                    named.append(Mention(country, match.start(group), match.end(group)))
        named.sort(key=lambda m: m.start)
        mentions = named + self._references(sentence, named)
        mentions.sort(key=lambda m: m.start)
        people = [m.actor for m in named if m.actor.kind is ActorKind.PERSON]
        if people:
            self.last_person = people[-1]
        self.last_subject = sentence_subject(sentence, mentions)
        for mention in named:
            if mention.actor in self.recent:
                self.recent.remove(mention.actor)
            self.recent.append(mention.actor)
        return mentions

    def _references(self, sentence: str, named: list[Mention]) -> list[Mention]:
        found: list[Mention] = []
        taken = [(m.start, m.end) for m in named]

        def add(actor: ActorFound | None, start: int, end: int) -> None:
            if actor is not None and not any(s < end and start < e for s, e in taken):
                found.append(Mention(actor, start, end))
                taken.append((start, end))

        for match in _GENERIC.finditer(sentence):
            owner = self.by_form.get(match.group("owner") or "")
            if match.group("owner") and (owner is None or owner.kind is not ActorKind.COUNTRY):
                continue  # "Volkner's board" is not Volkner; "Turkey's central bank" is the bank
            head = match.group("head").lower()
            described = self._described(head, named, match.start(), everyone=owner is not None)
            if owner is not None and described is not None:  # the bank, not the country
                named[:] = [
                    m for m in named if not (m.start == match.start("owner") and m.actor is owner)
                ]
                taken[:] = [(m.start, m.end) for m in named]
            add(described, match.start("owner") if owner else match.start(), match.end())
        for match in _ROLE_REFERENCE.finditer(sentence):
            add(self._holder(match.group("role"), named, match.start()), *match.span())
        for match in _PERSONAL.finditer(sentence):
            earlier = [
                m.actor
                for m in named
                if m.end <= match.start() and m.actor.kind is ActorKind.PERSON
            ]
            subject = (
                self.last_subject
                if self.last_subject and self.last_subject.kind is ActorKind.PERSON
                else None
            )
            add(earlier[-1] if earlier else subject or self.last_person, *match.span())
        for match in _IMPERSONAL.finditer(sentence):
            earlier = [
                m.actor
                for m in named
                if m.end <= match.start() and m.actor.kind is not ActorKind.PERSON
            ]
            subject = (
                self.last_subject
                if self.last_subject and self.last_subject.kind is not ActorKind.PERSON
                else None
            )
            add(earlier[-1] if earlier else subject, *match.span())
        return found

    def _candidates(self, named: list[Mention], before: int) -> list[ActorFound]:
        """Actors named so far, the latest last (this sentence's up to `before` included)."""
        here = [m.actor for m in named if m.end <= before]
        return [a for a in self.recent if a not in here] + here

    def _described(
        self, head: str, named: list[Mention], before: int, *, everyone: bool = False
    ) -> ActorFound | None:
        """The latest actor named before that is what `head` says ("the court"); with
        `everyone`, any actor of the article ("Turkey's central bank", named later)."""
        candidates = self._candidates(named, before)
        if everyone:
            candidates = [a for a in self.actors if a not in candidates] + candidates
        for actor in reversed(candidates):
            if _is(actor, head):
                return actor
        return None

    def _holder(self, role: str, named: list[Mention], before: int) -> ActorFound | None:
        for actor in reversed(self._candidates(named, before)):
            title = (actor.title or "").lower()
            if actor.kind is ActorKind.PERSON and re.search(rf"\b{role}\b", title):
                return actor
        return None
