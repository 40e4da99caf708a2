"""The actors found in one article, each once, with every form of its name the article
uses, and the spans of the text that names and titles take up (so that a country named
inside "U.S. Commerce Department" or "German Finance Minister" is not taken for an actor
of the story)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.names import normalize_name

__all__ = ["ActorFound", "Registry", "surname_of"]

# Family names that come first: "Xi Jinping" is President Xi.
_FAMILY_NAME_FIRST = {
    "Xi", "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
    "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Han",
    "Tang", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan",
    "Cai", "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen",
    "Yao", "Fang", "Jin", "Dai", "Wen", "Kim", "Park", "Lee", "Moon", "Yoon", "Nguyen",
}  # fmt: skip
_PARTICLES = {"de", "van", "von", "der", "del", "da", "di", "du", "la", "le", "bin", "al", "el"}


def surname_of(name: str) -> str:
    """The name a person is called by alone: the last name (with its particle, as in
    "de Vries"), or the first for names that put the family name first."""
    words = name.split()
    if len(words) == 2 and words[0] in _FAMILY_NAME_FIRST:
        return words[0]
    if len(words) > 2 and words[-2] in _PARTICLES and words[-3] not in _PARTICLES:
        return " ".join(words[-2:]) if words[-2] in {"de", "van", "von", "du", "da"} else words[-1]
    return words[-1]


@dataclass(eq=False)
class ActorFound:
    """An actor and every form of its name seen (or known) for it."""

    name: str
    kind: ActorKind
    title: str | None = None
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    # what the article calls it besides its names ("bank", "carrier"): how "the bank"
    # later finds it
    described: set[str] = field(default_factory=set)

    def add_alias(self, alias: str) -> None:
        alias = alias.strip()
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)

    @property
    def forms(self) -> list[str]:
        """The name and aliases, longest first (for matching mentions)."""
        return sorted({self.name, *self.aliases}, key=len, reverse=True)


class Registry:
    """The actors found so far, by every normalised form of their names, and the spans
    of the text their names and titles take up."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._by_form: dict[str, ActorFound] = {}
        self._actors: list[ActorFound] = []
        self._spans: dict[bool, tuple[list[int], list[int]]] = {True: ([], []), False: ([], [])}
        # what the finders learnt about an actor besides its name: an owner ("Russia's
        # envoy"), the organisation in a title ("Westpac chief economist")
        self.owners: dict[int, str] = {}

    def get(self, form: str) -> ActorFound | None:
        """The actor with this name or alias."""
        return self._by_form.get(normalize_name(form))

    def add(
        self,
        name: str,
        kind: ActorKind,
        *,
        title: str | None = None,
        country: str | None = None,
    ) -> ActorFound:
        """The actor of this name (a known one gains the values it lacked)."""
        actor = self.get(name)
        if actor is None:
            actor = ActorFound(name, kind)
            self._actors.append(actor)
            self._by_form[normalize_name(name)] = actor
        actor.title = actor.title or title
        actor.country = actor.country or country
        return actor

    def alias(self, actor: ActorFound, alias: str) -> None:
        """Give an actor another name, unless another actor goes by it already."""
        key = normalize_name(alias)
        if not key or self._by_form.get(key, actor) is not actor:
            return
        self._by_form[key] = actor
        actor.add_alias(alias)

    def remove(self, actor: ActorFound) -> None:
        self._actors.remove(actor)
        for key in [k for k, a in self._by_form.items() if a is actor]:
            del self._by_form[key]

    def cover(self, start: int, end: int, *, title: bool = False) -> None:
        """Mark text as part of a name (or of a person's title)."""
        starts, ends = self._spans[title]
        index = bisect.bisect(starts, start)
        starts.insert(index, start)
        ends.insert(index, end)

    def covered(self, start: int, end: int, *, titles: bool = True) -> bool:
        """Whether [start, end) lies within a name (or, unless `titles` is false, a title)."""
        for title in (False, True) if titles else (False,):
            starts, ends = self._spans[title]
            index = bisect.bisect_right(starts, start)
            if any(ends[i] >= end for i in range(max(0, index - 8), index)):
                return True
        return False

    def person_by_surname(self, surname: str) -> ActorFound | None:
        for actor in self._actors:
            if actor.kind is ActorKind.PERSON and surname_of(actor.name) == surname:
                return actor
        return None

    @property
    def actors(self) -> list[ActorFound]:
        return list(self._actors)
