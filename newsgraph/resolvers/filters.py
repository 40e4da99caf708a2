"""Filters as declarations: each field of a filter input, how its value is read, and the
SQL condition it stands for.

Both executors read these. The resolver path parses the values a request gave and builds
conditions over them (`Filter.bind`); the compiler builds the same conditions over bound
parameters, once per query shape, and parses the values per request. A condition is a
function of one SQL value expression, so it does not care which of the two it gets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from newsgraph.db.models import (
    Actor,
    ActorRedirect,
    Article,
    ArticleActor,
    ArticleEvent,
    Claim,
    ClaimAbout,
    Event,
    EventParticipant,
)
from newsgraph.errors import InputError
from newsgraph.ids import decode_id

__all__ = [
    "ACTOR_FILTER",
    "ARTICLE_FILTER",
    "CLAIM_FILTER",
    "EVENT_FILTER",
    "BoundFilter",
    "Criterion",
    "Filter",
    "current_actor",
    "like_pattern",
    "text_query",
]


def text_query(text: Any) -> Any:
    """A full-text query as people type it: words, "phrases", -exclusions, or."""
    return func.websearch_to_tsquery("english", text)


def current_actor(actor_id: Any) -> ColumnElement[int]:
    """The actor `actor_id` is now: itself, or the survivor it was merged into, found by
    PostgreSQL inside the filtering statement (no statement of its own)."""
    redirect = aliased(ActorRedirect)
    survivor = select(redirect.actor_id).where(redirect.merged_id == actor_id)
    return func.coalesce(survivor.scalar_subquery(), actor_id)


def like_pattern(text: str) -> str:
    """`%text%` for ILIKE, with the pattern characters of `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Criterion:
    """One field of a filter input.

    `parse` turns the argument value (as GraphQL coerced it) into the value the
    condition compares with, raising `InputError` naming `path` when it cannot;
    `condition` is the SQL it stands for, over the filtered entity (the model, or an alias
    of it inside a bigger statement) and that value as an SQL expression. Any other table
    it reads is aliased afresh on each call, so it never correlates with an outer query.
    """

    field: str  # the GraphQL input field
    attribute: str  # the Strawberry input's attribute
    condition: Callable[[Any, Any], ColumnElement[bool]]  # (the filtered entity, the value)
    parse: Callable[[Any, str], Any] = lambda value, path: value
    blank_is_absent: bool = False  # an empty search string searches for nothing in particular

    def applies(self, value: Any) -> bool:
        """Whether `value` asks for this condition at all."""
        return value is not None and not (self.blank_is_absent and value == "")


def _global_id(type_name: str) -> Callable[[Any, str], int]:
    def parse(value: Any, path: str) -> int:
        return decode_id(str(value), type_name, argument=path)[1]

    return parse


def _member(value: Any, path: str) -> Any:
    """An enum argument as stored: Strawberry hands over the member, SDL coercion the name."""
    return value.value if hasattr(value, "value") else value


def _datetime(value: Any, path: str) -> datetime:
    """An instant; one without an offset is UTC, as ingest reads it. Passed on naive, it
    would be read in whichever time zone the statement's reader has (the session's for
    the resolvers, the Python process's for asyncpg), and the executors would disagree."""
    if not isinstance(value, datetime):
        raise InputError(f"`{path}`: {value!r} is not a DateTime")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _date(value: Any, path: str) -> date:
    if not isinstance(value, date):
        raise InputError(f"`{path}`: {value!r} is not a Date")
    return value


def _upper(value: Any, path: str) -> str:
    return str(value).upper()


def _like(value: Any, path: str) -> str:
    return like_pattern(str(value))


def _alias_matches(actor: Any, pattern: Any) -> ColumnElement[bool]:
    alias = func.unnest(actor.aliases).table_valued("alias").render_derived()
    return or_(
        actor.name.ilike(pattern),
        exists(select(alias.c.alias).where(alias.c.alias.ilike(pattern))),
    )


def _mentions(article: Any, actor_id: Any) -> ColumnElement[bool]:
    link = aliased(ArticleActor)
    return exists().where(link.article_id == article.id, link.actor_id == current_actor(actor_id))


def _reports(article: Any, event_id: Any) -> ColumnElement[bool]:
    link = aliased(ArticleEvent)
    return exists().where(link.article_id == article.id, link.event_id == event_id)


def _about(claim: Any, actor_id: Any) -> ColumnElement[bool]:
    link = aliased(ClaimAbout)
    return exists().where(link.claim_id == claim.id, link.actor_id == current_actor(actor_id))


def _with_participant(event: Any, actor_id: Any) -> ColumnElement[bool]:
    link = aliased(EventParticipant)
    return exists().where(link.event_id == event.id, link.actor_id == current_actor(actor_id))


@dataclass(frozen=True)
class Filter:
    """A filter input: its name in the schema and its criteria, all of which must hold."""

    name: str
    model: Any  # the entity filtered
    criteria: tuple[Criterion, ...]

    def given(self, values: Mapping[str, Any], argument: str = "filter") -> BoundFilter:
        """The filter with the values a request gave (by GraphQL field name), parsed."""
        parsed = tuple(
            (
                criterion.field,
                criterion.parse(values[criterion.field], f"{argument}.{criterion.field}"),
            )
            for criterion in self.criteria
            if criterion.applies(values.get(criterion.field))
        )
        return BoundFilter(self, parsed)

    def of_input(self, input: object, argument: str = "filter") -> BoundFilter:
        """The filter with the fields a Strawberry input object set."""
        return self.given(
            {c.field: getattr(input, c.attribute, None) for c in self.criteria}, argument
        )

    def criterion(self, field: str) -> Criterion:
        """The criterion of GraphQL input field `field`."""
        return next(c for c in self.criteria if c.field == field)


@dataclass(frozen=True)
class BoundFilter:
    """A filter with parsed values; hashable, so sibling fields with the same filter
    share one batch."""

    filter: Filter
    values: tuple[tuple[str, Any], ...]

    def __call__(self) -> list[ColumnElement[bool]]:
        model = self.filter.model
        return [
            self.filter.criterion(field).condition(model, literal(value))
            for field, value in self.values
        ]


ARTICLE_FILTER = Filter(
    "ArticleFilter",
    Article,
    (
        Criterion("sourceId", "source_id", lambda a, v: a.source_id == v, _global_id("Source")),
        Criterion("actorId", "actor_id", _mentions, _global_id("Actor")),
        Criterion("eventId", "event_id", _reports, _global_id("Event")),
        Criterion("publishedAfter", "published_after", lambda a, v: a.published_at >= v, _datetime),
        Criterion(
            "publishedBefore", "published_before", lambda a, v: a.published_at < v, _datetime
        ),
        Criterion(
            "search",
            "search",
            lambda a, v: a.search.bool_op("@@")(text_query(v)),
            blank_is_absent=True,
        ),
    ),
)

CLAIM_FILTER = Filter(
    "ClaimFilter",
    Claim,
    (
        Criterion("kind", "kind", lambda c, v: c.kind == v, _member),
        Criterion(
            "claimantId",
            "claimant_id",
            lambda c, v: c.claimant_id == current_actor(v),
            _global_id("Actor"),
        ),
        Criterion("aboutId", "about_id", _about, _global_id("Actor")),
        Criterion("eventId", "event_id", lambda c, v: c.event_id == v, _global_id("Event")),
        Criterion(
            "search",
            "search",
            lambda c, v: c.search.bool_op("@@")(text_query(v)),
            blank_is_absent=True,
        ),
    ),
)

ACTOR_FILTER = Filter(
    "ActorFilter",
    Actor,
    (
        Criterion("kind", "kind", lambda a, v: a.kind == v, _member),
        Criterion("country", "country", lambda a, v: a.country == v, _upper),
        Criterion("search", "search", _alias_matches, _like, blank_is_absent=True),
    ),
)

EVENT_FILTER = Filter(
    "EventFilter",
    Event,
    (
        Criterion("kind", "kind", lambda e, v: e.kind == v, _member),
        Criterion("status", "status", lambda e, v: e.status == v, _member),
        Criterion("actorId", "actor_id", _with_participant, _global_id("Actor")),
        Criterion("from", "from_", lambda e, v: e.date >= v, _date),
        Criterion("to", "to", lambda e, v: e.date <= v, _date),
    ),
)
