"""Provenance: which sources stand behind each actor and event, kept exact by triggers.

`actor_source` and `event_source` hold one row per (actor or event, source) with the
number of that source's articles that mention the actor (report the event), and the
lowest id among those articles that carry a disclaimer of their own. The disclaimers of
a response (`newsgraph.db.provenance`) then probe these tables by primary key instead
of walking every `article_actor`/`article_event` row of each actor and event reached.

The tables are derived data, so the database keeps them, whoever writes: ingest,
import, edits, the plain SQL of `mergeActors`, cascading deletes, COPY. Every change to
the base tables turns into signed (entity, article, source, has-own-disclaimer) rows:

- link rows inserted: one upsert over the transition table (statement-level, so a bulk
  insert or COPY of thousands of links costs two set-based statements, a lock on their
  articles and that upsert, not a call per row);
- link rows updated or deleted: the old rows out, the new ones in, folded by
  `<table>_apply` (statement-level too);
- an article whose source changes, or that gains or loses its own disclaimer: its links
  move (statement-level, over the transition tables of `article`);
- an article deleted: a BEFORE DELETE row trigger takes its links out while they still
  exist. By the time any AFTER trigger runs, the cascade has deleted the links and
  the article row is gone, so nothing would tell which source they counted under; the
  link triggers skip links whose article is no longer there for that reason;
- TRUNCATE of a link table empties the provenance table built from it.

A count reaching zero deletes the row. The lowest disclaimed article id moves down as
articles come (`least`), and is looked up again from the base tables only when the
article it names leaves the pair.

Concurrent writers stay exact under READ COMMITTED: rows are locked (in key order)
before they are counted down or looked up again, and those statements run after the
lock with a fresh snapshot, so a writer of the same rows either committed first (and is
seen) or waits and applies its own change after. The link triggers SHARE-lock the
articles they read for the same reason: an article update that moves links waits for
them, or they wait for it.

Revision ID: 0004_provenance
Revises: 0003_writes_audit
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_provenance"
down_revision: str | None = "0003_writes_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (entity, the link table whose rows tie it to articles, the provenance table)
PROVENANCE = (
    ("actor", "article_actor", "actor_source"),
    ("event", "article_event", "event_source"),
)
LINK_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _apply_function(entity: str, link: str, table: str) -> str:
    """`<table>_apply`: fold signed link changes into the counts and first disclaimed ids.

    `gone` lists articles that still exist but are being deleted (the BEFORE DELETE
    path): the first disclaimed article is never looked up among them.
    """
    return f"""
    CREATE FUNCTION {table}_apply(
        entities bigint[],
        articles bigint[],
        sources bigint[],
        disclaimed_flags boolean[],
        signs integer[],
        gone bigint[] DEFAULT '{{}}'
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        pair_entity bigint[];
        pair_source bigint[];
        pair_delta integer[];
        pair_added bigint[];
        lost_entity bigint[];
        lost_source bigint[];
        lost_article bigint[];
    BEGIN
        -- Net per article first: a row updated in place (a merge adding up mention
        -- counts) leaves and comes back under the same key and changes nothing.
        WITH change AS (
            SELECT c.entity_id, c.article_id, c.source_id, c.disclaimed, sum(c.sign) AS sign
            FROM unnest(entities, articles, sources, disclaimed_flags, signs)
                AS c(entity_id, article_id, source_id, disclaimed, sign)
            GROUP BY 1, 2, 3, 4
            HAVING sum(c.sign) <> 0
        ),
        pair AS (
            SELECT c.entity_id, c.source_id, sum(c.sign)::integer AS delta,
                   min(c.article_id) FILTER (WHERE c.sign > 0 AND c.disclaimed) AS added
            FROM change c
            GROUP BY 1, 2
        )
        SELECT
            (SELECT array_agg(p.entity_id ORDER BY p.entity_id, p.source_id) FROM pair p),
            (SELECT array_agg(p.source_id ORDER BY p.entity_id, p.source_id) FROM pair p),
            (SELECT array_agg(p.delta ORDER BY p.entity_id, p.source_id) FROM pair p),
            (SELECT array_agg(p.added ORDER BY p.entity_id, p.source_id) FROM pair p),
            (SELECT array_agg(c.entity_id) FROM change c WHERE c.sign < 0 AND c.disclaimed),
            (SELECT array_agg(c.source_id) FROM change c WHERE c.sign < 0 AND c.disclaimed),
            (SELECT array_agg(c.article_id) FROM change c WHERE c.sign < 0 AND c.disclaimed)
        INTO pair_entity, pair_source, pair_delta, pair_added,
             lost_entity, lost_source, lost_article;
        IF pair_entity IS NULL THEN
            RETURN;
        END IF;

        IF EXISTS (SELECT FROM unnest(pair_delta) AS d WHERE d <= 0) THEN
            -- Lock first, in key order, then count from the rows as they are now: a
            -- concurrent writer of the same rows has committed by the time the lock is
            -- granted, and the statements below see what it did.
            PERFORM FROM {table} t
            JOIN unnest(pair_entity, pair_source) AS p(entity_id, source_id)
                ON t.{entity}_id = p.entity_id AND t.source_id = p.source_id
            ORDER BY t.{entity}_id, t.source_id
            FOR UPDATE OF t;
            DELETE FROM {table} t
            USING unnest(pair_entity, pair_source, pair_delta) AS p(entity_id, source_id, delta)
            WHERE t.{entity}_id = p.entity_id AND t.source_id = p.source_id
              AND p.delta < 0 AND t.article_count + p.delta = 0;
            UPDATE {table} t
            SET article_count = t.article_count + p.delta,
                first_disclaimed_article_id = least(t.first_disclaimed_article_id, p.added)
            FROM unnest(pair_entity, pair_source, pair_delta, pair_added)
                AS p(entity_id, source_id, delta, added)
            WHERE t.{entity}_id = p.entity_id AND t.source_id = p.source_id AND p.delta <= 0;
        END IF;

        -- In key order, so that writers meeting on the same rows queue instead of
        -- deadlocking; relative to the row as it is when locked, so none is lost.
        INSERT INTO {table} AS t
            ({entity}_id, source_id, article_count, first_disclaimed_article_id)
        SELECT p.entity_id, p.source_id, p.delta, p.added
        FROM unnest(pair_entity, pair_source, pair_delta, pair_added)
            AS p(entity_id, source_id, delta, added)
        WHERE p.delta > 0
        ORDER BY p.entity_id, p.source_id
        ON CONFLICT ({entity}_id, source_id) DO UPDATE
        SET article_count = t.article_count + excluded.article_count,
            first_disclaimed_article_id = least(
                t.first_disclaimed_article_id, excluded.first_disclaimed_article_id
            );

        -- Rows whose first disclaimed article left: look it up again, for all of them
        -- at once (a bulk delete can leave thousands).
        IF lost_entity IS NOT NULL THEN
            WITH lost AS (
                SELECT DISTINCT r.entity_id, r.source_id
                FROM unnest(lost_entity, lost_source, lost_article)
                    AS r(entity_id, source_id, article_id)
                JOIN {table} t
                    ON t.{entity}_id = r.entity_id AND t.source_id = r.source_id
                   AND t.first_disclaimed_article_id = r.article_id
            ),
            found AS (
                SELECT l.{entity}_id AS entity_id, a.source_id, min(a.id) AS article_id
                FROM {link} l JOIN article a ON a.id = l.article_id
                WHERE l.{entity}_id IN (SELECT entity_id FROM lost)
                  AND a.disclaimer_text IS NOT NULL
                  AND a.id <> ALL (gone)
                GROUP BY 1, 2
            )
            UPDATE {table} t
            SET first_disclaimed_article_id = found.article_id
            FROM lost LEFT JOIN found USING (entity_id, source_id)
            WHERE t.{entity}_id = lost.entity_id AND t.source_id = lost.source_id;
        END IF;
    END
    $$
    """


def _signed_links(entity: str, rows: str, sign: int) -> str:
    """The transition table `rows` of a link table as signed changes.

    The inner join drops links whose article is gone: a deleted article's links were
    taken out by its BEFORE DELETE trigger while they still existed.
    """
    return f"""
        SELECT l.{entity}_id, a.id, a.source_id, a.disclaimer_text IS NOT NULL, {sign}
        FROM {rows} l JOIN article a ON a.id = l.article_id
    """


def _link_function(entity: str, link: str, table: str) -> str:
    """`<link>_provenance`: the statement-level trigger of INSERT, UPDATE and DELETE."""
    call = f"""
        PERFORM {table}_apply(
            array_agg(c.entity_id), array_agg(c.article_id), array_agg(c.source_id),
            array_agg(c.disclaimed), array_agg(c.sign)
        )
        FROM (%s) AS c(entity_id, article_id, source_id, disclaimed, sign);
    """
    inserted = _signed_links(entity, "new_rows", 1)
    deleted = _signed_links(entity, "old_rows", -1)
    # Inserts (every ingest, import and COPY) only add: one upsert, in key order, instead
    # of the general fold.
    added = f"""
        INSERT INTO {table} AS t
            ({entity}_id, source_id, article_count, first_disclaimed_article_id)
        SELECT l.{entity}_id, a.source_id, count(*),
               min(a.id) FILTER (WHERE a.disclaimer_text IS NOT NULL)
        FROM new_rows l JOIN article a ON a.id = l.article_id
        GROUP BY l.{entity}_id, a.source_id
        ORDER BY l.{entity}_id, a.source_id
        ON CONFLICT ({entity}_id, source_id) DO UPDATE
        SET article_count = t.article_count + excluded.article_count,
            first_disclaimed_article_id = least(
                t.first_disclaimed_article_id, excluded.first_disclaimed_article_id
            );
    """
    # A link counts under its article's source and own disclaimer as they are when it
    # is counted. SHARE-locking the articles first waits for a concurrent change of
    # either (a NO KEY UPDATE, which the foreign key's KEY SHARE lock lets through), so
    # the next statement reads it committed; a change that comes later waits for this
    # transaction and then sees these links itself.
    lock = """
        PERFORM FROM article a
        WHERE a.id IN (SELECT article_id FROM %s)
        ORDER BY a.id
        FOR SHARE OF a;
    """
    return f"""
    CREATE FUNCTION {link}_provenance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {lock % "new_rows"}
            {added}
        ELSIF TG_OP = 'DELETE' THEN
            {lock % "old_rows"}
            {call % deleted}
        ELSE
            {lock % "(SELECT article_id FROM old_rows UNION SELECT article_id FROM new_rows) r"}
            {call % (deleted + " UNION ALL " + inserted)}
        END IF;
        RETURN NULL;
    END
    $$
    """


def _truncate_function(link: str, table: str) -> str:
    """`<link>_provenance_truncate`: no links left, so no provenance either."""
    return f"""
    CREATE FUNCTION {link}_provenance_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {table};
        RETURN NULL;
    END
    $$
    """


def _article_update_function() -> str:
    """`article_provenance`: links move with an article's source and own disclaimer."""
    # Most updates (titles, bodies, stamps) change neither the source nor whether the
    # article carries a disclaimer: those return after one look at the transition tables.
    changed = """
        FROM old_articles o JOIN new_articles n USING (id)
        WHERE o.source_id <> n.source_id
           OR (o.disclaimer_text IS NULL) <> (n.disclaimer_text IS NULL)
    """
    calls = "\n".join(
        f"""
        PERFORM {table}_apply(
            array_agg(c.entity_id), array_agg(c.article_id), array_agg(c.source_id),
            array_agg(c.disclaimed), array_agg(c.sign)
        )
        FROM (
            SELECT l.{entity}_id, m.id, m.source_id, m.disclaimed, m.sign
            FROM (
                SELECT o.id, o.source_id, o.disclaimer_text IS NOT NULL, -1 {changed}
                UNION ALL
                SELECT n.id, n.source_id, n.disclaimer_text IS NOT NULL, 1 {changed}
            ) AS m(id, source_id, disclaimed, sign)
            JOIN {link} l ON l.article_id = m.id
        ) AS c(entity_id, article_id, source_id, disclaimed, sign);
        """
        for entity, link, table in PROVENANCE
    )
    return f"""
    CREATE FUNCTION article_provenance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT {changed}) THEN
            RETURN NULL;
        END IF;
        {calls}
        RETURN NULL;
    END
    $$
    """


def _article_delete_function() -> str:
    """`article_provenance_delete`: take out a deleted article's links while they exist."""
    calls = "\n".join(
        f"""
        PERFORM {table}_apply(
            array_agg(l.{entity}_id), array_agg(OLD.id), array_agg(OLD.source_id),
            array_agg(OLD.disclaimer_text IS NOT NULL), array_agg(-1), ARRAY[OLD.id]
        )
        FROM {link} l WHERE l.article_id = OLD.id;
        """
        for entity, link, table in PROVENANCE
    )
    return f"""
    CREATE FUNCTION article_provenance_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {calls}
        RETURN OLD;
    END
    $$
    """


def upgrade() -> None:
    for entity, _, table in PROVENANCE:
        op.create_table(
            table,
            sa.Column(f"{entity}_id", sa.BigInteger(), nullable=False),
            sa.Column("source_id", sa.BigInteger(), nullable=False),
            sa.Column("article_count", sa.Integer(), nullable=False),
            sa.Column("first_disclaimed_article_id", sa.BigInteger(), nullable=True),
            sa.CheckConstraint(
                "article_count > 0", name=op.f(f"ck_{table}_article_count_positive")
            ),
            sa.ForeignKeyConstraint(
                [f"{entity}_id"],
                [f"{entity}.id"],
                name=op.f(f"fk_{table}_{entity}_id_{entity}"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["source_id"],
                ["source.id"],
                name=op.f(f"fk_{table}_source_id_source"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(f"{entity}_id", "source_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_source_id"), table, ["source_id"], unique=False)
    for entity, link, table in PROVENANCE:
        op.execute(_apply_function(entity, link, table))
        op.execute(_link_function(entity, link, table))
        op.execute(_truncate_function(link, table))
    op.execute(_article_update_function())
    op.execute(_article_delete_function())

    # Triggers before the fill: creating them locks the base tables against writes
    # until this transaction commits, so no change falls between the fill and them.
    for _, link, _ in PROVENANCE:
        for event in LINK_EVENTS:
            transition = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[event]
            op.execute(
                f"CREATE TRIGGER provenance_{event.lower()} AFTER {event} ON {link} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {link}_provenance()"
            )
        op.execute(
            f"CREATE TRIGGER provenance_truncate AFTER TRUNCATE ON {link} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {link}_provenance_truncate()"
        )
    op.execute(
        "CREATE TRIGGER provenance_update AFTER UPDATE ON article "
        "REFERENCING OLD TABLE AS old_articles NEW TABLE AS new_articles "
        "FOR EACH STATEMENT EXECUTE FUNCTION article_provenance()"
    )
    op.execute(
        "CREATE TRIGGER provenance_delete BEFORE DELETE ON article "
        "FOR EACH ROW EXECUTE FUNCTION article_provenance_delete()"
    )

    for entity, link, table in PROVENANCE:
        op.execute(
            f"""
            INSERT INTO {table}
                ({entity}_id, source_id, article_count, first_disclaimed_article_id)
            SELECT l.{entity}_id, a.source_id, count(*),
                   min(a.id) FILTER (WHERE a.disclaimer_text IS NOT NULL)
            FROM {link} l JOIN article a ON a.id = l.article_id
            GROUP BY l.{entity}_id, a.source_id
            """
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER provenance_delete ON article")
    op.execute("DROP TRIGGER provenance_update ON article")
    for _, link, _ in PROVENANCE:
        for event in (*LINK_EVENTS, "TRUNCATE"):
            op.execute(f"DROP TRIGGER provenance_{event.lower()} ON {link}")
    op.execute("DROP FUNCTION article_provenance_delete()")
    op.execute("DROP FUNCTION article_provenance()")
    for _, link, table in PROVENANCE:
        op.execute(f"DROP FUNCTION {link}_provenance_truncate()")
        op.execute(f"DROP FUNCTION {link}_provenance()")
        op.execute(
            f"DROP FUNCTION {table}_apply(bigint[], bigint[], bigint[], boolean[], integer[], "
            "bigint[])"
        )
    for _, _, table in PROVENANCE:
        op.drop_index(op.f(f"ix_{table}_source_id"), table_name=table)
        op.drop_table(table)
