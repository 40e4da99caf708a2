"""Writing a plan: a few set-based statements for the whole batch, whatever its size.

Ids for new rows are drawn from their sequences in one statement, in the order the
rows were created, so that ids still grow with the order documents came in. New rows
then go in with COPY, one per table; stored rows that changed are updated with one
statement per table; participants and causal links are upserts, since other writers
may have them already. Every provenance table follows through its triggers (migrations
0004 and 0005), which see each statement's rows at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from newsgraph.ingest.batch.planner import ArticlePlan, Plan
from newsgraph.ingest.batch.state import TEMPORARY_IDS, SourceRow, columns, row_values
from newsgraph.ingest.matching import ActorRow, EventRow

__all__ = ["IdMap", "draw_ids", "write_plan"]

# New ids for the rows of each table (in this order), drawn in one statement.
_NEW_IDS = ("source", "actor", "event", "article", "claim")
_ALLOCATE = "SELECT " + ", ".join(
    f"ARRAY(SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
    f" FROM generate_series(1, ${number}))"
    for number, table in enumerate(_NEW_IDS, start=1)
)
# articles also carry what storing does not read back: the article's own values
_ARTICLE_COLUMNS = (
    "id", "source_id", "url", "title", "body", "sections", "published_at",
    "published_precision", "language", "dateline", "content_hash", "disclaimer_heading",
    "disclaimer_text", "input_hash",
)  # fmt: skip
_UPDATE_SOURCES = """
    UPDATE source s SET disclaimer_heading = u.heading, disclaimer_text = u.text
    FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u (id, heading, text)
    WHERE s.id = u.id
"""
# aliases and match_names are arrays per row, which unnest would flatten: one row each
_UPDATE_ACTOR = """
    UPDATE actor SET key = $2, title = $3, country = $4, aliases = $5, match_names = $6,
                     wikidata_id = $7, affiliation_id = $8
    WHERE id = $1
"""
_UPDATE_EVENTS = """
    UPDATE event e SET key = u.key, status = u.status, location = u.location,
                       date_text = u.date_text
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
        AS u (id, key, status, location, date_text)
    WHERE e.id = u.id
"""
_PARTICIPANTS = """
    INSERT INTO event_participant (event_id, actor_id, role)
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) ORDER BY 1, 2
    ON CONFLICT (event_id, actor_id) DO UPDATE SET role = excluded.role
    WHERE event_participant.role IS NULL AND excluded.role IS NOT NULL
"""
_LINKS = """
    INSERT INTO event_link (from_event_id, to_event_id, kind)
    SELECT f, t, 'causes' FROM unnest($1::bigint[], $2::bigint[]) AS u (f, t) ORDER BY 1, 2
    ON CONFLICT DO NOTHING
"""
_DERIVED = ("claim", "article_actor", "article_event")
# Two stored articles may trade content within a batch (one takes the content the other
# gives up): their hashes first step aside, so no unique index sees the same value twice.
_STEP_ASIDE = """
    UPDATE article SET content_hash = 'moving ' || id, input_hash = NULL
    WHERE id = ANY($1::bigint[])
"""
_UPDATE_ARTICLES = """
    UPDATE article a SET source_id = u.source_id, title = u.title, body = u.body,
        sections = u.sections::jsonb, published_at = u.published_at,
        published_precision = u.published_precision, language = u.language,
        dateline = u.dateline, content_hash = u.content_hash,
        disclaimer_heading = u.disclaimer_heading, disclaimer_text = u.disclaimer_text,
        input_hash = u.input_hash
    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[],
                $11::text[], $12::text[], $13::text[])
        AS u (id, source_id, title, body, sections, published_at, published_precision,
              language, dateline, content_hash, disclaimer_heading, disclaimer_text,
              input_hash)
    WHERE a.id = u.id
