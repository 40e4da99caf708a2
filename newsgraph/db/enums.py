"""The closed vocabularies of the data model, shared by the database checks and the API."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ActorKind",
    "ApiScope",
    "ClaimKind",
    "DatePrecision",
    "EventKind",
    "EventLinkKind",
    "EventStatus",
]


class ActorKind(StrEnum):
    """What an actor is."""

    PERSON = "person"
    ORGANIZATION = "organization"
    GOVERNMENT = "government"
    COUNTRY = "country"


class EventKind(StrEnum):
    """What kind of thing happened (or will)."""

    MEETING = "meeting"
    NEGOTIATION = "negotiation"
    CALL = "call"
    AGREEMENT = "agreement"
    ANNOUNCEMENT = "announcement"
    POLICY = "policy"
    VOTE = "vote"
    RULING = "ruling"
    OTHER = "other"


class EventStatus(StrEnum):
    """Whether an event has happened, as of the reporting article."""

    SCHEDULED = "scheduled"
    OCCURRED = "occurred"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class DatePrecision(StrEnum):
    """How much of a date the source actually gave: `2025-06`, for instance, is a month."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class EventLinkKind(StrEnum):
    """How one event relates to another (from → to)."""

    CAUSES = "causes"
    FOLLOWS = "follows"
    PART_OF = "part_of"
    RELATED = "related"


class ClaimKind(StrEnum):
    """What kind of assertion a claim is."""

    QUOTE = "quote"
    STATEMENT = "statement"
    ACCUSATION = "accusation"
    PROMISE = "promise"
    STATISTIC = "statistic"
    DENIAL = "denial"
    NO_COMMENT = "no_comment"
    PREDICTION = "prediction"


class ApiScope(StrEnum):
    """What an API key may do; each scope includes the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
