"""The actors of one article: people, organisations, governments and countries.

The finders add to one `Registry`, strongest cue first: people introduced with a role,
organisations named by a head noun, organisations known by a cue, people known only as
speakers, the short forms organisations go by, countries; last, each actor gets the
country the article shows it belongs to.
"""

from __future__ import annotations

from newsgraph.ingest.extract import (
    countries,
    cues,
    nationality,
    organisations,
    people,
    short_forms,
)
from newsgraph.ingest.extract.registry import ActorFound, Registry

__all__ = ["find_actors"]


def find_actors(text: str) -> list[ActorFound]:
    """The actors of an article's text, in the order they were found."""
    registry = Registry(text)
    people.find_introduced(registry)
    organisations.find(registry)
    cues.find(registry)
    people.find_speakers(registry)
    short_forms.find(registry)
    countries.find(registry)
    nationality.assign(registry)
    return registry.actors
