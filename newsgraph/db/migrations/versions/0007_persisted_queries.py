"""Persisted queries: documents registered under their SHA-256 (Apollo's APQ protocol).

A client that sent a hash the server did not know sends the document with it once; the
document is stored here so that every server process answers the hash alone from then
on (a process keeps the ones it used in memory). The hash is checked against the
document before it is stored. `created_at` orders the table for trimming: a
registration beyond `NEWSGRAPH_APQ_LIMIT` drops the oldest.

Revision ID: 0007_persisted_queries
Revises: 0006_article_input
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_persisted_queries"
down_revision: str | None = "0006_article_input"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persisted_query",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("hash ~ '^[0-9a-f]{64}$'", name=op.f("ck_persisted_query_sha256_hex")),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_persisted_query")),
    )
    op.create_index(
        op.f("ix_persisted_query_created_at"), "persisted_query", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_persisted_query_created_at"), table_name="persisted_query")
    op.drop_table("persisted_query")
