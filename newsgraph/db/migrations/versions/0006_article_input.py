"""Article input: what an article was made from identifies it when it has no URL.

`article.input_hash` is a digest of the input an article was stored from: a text or
HTML article with its source, or a structured document as given. Re-ingesting the same
text (without a URL) after the extractor changed finds the article by it and updates it
in place, where the content hash (of what was extracted) no longer matches; and an
import skips a document it has stored before without validating it again.

The unique index says the same input makes one article without a URL (NULLS NOT
DISTINCT: the URL may be null); with a URL, the URL identifies the article, and the same
text may be published at two. It also serves the lookups by input hash. Rows stored
before have no input hash: they are found by content hash and URL, as before, and get
one when they are stored again.

Revision ID: 0006_article_input
Revises: 0005_source_sets
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_article_input"
down_revision: str | None = "0005_source_sets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("article", sa.Column("input_hash", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_article_input_hash_url",
        "article",
        ["input_hash", "url"],
        unique=True,
        postgresql_nulls_not_distinct=True,
        postgresql_where=sa.text("input_hash IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_article_input_hash_url", table_name="article")
    op.drop_column("article", "input_hash")
