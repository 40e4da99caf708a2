"""Where actors are mentioned in a sentence, pronouns resolved to the last person named."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.actors import ActorFound
from newsgraph.ingest.extract.lexicon import CAPITALS, DEMONYMS, alternation

__all__ = ["Mention", "MentionFinder"]

_PRONOUN = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """An actor named (or referred to) at [start, end) of a sentence."""

    actor: ActorFound
    start: int
    end: int


class MentionFinder:
    """Finds mentions of a fixed set of actors, remembering the last person named."""

    def __init__(self, actors: list[ActorFound]) -> None:
        self.by_form: dict[str, ActorFound] = {}
        for actor in actors:
            for form in actor.forms:
                self.by_form.setdefault(form, actor)
            if actor.kind is ActorKind.COUNTRY:
                for demonym, country in DEMONYMS.items():
                    if country == actor.name:
                        self.by_form.setdefault(f"{demonym} officials", actor)
                        self.by_form.setdefault(f"{demonym} side", actor)
                        self.by_form.setdefault(f"{demonym} government", actor)
                for capital, country in CAPITALS.items():
                    if country == actor.name:
                        self.by_form.setdefault(capital, actor)
        self.pattern = (
            re.compile(rf"(?<![\w])(?:{alternation(list(self.by_form))})(?![\w])")
            if self.by_form
            else None
        )
        self.last_person: ActorFound | None = None

    def find(self, sentence: str) -> list[Mention]:
        """Mentions in order; "he"/"she" count as the last person named before them."""
        named = []
        if self.pattern is not None:
            named = [
                Mention(self.by_form[m.group(0)], m.start(), m.end())
                for m in self.pattern.finditer(sentence)
            ]
        mentions = list(named)
        for match in _PRONOUN.finditer(sentence):
            before = [
                m for m in named if m.end <= match.start() and m.actor.kind is ActorKind.PERSON
            ]
            person = before[-1].actor if before else self.last_person
            if person is not None:
                mentions.append(Mention(person, match.start(), match.end()))
        mentions.sort(key=lambda m: m.start)
        people = [m.actor for m in named if m.actor.kind is ActorKind.PERSON]
        if people:
            self.last_person = people[-1]
        return mentions
