"""The change log: one row per changed article, claim or event, written by the change.

Subscriptions (`newsgraph.live`) read what changed from here, so every writer has to
append to it in its own transaction, whoever it is: the per-document ingest, the bulk
import (COPY and multi-row INSERT), edits, merges, cascading deletes, plain SQL. Only
triggers see all of them. They are statement-level with transition tables, so a COPY
of 10,000 articles costs one `INSERT ... SELECT` into the log, not 10,000 calls, and a
statement that wrote nothing (an upsert that found every row) logs nothing.

What is logged:

- `article`, `claim`, `event`: insert, delete, and updates that changed a column a
  client reads (not only the audit columns `stamp_update` moves);
- `event_participant`, `article_event` (an article reports the event) and `event_link`
  (both ends): an `update` of the event they belong to.

Ordering. A row's `xid` is its top-level transaction's id (`pg_current_xact_id()`, as
bigint so that the models need no custom type). Identity values are taken when a row
is written, not when its transaction commits, so ids alone would let a reader skip a
row of a transaction that commits after it read a higher id. Readers therefore take
only rows whose transaction is finished for certain, `xid < pg_snapshot_xmin(current
snapshot)`, in `(xid, id)` order: every row of a transaction that finishes later has a
larger xid than every row read before, so a reader that resumes after a position
never misses a row and never sees one twice. The price: a change becomes readable when
every transaction older than its own has finished, so a long write transaction delays
delivery of the changes after it (not their order).

`NOTIFY newsgraph_change` with an empty payload ("something new"), once per
transaction (PostgreSQL folds identical notifications of one transaction); listeners
read the log from where they are. `change_log_horizon` holds the position of the last
row pruned (`newsgraph.live.log.prune`): a cursor at or beyond it can resume exactly, an
older one cannot.

The same revision adds the other state processes share: `rate_budget`, each client's
points left (refilled at the budget's rate when a process reconciles), and
`rate_process`, the processes reconciling now (`newsgraph.limits.shared`); and
`api_key.last_write_at`, so that any process sends a key's reads right after its writes
to the primary, not to a replica that may lag (`newsgraph.http.replicas`).

Revision ID: 0008_change_log
Revises: 0007_persisted_queries
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_change_log"
down_revision: str | None = "0007_persisted_queries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "newsgraph_change"
XID = "(pg_current_xact_id())::text::bigint"
# Columns a client never reads as data: moved on every update by `stamp_update`, or derived.
_QUIET_COLUMNS = "'{updated_at,updated_by_key_id,search,published_sort,date_sort}'::text[]"
ENTITIES = ("article", "claim", "event")
# link table -> the columns naming the event whose state it is part of
EVENT_LINKS = {
    "event_participant": ("event_id",),
    "article_event": ("event_id",),
    "event_link": ("from_event_id", "to_event_id"),
}
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _entity_function() -> str:
    """Logs the rows of article, claim or event (TG_ARGV[0]) a statement wrote."""
    return f"""
        CREATE FUNCTION change_log_entity() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO change_log (topic, op, entity_id)
                SELECT TG_ARGV[0], 'insert', n.id FROM new_rows n ORDER BY n.id;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO change_log (topic, op, entity_id)
                SELECT TG_ARGV[0], 'delete', o.id FROM old_rows o ORDER BY o.id;
            ELSE
                INSERT INTO change_log (topic, op, entity_id)
                SELECT TG_ARGV[0], 'update', n.id
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE to_jsonb(n) - {_QUIET_COLUMNS} IS DISTINCT FROM to_jsonb(o) - {_QUIET_COLUMNS}
                ORDER BY n.id;
            END IF;
            IF FOUND THEN
                PERFORM pg_notify('{CHANNEL}', '');
            END IF;
            RETURN NULL;
        END $$
    """


def _link_function(table: str, columns: tuple[str, ...]) -> str:
    """Logs an update of every event whose participants, reports or links a statement
    changed (once per event and statement)."""

    def events(rows: str) -> str:
        return " UNION ".join(f"SELECT {column} FROM {rows}" for column in columns)

    return f"""
        CREATE FUNCTION {table}_change_log() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO change_log (topic, op, entity_id)
                SELECT 'event', 'update', e.id FROM ({events("new_rows")}) AS e (id) ORDER BY 1;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO change_log (topic, op, entity_id)
                SELECT 'event', 'update', e.id FROM ({events("old_rows")}) AS e (id) ORDER BY 1;
            ELSE
                INSERT INTO change_log (topic, op, entity_id)
                SELECT 'event', 'update', e.id
                FROM ({events("new_rows")} UNION {events("old_rows")}) AS e (id) ORDER BY 1;
            END IF;
            IF FOUND THEN
                PERFORM pg_notify('{CHANNEL}', '');
            END IF;
            RETURN NULL;
        END $$
    """


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("xid", sa.BigInteger(), server_default=sa.text(XID), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "topic IN ('article', 'claim', 'event')", name=op.f("ck_change_log_known_topic")
        ),
        sa.CheckConstraint(
            "op IN ('insert', 'update', 'delete')", name=op.f("ck_change_log_known_op")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index(op.f("ix_change_log_xid_id"), "change_log", ["xid", "id"], unique=True)
    op.create_index(op.f("ix_change_log_created_at"), "change_log", ["created_at"])
    op.create_table(
        "change_log_horizon",
        sa.Column("singleton", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("change_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("singleton", name=op.f("ck_change_log_horizon_one_row")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_change_log_horizon")),
    )
    op.execute("INSERT INTO change_log_horizon DEFAULT VALUES")

    op.create_table(
        "rate_budget",
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("granted", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client", name=op.f("pk_rate_budget")),
    )
    op.create_table(
        "rate_process",
        sa.Column("process", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("process", name=op.f("pk_rate_process")),
    )

    op.add_column("api_key", sa.Column("last_write_at", sa.DateTime(timezone=True), nullable=True))

    op.execute(_entity_function())
    for table in ENTITIES:
        for event, transition in TRANSITIONS.items():
            op.execute(
                f"CREATE TRIGGER change_log_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION change_log_entity('{table}')"
            )
    for table, columns in EVENT_LINKS.items():
        op.execute(_link_function(table, columns))
        for event, transition in TRANSITIONS.items():
            op.execute(
                f"CREATE TRIGGER change_log_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {table}_change_log()"
            )


def downgrade() -> None:
    for table in (*ENTITIES, *EVENT_LINKS):
        for event in TRANSITIONS:
            op.execute(f"DROP TRIGGER change_log_{event.lower()} ON {table}")
    for table in EVENT_LINKS:
        op.execute(f"DROP FUNCTION {table}_change_log()")
    op.execute("DROP FUNCTION change_log_entity()")
    op.drop_column("api_key", "last_write_at")
    op.drop_table("rate_process")
    op.drop_table("rate_budget")
    op.drop_table("change_log_horizon")
    op.drop_index(op.f("ix_change_log_created_at"), table_name="change_log")
    op.drop_index(op.f("ix_change_log_xid_id"), table_name="change_log")
    op.drop_table("change_log")