"""


@dataclass
class IdMap:
    """Temporary ids of new rows and the ids they were given, per table (claims: in order)."""

    ids: dict[str, dict[int, int]]
    claims: list[int]

    def __call__(self, table: str, row_id: int) -> int:
        return self.ids[table][row_id] if row_id >= TEMPORARY_IDS else row_id


def _articles_in_order(plan: Plan) -> list[ArticlePlan]:
    """The articles written, in the order of the documents that wrote them last."""
    return sorted(plan.articles.values(), key=lambda a: a.order)


async def draw_ids(connection: Any, plan: Plan) -> IdMap:
    """Ids for every row the plan creates, from their sequences, in the order created."""
    state = plan.state
    articles = _articles_in_order(plan)
    new_articles = sorted(a.id for a in articles if not a.stored)
    drawn = await connection.fetchrow(
        _ALLOCATE,
        len(state.created["source"]),
        len(state.created["actor"]),
        len(state.created["event"]),
        len(new_articles),
        sum(len(article.claims) for article in articles),
    )
    return IdMap(
        {
            table: dict(zip(temporary, sorted(ids), strict=True))
            for table, temporary, ids in (
                ("source", [r.id for r in state.created["source"]], drawn[0]),
                ("actor", [r.id for r in state.created["actor"]], drawn[1]),
                ("event", [r.id for r in state.created["event"]], drawn[2]),
                ("article", new_articles, drawn[3]),
            )
        },
        sorted(drawn[4]),
    )


async def write_plan(connection: Any, plan: Plan, real: IdMap) -> None:
    """Write everything the plan decided, in the caller's transaction, under `real` ids."""
    state = plan.state
    new_sources: list[SourceRow] = state.created["source"]
    new_actors: list[ActorRow] = state.created["actor"]
    new_events: list[EventRow] = state.created["event"]
    articles = _articles_in_order(plan)
    new_articles = sorted((a for a in articles if not a.stored), key=lambda a: a.id)
    stored_articles = [a for a in articles if a.stored]
    claims = [(article, claim) for article in articles for claim in article.claims]
    claim_ids = real.claims

    if new_sources:
        await _copy(
            connection,
            "source",
            columns("source"),
            ([real("source", s.id), *row_values(s)[1:]] for s in new_sources),
        )
    changed_sources: list[SourceRow] = state.changed_rows("source")
    if changed_sources:
        await connection.execute(
            _UPDATE_SOURCES,
            [s.id for s in changed_sources],
            [s.disclaimer_heading for s in changed_sources],
            [s.disclaimer_text for s in changed_sources],
        )
    if new_actors:
        await _copy(
            connection,
            "actor",
            columns("actor"),
            (_actor_record(a, real) for a in new_actors),
        )
    changed_actors: list[ActorRow] = state.changed_rows("actor")
    if changed_actors:
        await connection.executemany(
            _UPDATE_ACTOR,
            [
                (
                    a.id,
                    a.key,
                    a.title,
                    a.country,
                    a.aliases,
                    a.match_names,
                    a.wikidata_id,
                    None if a.affiliation_id is None else real("actor", a.affiliation_id),
                )
                for a in changed_actors
            ],
        )
    if new_events:
        await _copy(
            connection,
            "event",
            columns("event"),
            ([real("event", e.id), *row_values(e)[1:]] for e in new_events),
        )
    changed_events: list[EventRow] = state.changed_rows("event")
    if changed_events:
        await connection.execute(
            _UPDATE_EVENTS,
            [e.id for e in changed_events],
            [e.key for e in changed_events],
            [e.status for e in changed_events],
            [e.location for e in changed_events],
            [e.date_text for e in changed_events],
        )
    if plan.participants:
        pairs = sorted(
            (real("event", e), real("actor", a), role) for (e, a), role in plan.participants.items()
        )
        await connection.execute(_PARTICIPANTS, *map(list, zip(*pairs, strict=True)))
    if plan.links:
        links = sorted((real("event", f), real("event", t)) for f, t in plan.links)
        await connection.execute(_LINKS, *map(list, zip(*links, strict=True)))

    if stored_articles:
        ids = sorted(a.id for a in stored_articles)
        for table in _DERIVED:
            await connection.execute(
                f"DELETE FROM {table} WHERE article_id = ANY($1::bigint[])", ids
            )
        if len(ids) > 1:
            await connection.execute(_STEP_ASIDE, ids)
        await connection.execute(_UPDATE_ARTICLES, *_article_columns(stored_articles, real))
    if new_articles:
        with_inputs = any(a.input_hash for a in new_articles)
        written = _ARTICLE_COLUMNS if with_inputs else _ARTICLE_COLUMNS[:-1]
        await _copy(
            connection,
            "article",
            written,
            (
                [real("article", a.id), *_article_values(a, real)][: len(written)]
                for a in new_articles
            ),
        )
    if claims:
        await _copy(
            connection,
            "claim",
            (
                "id",
                "article_id",
                "text",
                "kind",
                "claimant_id",
                "event_id",
                "span_start",
                "span_end",
            ),
            (
                (
                    claim_id,
                    real("article", article.id),
                    claim.spec.text,
                    claim.spec.kind,
                    None if claim.claimant_id is None else real("actor", claim.claimant_id),
                    None if claim.event_id is None else real("event", claim.event_id),
                    claim.spec.span_start,
                    claim.spec.span_end,
                )
                for claim_id, (article, claim) in zip(claim_ids, claims, strict=True)
            ),
        )
        about = sorted(
            (claim_id, real("actor", actor))
            for claim_id, (_, claim) in zip(claim_ids, claims, strict=True)
            for actor in claim.about
        )
        if about:
            await _copy(connection, "claim_about", ("claim_id", "actor_id"), about)
    mentions = sorted(
        (real("article", a.id), real("actor", actor), count)
        for a in articles
        for actor, count in a.mentions.items()
    )
    if mentions:
        await _copy(
            connection, "article_actor", ("article_id", "actor_id", "mention_count"), mentions
        )
    reports = sorted((real("article", a.id), real("event", e)) for a in articles for e in a.events)
    if reports:
        await _copy(connection, "article_event", ("article_id", "event_id"), reports)


def _actor_record(actor: ActorRow, real: IdMap) -> list[Any]:
    values = list(row_values(actor))
    values[0] = real("actor", actor.id)
    if actor.affiliation_id is not None:
        values[-1] = real("actor", actor.affiliation_id)
    return values


def _article_values(article: ArticlePlan, real: IdMap) -> list[Any]:
    """The columns of `_ARTICLE_COLUMNS` after the id."""
    spec = article.spec
    return [
        real("source", article.source_id),
        spec.url,
        spec.title,
        spec.body,
        spec.sections,
        spec.published_at,
        spec.published_precision,
        spec.language,
        spec.dateline,
        article.content_hash,
        spec.disclaimer_heading,
        spec.disclaimer_text,
        article.input_hash,
    ]


def _article_columns(articles: Sequence[ArticlePlan], real: IdMap) -> list[list[Any]]:
    """`_UPDATE_ARTICLES`' arrays (the URL stays: an article is updated at its URL)."""
    rows = [[a.id, *_article_values(a, real)] for a in articles]
    order = (0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)  # id, source, all but the URL
    return [[row[i] for row in rows] for i in order]


async def _copy(
    connection: Any, table: str, columns: Sequence[str], records: Iterable[Sequence[Any]]
) -> None:
    await connection.copy_records_to_table(table, records=list(records), columns=list(columns))
