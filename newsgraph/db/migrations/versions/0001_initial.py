"""Initial schema: sources, articles, actors, events, claims, their links, API keys.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # trigram matching of actor names (a trusted extension: a database owner may create it)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "actor",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_normalized", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "person",
                "organization",
                "government",
                "country",
                name="actor_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column(
            "aliases",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column(
            "match_names",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("wikidata_id", sa.Text(), nullable=True),
        sa.Column("affiliation_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f("ck_actor_country_iso_alpha2")),
        sa.CheckConstraint("affiliation_id <> id", name=op.f("ck_actor_not_affiliated_to_itself")),
        sa.ForeignKeyConstraint(
            ["affiliation_id"],
            ["actor.id"],
            name=op.f("fk_actor_affiliation_id_actor"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
        sa.UniqueConstraint("key", name=op.f("uq_actor_key")),
    )
    op.create_index(op.f("ix_actor_affiliation_id"), "actor", ["affiliation_id"], unique=False)
    op.create_index(
        "ix_actor_match_names", "actor", ["match_names"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_actor_name_trgm",
        "actor",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "uq_actor_name_normalized_kind", "actor", ["name_normalized", "kind"], unique=True
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "scopes <@ ARRAY['read', 'write', 'admin']::text[] AND cardinality(scopes) > 0",
            name=op.f("ck_api_key_known_scopes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("name", name=op.f("uq_api_key_name")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_normalized", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "meeting",
                "negotiation",
                "call",
                "agreement",
                "announcement",
                "policy",
                "vote",
                "ruling",
                "other",
                name="event_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "occurred",
                "cancelled",
                "unknown",
                name="event_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="unknown",
            nullable=False,
        ),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="date_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("date_text", sa.Text(), nullable=True),
        sa.Column(
            "date_sort",
            sa.Date(),
            sa.Computed("coalesce(date, '-infinity'::date)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(date IS NULL) = (date_precision IS NULL)", name=op.f("ck_event_precision_with_date")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("key", name=op.f("uq_event_key")),
    )
    op.create_index("ix_event_date_sort_id", "event", ["date_sort", "id"], unique=False)
    op.create_index(
        "ix_event_title_normalized_date", "event", ["title_normalized", "date"], unique=False
    )
    op.create_table(
        "source",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("disclaimer_heading", sa.Text(), nullable=True),
        sa.Column("disclaimer_text", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "disclaimer_heading IS NULL OR disclaimer_text IS NOT NULL",
            name=op.f("ck_source_disclaimer_heading_needs_text"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("domain", name=op.f("uq_source_domain")),
    )
    op.create_index(
        "uq_source_name_without_domain",
        "source",
        ["name"],
        unique=True,
        postgresql_where=sa.text("domain IS NULL"),
    )
    op.create_table(
        "article",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "sections",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "published_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="published_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "published_sort",
            sa.DateTime(timezone=True),
            sa.Computed("coalesce(published_at, '-infinity'::timestamptz)", persisted=True),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("disclaimer_heading", sa.Text(), nullable=True),
        sa.Column("disclaimer_text", sa.Text(), nullable=True),
        sa.Column(
            "ingested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, body), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(published_at IS NULL) = (published_precision IS NULL)",
            name=op.f("ck_article_published_precision_with_date"),
        ),
        sa.CheckConstraint(
            "disclaimer_heading IS NULL OR disclaimer_text IS NOT NULL",
            name=op.f("ck_article_disclaimer_heading_needs_text"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_article_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_article_content_hash")),
        sa.UniqueConstraint("url", name=op.f("uq_article_url")),
    )
    op.create_index("ix_article_ingested_at_id", "article", ["ingested_at", "id"], unique=False)
    op.create_index(
        "ix_article_published_sort_id", "article", ["published_sort", "id"], unique=False
    )
    op.create_index(
        "ix_article_search", "article", ["search"], unique=False, postgresql_using="gin"
    )
    op.create_index(op.f("ix_article_source_id"), "article", ["source_id"], unique=False)
    op.create_table(
        "event_link",
        sa.Column("from_event_id", sa.BigInteger(), nullable=False),
        sa.Column("to_event_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "causes",
                "follows",
                "part_of",
                "related",
                name="event_link_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "from_event_id <> to_event_id", name=op.f("ck_event_link_not_to_itself")
        ),
        sa.ForeignKeyConstraint(
            ["from_event_id"],
            ["event.id"],
            name=op.f("fk_event_link_from_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_event_id"],
            ["event.id"],
            name=op.f("fk_event_link_to_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_event_id", "to_event_id", "kind", name=op.f("pk_event_link")),
    )
    op.create_index(op.f("ix_event_link_to_event_id"), "event_link", ["to_event_id"], unique=False)
    op.create_table(
        "event_participant",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actor.id"],
            name=op.f("fk_event_participant_actor_id_actor"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_participant_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "actor_id", name=op.f("pk_event_participant")),
    )
    op.create_index(
        op.f("ix_event_participant_actor_id"), "event_participant", ["actor_id"], unique=False
    )
    op.create_table(
        "article_actor",
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("mention_count", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "mention_count > 0", name=op.f("ck_article_actor_mention_count_positive")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actor.id"],
            name=op.f("fk_article_actor_actor_id_actor"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_actor_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "actor_id", name=op.f("pk_article_actor")),
    )
    op.create_index(op.f("ix_article_actor_actor_id"), "article_actor", ["actor_id"], unique=False)
    op.create_table(
        "article_event",
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_event_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_article_event_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "event_id", name=op.f("pk_article_event")),
    )
    op.create_index(op.f("ix_article_event_event_id"), "article_event", ["event_id"], unique=False)
    op.create_table(
        "claim",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "quote",
                "statement",
                "accusation",
                "promise",
                "statistic",
                "denial",
                "no_comment",
                "prediction",
                name="claim_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("claimant_id", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, text)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(span_start IS NULL AND span_end IS NULL) OR (span_start >= 0 AND span_end > span_start)",
            name=op.f("ck_claim_span_is_a_range"),
        ),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_claim_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_claim_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claimant_id"],
            ["actor.id"],
            name=op.f("fk_claim_claimant_id_actor"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_claim_event_id_event"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    op.create_index(op.f("ix_claim_article_id"), "claim", ["article_id"], unique=False)
    op.create_index(op.f("ix_claim_claimant_id"), "claim", ["claimant_id"], unique=False)
    op.create_index(op.f("ix_claim_event_id"), "claim", ["event_id"], unique=False)
    op.create_index("ix_claim_search", "claim", ["search"], unique=False, postgresql_using="gin")
    op.create_table(
        "claim_about",
        sa.Column("claim_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actor.id"],
            name=op.f("fk_claim_about_actor_id_actor"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_about_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "actor_id", name=op.f("pk_claim_about")),
    )
    op.create_index(op.f("ix_claim_about_actor_id"), "claim_about", ["actor_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_about_actor_id"), table_name="claim_about")
    op.drop_table("claim_about")
    op.drop_index("ix_claim_search", table_name="claim", postgresql_using="gin")
    op.drop_index(op.f("ix_claim_event_id"), table_name="claim")
    op.drop_index(op.f("ix_claim_claimant_id"), table_name="claim")
    op.drop_index(op.f("ix_claim_article_id"), table_name="claim")
    op.drop_table("claim")
    op.drop_index(op.f("ix_article_event_event_id"), table_name="article_event")
    op.drop_table("article_event")
    op.drop_index(op.f("ix_article_actor_actor_id"), table_name="article_actor")
    op.drop_table("article_actor")
    op.drop_index(op.f("ix_event_participant_actor_id"), table_name="event_participant")
    op.drop_table("event_participant")
    op.drop_index(op.f("ix_event_link_to_event_id"), table_name="event_link")
    op.drop_table("event_link")
    op.drop_index(op.f("ix_article_source_id"), table_name="article")
    op.drop_index("ix_article_search", table_name="article", postgresql_using="gin")
    op.drop_index("ix_article_published_sort_id", table_name="article")
    op.drop_index("ix_article_ingested_at_id", table_name="article")
    op.drop_table("article")
    op.drop_index(
        "uq_source_name_without_domain",
        table_name="source",
        postgresql_where=sa.text("domain IS NULL"),
    )
    op.drop_table("source")
    op.drop_index("ix_event_title_normalized_date", table_name="event")
    op.drop_index("ix_event_date_sort_id", table_name="event")
    op.drop_table("event")
    op.drop_table("api_key")
    op.drop_index("uq_actor_name_normalized_kind", table_name="actor")
    op.drop_index(
        "ix_actor_name_trgm",
        table_name="actor",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_index("ix_actor_match_names", table_name="actor", postgresql_using="gin")
    op.drop_index(op.f("ix_actor_affiliation_id"), table_name="actor")
    op.drop_table("actor")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
