"""Source sets: the sources behind each actor and event as one shared, sorted list.

A response that reaches ~540 actors reads ~10,700 `actor_source` rows (one per actor and
source) only to learn which of 20 sources stand behind them; yet those actors have few
distinct source lists among them (137 among 3,000 actors in the benchmark's data). So each
distinct sorted list is stored once, in `source_set`, and every actor and event names
its list: `actor_source_set`, `event_source_set`. The disclaimers of a response
(`newsgraph.db.provenance`) then read one mapping row per actor and one row per distinct
list.

`source_set.digest` (md5 of the list's text) carries the unique constraint: a btree
entry of the array itself no longer fits an index page beyond ~300 sources. The digest
is computed by `source_set_digest`, declared IMMUTABLE because `bigint[]`'s text does
not depend on any setting (the built-in array output is only STABLE, in general, and a
generated column needs an immutable expression).

The tables are derived from `actor_source`/`event_source` (migration 0004), so
triggers on those keep them, whoever writes:

- rows inserted or deleted: a statement-level trigger hands the statement's entities
  to `<mapping>_refresh` once, however many rows it wrote, so a bulk insert of links
  costs a few set-based statements, not a call per row; a statement that wrote no row
  (an upsert that only counted articles up, most of them) makes no call;
- a row's key changed: a row trigger with a WHEN, so that the count updates of 0004,
  which never change a key, cost nothing (no call, no transition table). A statement
  written by hand that changes keys costs a refresh per row instead;
- TRUNCATE: no provenance rows left, so no mapping either.

The refresh:

1. locks the entities' mapping rows that exist, in key order;
2. computes each entity's sorted source list afresh (a new statement, so a new
   snapshot under READ COMMITTED, taken after the locks were granted), with the sets
   there are for those lists, KEY SHARE-locked;
3. inserts the lists without a set (`ON CONFLICT (digest) DO NOTHING`, in digest order)
   and looks them up in a statement of its own, which sees a set a concurrent writer
   committed while this one waited on its insert;
4. updates, deletes (no source left) or inserts the mapping rows.

A trigger on the mapping tables then deletes the sets that a deleted or updated mapping
row named, if nothing names them any more; on the mapping, so that the rows a cascade
deletes (an actor or event deleted) release their sets too. `source_set` so holds the
lists in use, not every list an actor passed through while its articles arrived.

Concurrency, under READ COMMITTED like 0004's triggers. Two writers can change different
`actor_source` rows of one actor (each adds a source), so the rows of 0004 do not order
them; the actor's mapping row does. The second writer's lock (1) waits for the first to
commit, and its count (2) then sees what the first did. An actor without a mapping row
has nothing to lock: two writers both insert one, the second waits on the first's
insert, and `ON CONFLICT DO NOTHING` tells it that it lost, so it goes round again for
that actor (locking the row the first committed, counting afresh). Locks are taken in
key order within a statement; across the statements of one transaction they are not,
as with 0004's rows, and the deadlock PostgreSQL then reports is retried by
`write_transaction`. The mapping rows are locked only here, not the actor rows: every
writer about to point at actors KEY SHARE-locks them and edits lock them for update
(`newsgraph.db.locks`), and neither should wait on provenance; advisory locks would take
one shared lock-table entry per entity, which a bulk write of thousands of entities
runs out of.

A set about to be named by another writer is KEY SHARE-locked by it (its lookup, or the
foreign key check), so the deletion of unused sets locks candidates FOR UPDATE SKIP
LOCKED, leaves those alone, and checks the rest again once they are locked: a writer
that named one and committed is then seen, one still looking waits, finds the set gone
and inserts the list again. (A set skipped because a writer held it, which then rolled
back, stays unused until an entity leaves it again.)

The refresh and the deletion run with generic plans (`plan_cache_mode`): their
statements take arrays whose length PL/pgSQL's plan cache cannot see, so it would plan
them afresh on every call, which cost more than running them; every access they make
is by index, whatever the arrays' length.

Revision ID: 0005_source_sets
Revises: 0004_provenance
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_source_sets"
down_revision: str | None = "0004_provenance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (entity, the provenance table of migration 0004, the mapping to its source set)
SETS = (
    ("actor", "actor_source", "actor_source_set"),
    ("event", "event_source", "event_source_set"),
)
# Lookups that race with a deletion of the same set start again; this many times is
# a fault, reported as a serialization failure so that the writer retries.
FIND_ATTEMPTS = 5

DIGEST_FUNCTION = """
CREATE FUNCTION source_set_digest(source_ids bigint[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5(source_ids::text) $$
"""


def _unused(alias: str) -> str:
    """A condition: no actor and no event names the set `alias`."""
    return f"""
        NOT EXISTS (SELECT FROM actor_source_set m WHERE m.set_id = {alias}.id)
        AND NOT EXISTS (SELECT FROM event_source_set m WHERE m.set_id = {alias}.id)
    """


RELEASE_FUNCTION = f"""
CREATE FUNCTION source_set_release(candidates bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    unused bigint[];
BEGIN
    -- Only the sets nothing names now are locked, so a set in use by others is never
    -- held; a set another writer holds is about to be named by it, and is skipped.
    SELECT array_agg(c.id) INTO unused
    FROM (
        SELECT s.id FROM source_set s
        WHERE s.id = ANY (candidates) AND {_unused("s")}
        ORDER BY s.id
        FOR UPDATE SKIP LOCKED
    ) c;
    IF unused IS NULL THEN
        RETURN;
    END IF;
    -- Again, now that they are locked: a writer that named one of them and committed
    -- in the meantime is seen by this statement.
    DELETE FROM source_set s WHERE s.id = ANY (unused) AND {_unused("s")};
END
$$
"""


def _refresh_function(entity: str, table: str, mapping: str) -> str:
    """`<mapping>_refresh`: set the mapping of these entities from their provenance rows."""
    return f"""
    CREATE FUNCTION {mapping}_refresh(entities bigint[]) RETURNS void
    LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
    DECLARE
        pending bigint[];
        held_entity bigint[];
        held_set bigint[];
        wanted_entity bigint[];
        wanted_sources text[];
        wanted_set bigint[];
        spare bigint[] := '{{}}';
        attempt integer;
    BEGIN
        pending := entities;  -- an id twice does no harm: every step matches by id
        WHILE pending IS NOT NULL LOOP
            -- 1. The mapping rows there are, locked in key order: a writer of the same
            -- entities that got here first has committed once this returns.
            SELECT array_agg(h.{entity}_id ORDER BY h.{entity}_id),
                   array_agg(h.set_id ORDER BY h.{entity}_id)
            INTO held_entity, held_set
            FROM (
                SELECT m.{entity}_id, m.set_id FROM {mapping} m
                WHERE m.{entity}_id = ANY (pending)
                ORDER BY m.{entity}_id
                FOR UPDATE
            ) h;

            -- 2. Each entity's sources as they are now (a snapshot taken after the locks),
            -- as the text of the sorted array, whose md5 is the set's digest; and the
            -- sets there are for them, KEY SHARE-locked so that none is deleted before
            -- the mapping names it.
            WITH w AS (
                SELECT t.{entity}_id AS entity_id,
                       array_agg(t.source_id ORDER BY t.source_id)::text AS sources
                FROM {table} t
                WHERE t.{entity}_id = ANY (pending)
                GROUP BY t.{entity}_id
            )
            SELECT array_agg(w.entity_id ORDER BY w.entity_id),
                   array_agg(w.sources ORDER BY w.entity_id),
                   array_agg(s.id ORDER BY w.entity_id)
            INTO wanted_entity, wanted_sources, wanted_set
            FROM w LEFT JOIN (
                SELECT s.id, s.digest, s.source_ids FROM source_set s
                WHERE s.digest IN (SELECT md5(x.sources) FROM w x)
                ORDER BY s.id
                FOR KEY SHARE
            ) s ON s.digest = md5(w.sources) AND s.source_ids = w.sources::bigint[];

            -- 3. Lists without a set: inserted (in digest order, so that writers
            -- inserting the same lists queue), then looked up again in a statement of
            -- its own, which sees a set whose insertion by another writer made this
            -- one's do nothing, and inserts again one deleted while this one waited.
            attempt := 0;
            WHILE array_position(wanted_set, NULL) IS NOT NULL LOOP
                attempt := attempt + 1;
                IF attempt > {FIND_ATTEMPTS} THEN
                    RAISE EXCEPTION 'source sets of {entity} ids % not found', pending
                        USING ERRCODE = 'serialization_failure';
                END IF;
                INSERT INTO source_set (source_ids)
                SELECT d.sources::bigint[]
                FROM (SELECT DISTINCT unnest(wanted_sources) AS sources) d
                WHERE NOT EXISTS (SELECT FROM source_set s WHERE s.digest = md5(d.sources))
                ORDER BY md5(d.sources)
                ON CONFLICT (digest) DO NOTHING;

                SELECT array_agg(s.id ORDER BY w.ord) INTO wanted_set
                FROM unnest(wanted_sources) WITH ORDINALITY AS w(sources, ord)
                LEFT JOIN (
                    SELECT s.id, s.digest, s.source_ids FROM source_set s
                    WHERE s.digest = ANY (ARRAY(SELECT md5(x) FROM unnest(wanted_sources) x))
                    ORDER BY s.id
                    FOR KEY SHARE
                ) s ON s.digest = md5(w.sources) AND s.source_ids = w.sources::bigint[];
            END LOOP;

            -- 4. The mapping: rows held are updated or deleted; the others inserted, and
            -- an entity whose row another writer inserted meanwhile (its insert waited
            -- on that one, then did nothing) goes round again, to be locked and counted.
            WITH change AS (
                SELECT coalesce(h.entity_id, w.entity_id) AS entity_id,
                       h.set_id AS old_set, w.set_id AS new_set
                FROM unnest(held_entity, held_set) AS h(entity_id, set_id)
                FULL JOIN unnest(wanted_entity, wanted_set) AS w(entity_id, set_id)
                    ON w.entity_id = h.entity_id
            ),
            dropped AS (
                DELETE FROM {mapping} m USING change c
                WHERE m.{entity}_id = c.entity_id AND c.old_set IS NOT NULL AND c.new_set IS NULL
            ),
            moved AS (
                UPDATE {mapping} m SET set_id = c.new_set FROM change c
                WHERE m.{entity}_id = c.entity_id AND c.old_set <> c.new_set
            ),
            added AS (
                INSERT INTO {mapping} ({entity}_id, set_id)
                SELECT c.entity_id, c.new_set FROM change c
                WHERE c.old_set IS NULL AND c.new_set IS NOT NULL
                ORDER BY c.entity_id
                ON CONFLICT ({entity}_id) DO NOTHING
                RETURNING {entity}_id
            ),
            again AS (
                SELECT c.entity_id, c.new_set FROM change c
                WHERE c.old_set IS NULL AND c.new_set IS NOT NULL
                  AND c.entity_id NOT IN (SELECT a.{entity}_id FROM added a)
            )
            SELECT (SELECT array_agg(a.entity_id ORDER BY a.entity_id) FROM again a),
                   spare || coalesce((SELECT array_agg(a.new_set) FROM again a), '{{}}')
            INTO pending, spare;
        END LOOP;

        -- 5. The sets this looked up for entities that went round again: one inserted
        -- here may be named by nothing. (The sets a mapping row leaves are released by
        -- the trigger on the mapping, which also sees the rows cascades delete.)
        IF cardinality(spare) > 0 THEN
            PERFORM source_set_release(spare);
        END IF;
    END
    $$
    """


def _trigger_function(entity: str, table: str, mapping: str) -> str:
    """`<table>_sets`: the statement-level trigger of INSERT and DELETE."""
    return f"""
    CREATE FUNCTION {table}_sets() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- No call when the statement wrote no row (an upsert that only counted up).
        IF TG_OP = 'INSERT' THEN
            PERFORM {mapping}_refresh(array_agg(DISTINCT n.{entity}_id))
            FROM new_rows n HAVING count(*) > 0;
        ELSE
            PERFORM {mapping}_refresh(array_agg(DISTINCT o.{entity}_id))
            FROM old_rows o HAVING count(*) > 0;
        END IF;
        RETURN NULL;
    END
    $$
    """


def _moved_function(entity: str, table: str, mapping: str) -> str:
    """`<table>_sets_moved`: the row trigger of an UPDATE that changes a row's key.

    0004 updates counts, never keys, and a row trigger whose WHEN is false costs nothing:
    no call, no transition table, where a statement trigger would run on every count
    update (each ingest's upsert) only to find no key changed. A statement changing
    keys, written by hand, costs a call per row instead.
    """
    return f"""
    CREATE FUNCTION {table}_sets_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {mapping}_refresh(ARRAY[OLD.{entity}_id, NEW.{entity}_id]);
        RETURN NULL;
    END
    $$
    """


def _mapping_function(mapping: str) -> str:
    """`<mapping>_release`: the sets that deleted or updated mapping rows named, released.

    On the mapping rather than in the refresh, so that rows deleted by a cascade (an
    actor or event deleted, which deletes its mapping row directly) release theirs too.
    """
    return f"""
    CREATE FUNCTION {mapping}_release() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM source_set_release(array_agg(DISTINCT o.set_id))
        FROM old_rows o HAVING count(*) > 0;
        RETURN NULL;
    END
    $$
    """


def _truncate_function(table: str, mapping: str) -> str:
    """`<table>_sets_truncate`: no provenance rows left, so no mapping either."""
    return f"""
    CREATE FUNCTION {table}_sets_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {mapping};
        -- Every set, not only those the deleted rows named: `TRUNCATE actor CASCADE`
        -- empties the mapping with this table, and no row is left to name them.
        PERFORM source_set_release(ARRAY(SELECT s.id FROM source_set s));
        RETURN NULL;
    END
    $$
    """


def upgrade() -> None:
    op.execute(DIGEST_FUNCTION)
    op.create_table(
        "source_set",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column(
            "digest",
            sa.Text(),
            sa.Computed("source_set_digest(source_ids)", persisted=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_set")),
        sa.UniqueConstraint("digest", name=op.f("uq_source_set_digest")),
    )
    for entity, _, mapping in SETS:
        op.create_table(
            mapping,
            sa.Column(f"{entity}_id", sa.BigInteger(), nullable=False),
            sa.Column("set_id", sa.BigInteger(), nullable=False),
            sa.ForeignKeyConstraint(
                [f"{entity}_id"],
                [f"{entity}.id"],
                name=op.f(f"fk_{mapping}_{entity}_id_{entity}"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["set_id"], ["source_set.id"], name=op.f(f"fk_{mapping}_set_id_source_set")
            ),
            sa.PrimaryKeyConstraint(f"{entity}_id", name=op.f(f"pk_{mapping}")),
        )
        # Finds whether a set is still named before it is deleted (and serves the
        # foreign key's check of that deletion).
        op.create_index(op.f(f"ix_{mapping}_set_id"), mapping, ["set_id"], unique=False)

    op.execute(RELEASE_FUNCTION)
    for entity, table, mapping in SETS:
        op.execute(_refresh_function(entity, table, mapping))
        op.execute(_trigger_function(entity, table, mapping))
        op.execute(_moved_function(entity, table, mapping))
        op.execute(_truncate_function(table, mapping))
        op.execute(_mapping_function(mapping))

    # Triggers before the fill: creating them locks the provenance tables against writes
    # until this transaction commits, so no change falls between the fill and them.
    for entity, table, _ in SETS:
        for event in ("INSERT", "DELETE"):
            rows = "NEW TABLE AS new_rows" if event == "INSERT" else "OLD TABLE AS old_rows"
            op.execute(
                f"CREATE TRIGGER source_set_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION {table}_sets()"
            )
        op.execute(
            f"CREATE TRIGGER source_set_update AFTER UPDATE OF {entity}_id, source_id "
            f"ON {table} FOR EACH ROW "
            f"WHEN (OLD.{entity}_id <> NEW.{entity}_id OR OLD.source_id <> NEW.source_id) "
            f"EXECUTE FUNCTION {table}_sets_moved()"
        )
        op.execute(
            f"CREATE TRIGGER source_set_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_sets_truncate()"
        )
    for _, _, mapping in SETS:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER source_set_release_{event.lower()} AFTER {event} ON {mapping} "
                f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {mapping}_release()"
            )

    lists = {
        entity: f"SELECT {entity}_id AS entity_id, array_agg(source_id ORDER BY source_id) "
        f"AS source_ids FROM {table} GROUP BY {entity}_id"
        for entity, table, _ in SETS
    }
    op.execute(
        f"""
        INSERT INTO source_set (source_ids)
        SELECT DISTINCT l.source_ids FROM ({" UNION ALL ".join(lists.values())}) l
        ORDER BY l.source_ids
        """
    )
    for entity, _, mapping in SETS:
        op.execute(
            f"""
            INSERT INTO {mapping} ({entity}_id, set_id)
            SELECT l.entity_id, s.id
            FROM ({lists[entity]}) l
            JOIN source_set s ON s.digest = source_set_digest(l.source_ids)
            """
        )


def downgrade() -> None:
    for _, _, mapping in SETS:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER source_set_release_{event.lower()} ON {mapping}")
        op.execute(f"DROP FUNCTION {mapping}_release()")
    for _, table, _ in SETS:
        for event in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            op.execute(f"DROP TRIGGER source_set_{event.lower()} ON {table}")
    for _, table, mapping in SETS:
        op.execute(f"DROP FUNCTION {table}_sets_truncate()")
        op.execute(f"DROP FUNCTION {table}_sets_moved()")
        op.execute(f"DROP FUNCTION {table}_sets()")
        op.execute(f"DROP FUNCTION {mapping}_refresh(bigint[])")
    op.execute("DROP FUNCTION source_set_release(bigint[])")
    for _, _, mapping in SETS:
        op.drop_index(op.f(f"ix_{mapping}_set_id"), table_name=mapping)
        op.drop_table(mapping)
    op.drop_table("source_set")
    op.execute("DROP FUNCTION source_set_digest(bigint[])")
