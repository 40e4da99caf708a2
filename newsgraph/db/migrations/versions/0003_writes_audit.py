"""Writes: which API key created and last changed each row, and merged actors' redirects.

`created_by_key_id`/`updated_by_key_id` default to the transaction's
`newsgraph.api_key_id` setting; the `stamp_update` trigger sets `updated_by_key_id` and
`updated_at` on every UPDATE, whoever writes it.

Revision ID: 0003_writes_audit
Revises: 0002_article_dateline
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_writes_audit"
down_revision: str | None = "0002_article_dateline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDITED = ("source", "article", "actor", "event", "claim")
CURRENT_WRITER = "nullif(current_setting('newsgraph.api_key_id', true), '')::bigint"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION stamp_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            NEW.updated_by_key_id := {CURRENT_WRITER};
            RETURN NEW;
        END
        $$
        """
    )
    for table in AUDITED:
        for column in ("created_by_key_id", "updated_by_key_id"):
            op.add_column(
                table,
                sa.Column(
                    column, sa.BigInteger(), server_default=sa.text(CURRENT_WRITER), nullable=True
                ),
            )
            op.create_index(f"ix_{table}_{column}", table, [column])
            op.create_foreign_key(
                f"fk_{table}_{column}_api_key",
                table,
                "api_key",
                [column],
                ["id"],
                ondelete="SET NULL",
            )
        op.execute(
            f"CREATE TRIGGER stamp_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION stamp_update()"
        )
    op.create_table(
        "actor_redirect",
        sa.Column("merged_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "merged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name="fk_actor_redirect_actor_id_actor", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("merged_id", name="pk_actor_redirect"),
    )
    op.create_index("ix_actor_redirect_actor_id", "actor_redirect", ["actor_id"])


def downgrade() -> None:
    op.drop_index("ix_actor_redirect_actor_id", table_name="actor_redirect")
    op.drop_table("actor_redirect")
    for table in AUDITED:
        op.execute(f"DROP TRIGGER stamp_update ON {table}")
        for column in ("created_by_key_id", "updated_by_key_id"):
            op.drop_constraint(f"fk_{table}_{column}_api_key", table, type_="foreignkey")
            op.drop_index(f"ix_{table}_{column}", table_name=table)
            op.drop_column(table, column)
    op.execute("DROP FUNCTION stamp_update()")
