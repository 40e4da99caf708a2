"""An event changes when a claim about it does: `eventChanged` sees claims.

`Event.claims` is part of what an `eventChanged` subscriber selects, so a claim written,
edited or deleted with an `event_id` logs an `update` of that event (and of the event it
pointed at before, when an edit moves it), as the participants, reports and links of
0008 do. Statement-level, with transition tables: a COPY of a batch's claims logs each
event it touches once. An edit of the audit columns alone logs nothing.

Revision ID: 0010_event_changes_from_claims
Revises: 0009_actor_names_lookup
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_event_changes_from_claims"
down_revision: str | None = "0009_actor_names_lookup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "newsgraph_change"
# as in 0008: columns a client never reads as data
_QUIET_COLUMNS = "'{updated_at,updated_by_key_id,search,published_sort,date_sort}'::text[]"
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION claim_event_change_log() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO change_log (topic, op, entity_id)
                SELECT DISTINCT 'event', 'update', n.event_id FROM new_rows n
                WHERE n.event_id IS NOT NULL ORDER BY 3;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO change_log (topic, op, entity_id)
                SELECT DISTINCT 'event', 'update', o.event_id FROM old_rows o
                WHERE o.event_id IS NOT NULL ORDER BY 3;
            ELSE
                INSERT INTO change_log (topic, op, entity_id)
                SELECT DISTINCT 'event', 'update', e.id
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                CROSS JOIN LATERAL (VALUES (n.event_id), (o.event_id)) AS e (id)
                WHERE e.id IS NOT NULL
                  AND to_jsonb(n) - {_QUIET_COLUMNS} IS DISTINCT FROM to_jsonb(o) - {_QUIET_COLUMNS}
                ORDER BY 3;
            END IF;
            IF FOUND THEN
                PERFORM pg_notify('{CHANNEL}', '');
            END IF;
            RETURN NULL;
        END $$
    """)
    for event, transition in TRANSITIONS.items():
        op.execute(
            f"CREATE TRIGGER change_log_event_{event.lower()} AFTER {event} ON claim "
            f"REFERENCING {transition} FOR EACH STATEMENT "
            "EXECUTE FUNCTION claim_event_change_log()"
        )


def downgrade() -> None:
    for event in TRANSITIONS:
        op.execute(f"DROP TRIGGER change_log_event_{event.lower()} ON claim")
    op.execute("DROP FUNCTION claim_event_change_log()")
