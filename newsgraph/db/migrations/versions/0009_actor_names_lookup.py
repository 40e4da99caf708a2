"""Actor names looked up without GIN's pending list: `fastupdate` off on `match_names`.

Storing a batch of documents reads every actor a document names, one probe of
`ix_actor_match_names` per name (`newsgraph.ingest.batch.state`): a batch of 1,000
benchmark documents names thousands. With `fastupdate` on (PostgreSQL's default), new
entries wait in a pending list, which every probe reads through until VACUUM merges it:
with ~900 entries pending, a probe cost 100 µs instead of 4, so a batch spent most of a
second looking its actors up. Actors are written far less often than they are looked
up, so their entries now go into the index at once; the pending list there is merged
here.

Revision ID: 0009_actor_names_lookup
Revises: 0008_change_log
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_actor_names_lookup"
down_revision: str | None = "0008_change_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER INDEX ix_actor_match_names SET (fastupdate = off)")
    # turning it off leaves what is pending there, until a VACUUM
    op.execute("SELECT gin_clean_pending_list('ix_actor_match_names'::regclass)")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_actor_match_names RESET (fastupdate)")
