"""The tables of the news graph.

Integrity lives here, in the database: foreign keys with indexes, CHECKs on every
vocabulary, unique constraints that make re-import idempotent, and delete rules under
which a claim is never orphaned (it goes with its article; an actor that still speaks
or is spoken of cannot be deleted, it has to be merged away first).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsgraph.db.base import Base, CreatedUpdated, WrittenBy, enum_column_type
from newsgraph.db.enums import (
    ActorKind,
    ClaimKind,
    DatePrecision,
    EventKind,
    EventLinkKind,
    EventStatus,
)

__all__ = [
    "Actor",
    "ActorRedirect",
    "ActorSource",
    "ActorSourceSet",
    "ApiKey",
    "Article",
    "ArticleActor",
    "ArticleEvent",
    "ChangeLog",
    "ChangeLogHorizon",
    "Claim",
    "ClaimAbout",
    "Event",
    "EventLink",
    "EventParticipant",
    "EventSource",
    "EventSourceSet",
    "PersistedQuery",
    "RateBudget",
    "RateProcess",
    "Source",
    "SourceSet",
]


def _id() -> Mapped[int]:
    return mapped_column(BigInteger, Identity(always=False), primary_key=True)


class Source(CreatedUpdated, WrittenBy, Base):
    """A publisher. Its disclaimer travels with everything derived from its articles."""

    __tablename__ = "source"
    __table_args__ = (
        Index(
            "uq_source_name_without_domain",
            "name",
            unique=True,
            postgresql_where=text("domain IS NULL"),
        ),
        CheckConstraint(
            "disclaimer_heading IS NULL OR disclaimer_text IS NOT NULL",
            name="disclaimer_heading_needs_text",
        ),
    )

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(Text, unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    disclaimer_heading: Mapped[str | None] = mapped_column(Text)
    disclaimer_text: Mapped[str | None] = mapped_column(Text)


class Article(WrittenBy, Base):
    """One published piece, with the disclaimer found in its own text (if any)."""

    __tablename__ = "article"
    __table_args__ = (
        Index("ix_article_published_sort_id", "published_sort", "id"),
        Index("ix_article_ingested_at_id", "ingested_at", "id"),
        Index("ix_article_search", "search", postgresql_using="gin"),
        # the same input makes one article without a URL (migration 0006)
        Index(
            "uq_article_input_hash_url",
            "input_hash",
            "url",
            unique=True,
            postgresql_nulls_not_distinct=True,
            postgresql_where=text("input_hash IS NOT NULL"),
        ),
        CheckConstraint(
            "disclaimer_heading IS NULL OR disclaimer_text IS NOT NULL",
            name="disclaimer_heading_needs_text",
        ),
        CheckConstraint(
            "(published_at IS NULL) = (published_precision IS NULL)",
            name="published_precision_with_date",
        ),
    )

    id: Mapped[int] = _id()
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)
    url: Mapped[str | None] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column_type(DatePrecision, "published_precision")
    )
    # The feed's sort key: undated articles sort as the oldest, and keyset cursors need
    # a key without NULLs to compare against.
    published_sort: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        Computed("coalesce(published_at, '-infinity'::timestamptz)", persisted=True),
    )
    language: Mapped[str | None] = mapped_column(String(16))
    # A wire dateline ("LONDON, June 9 (Reuters)"), kept apart from the body.
    dateline: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # what it was made from: text or HTML with its source, or a document as given
    input_hash: Mapped[str | None] = mapped_column(String(64))
    disclaimer_heading: Mapped[str | None] = mapped_column(Text)
    disclaimer_text: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    search: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english'::regconfig, body), 'B')",
            persisted=True,
        ),
        deferred=True,
    )

    source: Mapped[Source] = relationship(lazy="raise")


class Actor(CreatedUpdated, WrittenBy, Base):
    """A person, organisation, government or country that acts, speaks or is spoken of."""

    __tablename__ = "actor"
    __table_args__ = (
        Index("uq_actor_name_normalized_kind", "name_normalized", "kind", unique=True),
        # fastupdate off: an import probes it once per name (migration 0009)
        Index(
            "ix_actor_match_names",
            "match_names",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        Index(
            "ix_actor_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_iso_alpha2"),
        CheckConstraint("affiliation_id <> id", name="not_affiliated_to_itself"),
    )

    id: Mapped[int] = _id()
    key: Mapped[str | None] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    name_normalized: Mapped[str] = mapped_column(Text)
    kind: Mapped[ActorKind] = mapped_column(enum_column_type(ActorKind, "actor_kind"))
    title: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    match_names: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    wikidata_id: Mapped[str | None] = mapped_column(Text)
    affiliation_id: Mapped[int | None] = mapped_column(
        ForeignKey("actor.id", ondelete="SET NULL"), index=True
    )


class ActorRedirect(Base):
    """An actor merged away, and the actor it became: its global ID still resolves."""

    __tablename__ = "actor_redirect"

    merged_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Event(CreatedUpdated, WrittenBy, Base):
    """Something that happened or is scheduled, with the date as precisely as it is known."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_title_normalized_date", "title_normalized", "date"),
        Index("ix_event_date_sort_id", "date_sort", "id"),
        CheckConstraint("(date IS NULL) = (date_precision IS NULL)", name="precision_with_date"),
    )

    id: Mapped[int] = _id()
    key: Mapped[str | None] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    title_normalized: Mapped[str] = mapped_column(Text)
    kind: Mapped[EventKind] = mapped_column(enum_column_type(EventKind, "event_kind"))
    status: Mapped[EventStatus] = mapped_column(
        enum_column_type(EventStatus, "event_status"), server_default=EventStatus.UNKNOWN.value
    )
    location: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column_type(DatePrecision, "date_precision")
    )
    date_text: Mapped[str | None] = mapped_column(Text)
    # The sort key of EventOrder: undated events sort as the oldest (see Article).
    date_sort: Mapped[dt.date] = mapped_column(
        Date, Computed("coalesce(date, '-infinity'::date)", persisted=True)
    )


