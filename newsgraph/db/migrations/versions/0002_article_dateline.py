"""Article dateline: the wire dateline kept apart from the body.

Revision ID: 0002_article_dateline
Revises: 0001_initial
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_article_dateline"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("article", sa.Column("dateline", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("article", "dateline")