class EventParticipant(Base):
    """An actor's part in an event."""

    __tablename__ = "event_participant"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[str | None] = mapped_column(Text)


class EventLink(Base):
    """A directed relation between two events: `from` causes, follows, is part of `to`."""

    __tablename__ = "event_link"
    __table_args__ = (CheckConstraint("from_event_id <> to_event_id", name="not_to_itself"),)

    from_event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    to_event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[EventLinkKind] = mapped_column(
        enum_column_type(EventLinkKind, "event_link_kind"), primary_key=True
    )


class Claim(CreatedUpdated, WrittenBy, Base):
    """An assertion made in an article, by an actor or (claimant null) by the publisher."""

    __tablename__ = "claim"
    __table_args__ = (
        Index("ix_claim_search", "search", postgresql_using="gin"),
        CheckConstraint(
            "(span_start IS NULL AND span_end IS NULL) "
            "OR (span_start >= 0 AND span_end > span_start)",
            name="span_is_a_range",
        ),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
    )

    id: Mapped[int] = _id()
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[ClaimKind] = mapped_column(enum_column_type(ClaimKind, "claim_kind"))
    claimant_id: Mapped[int | None] = mapped_column(
        ForeignKey("actor.id", ondelete="RESTRICT"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    search: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed("to_tsvector('english'::regconfig, text)", persisted=True),
        deferred=True,
    )


class ClaimAbout(Base):
    """An actor a claim is about."""

    __tablename__ = "claim_about"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ArticleActor(Base):
    """An article mentions an actor (`mention_count` times)."""

    __tablename__ = "article_actor"
    __table_args__ = (CheckConstraint("mention_count > 0", name="mention_count_positive"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    mention_count: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class ArticleEvent(Base):
    """An article reports an event."""

    __tablename__ = "article_event"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ActorSource(Base):
    """How many articles of a source mention an actor: the sources behind an actor by key.

    Derived from `article_actor` and kept exact by triggers (migration 0004), so that
    finding the publishers behind an actor reads a row per source, not one per mention.
    `first_disclaimed_article_id` is the lowest id among those articles that carry a
    disclaimer of their own (a source without one falls back to it). It has no foreign
    key: the triggers replace it before its article goes, and a key would make every
    article delete search these tables through one more index.
    """

    __tablename__ = "actor_source"
    __table_args__ = (CheckConstraint("article_count > 0", name="article_count_positive"),)

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    article_count: Mapped[int] = mapped_column(Integer)
    first_disclaimed_article_id: Mapped[int | None] = mapped_column(BigInteger)


class EventSource(Base):
    """How many articles of a source report an event; `ActorSource` for events."""

    __tablename__ = "event_source"
    __table_args__ = (CheckConstraint("article_count > 0", name="article_count_positive"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    article_count: Mapped[int] = mapped_column(Integer)
    first_disclaimed_article_id: Mapped[int | None] = mapped_column(BigInteger)


class SourceSet(Base):
    """A sorted list of source ids, stored once however many actors and events it is behind.

    Derived from `actor_source`/`event_source` and kept by triggers (migration 0005):
    thousands of actors share a hundred or so lists, so the publishers behind the actors
    a response reached are read from their few lists, not from a row per actor and source.
    Lists are unique by `digest` (md5 of the list's text, computed by the database): a
    btree entry of the array itself stops fitting an index page beyond ~300 sources.
    """

    __tablename__ = "source_set"

    id: Mapped[int] = _id()
    source_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    digest: Mapped[str] = mapped_column(
        Text, Computed("source_set_digest(source_ids)", persisted=True), unique=True
    )


class ActorSourceSet(Base):
    """The set of sources behind an actor; no row while no article mentions it."""

    __tablename__ = "actor_source_set"

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True
    )
    set_id: Mapped[int] = mapped_column(ForeignKey("source_set.id"), index=True)


class EventSourceSet(Base):
    """The set of sources behind an event; `ActorSourceSet` for events."""

    __tablename__ = "event_source_set"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    set_id: Mapped[int] = mapped_column(ForeignKey("source_set.id"), index=True)


class ApiKey(Base):
    """A client credential. Only a hash of the secret is kept; the prefix finds the row."""

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint(
            "scopes <@ ARRAY['read', 'write', 'admin']::text[] AND cardinality(scopes) > 0",
            name="known_scopes",
        ),
    )

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(Text, unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # its last write, when reads may go to a replica: its reads after it go to the primary
    last_write_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PersistedQuery(Base):
    """A document registered under its SHA-256 (Apollo's automatic persisted queries).

    Kept here, not in a process's memory, so that a hash registered through one server
    process is answered by every other one. Bounded by `NEWSGRAPH_APQ_LIMIT`: a new
    registration beyond it drops the oldest (`newsgraph.db.persisted`).
    """

    __tablename__ = "persisted_query"
    __table_args__ = (CheckConstraint("hash ~ '^[0-9a-f]{64}$'", name="sha256_hex"),)

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class ChangeLog(Base):
    """One changed article, claim or event, logged by triggers in the changing transaction
    (migration 0008): what subscriptions read, in `(xid, id)` order (`newsgraph.live`)."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_xid_id", "xid", "id", unique=True),
        CheckConstraint("topic IN ('article', 'claim', 'event')", name="known_topic"),
        CheckConstraint("op IN ('insert', 'update', 'delete')", name="known_op"),
    )

    id: Mapped[int] = _id()
    # the writing transaction's top-level id: rows are read once it has surely finished
    xid: Mapped[int] = mapped_column(
        BigInteger, server_default=text("(pg_current_xact_id())::text::bigint")
    )
    topic: Mapped[str] = mapped_column(String(16))
    op: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class ChangeLogHorizon(Base):
    """The one row saying up to where the change log was pruned: a cursor before it
    cannot be resumed."""

    __tablename__ = "change_log_horizon"
    __table_args__ = (CheckConstraint("singleton", name="one_row"),)

    singleton: Mapped[bool] = mapped_column(primary_key=True, server_default=text("true"))
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    change_id: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class RateBudget(Base):
    """A client's rate budget shared by every server process (`newsgraph.limits.shared`):
    its points left when last reconciled."""

    __tablename__ = "rate_budget"

    client: Mapped[str] = mapped_column(Text, primary_key=True)
    points: Mapped[float]
    # the lease the last round took out of `points` for the process that ran it
    granted: Mapped[float]
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RateProcess(Base):
    """A server process that reconciles rate budgets: the live ones share each budget."""

    __tablename__ = "rate_process"

    process: Mapped[str] = mapped_column(Text, primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
