"""Plain helper functions the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from newsgraph.db.base import Base
from newsgraph.db.driver import connect
from newsgraph.db.engine import async_url, make_sessionmaker
from newsgraph.http.shortcut import Shortcut
from newsgraph.ingest.bulk.runner import import_items
from newsgraph.ingest.bulk.summary import ImportSummary
from newsgraph.ingest.bulk.workers import InProcess, Preparer, ProcessPool
from newsgraph.ingest.files import RawDocument

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def corpus_paths() -> list[Path]:
    """The structured fixture corpus, in file name order."""
    return sorted(CORPUS.glob("*.json"))


def generated_documents(articles: int) -> list[RawDocument]:
    """The benchmark's dataset generator, small: keyed actors and events shared widely."""
    output = subprocess.run(
        [sys.executable, str(CORPUS.parents[2] / "bench" / "gen_data.py"), "--seed", "5",
         "--format", "jsonl", "--articles", str(articles), "--actors", "60", "--events", "90",
         "--claims", str(articles * 5), "--sources", "6"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = [line for line in output.split("\n") if line]
    return [RawDocument(f"gen {n}", raw=json.loads(line)) for n, line in enumerate(lines)]


def corpus_documents() -> list[RawDocument]:
    """The corpus as raw documents, ready for `import_raw`."""
    return [RawDocument(path.name, raw=json.loads(path.read_text())) for path in corpus_paths()]


class StatementLog:
    """The SQL statements sent while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@contextmanager
def recording(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Every statement `engine` sends inside the block, whoever sends it."""
    log = StatementLog()

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        log.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


_SETTLE = "newsgraph_test_settle"


class ServerStatements:
    """Counts the statements a database ran, as the benchmark counts them: from
    pg_stat_statements, utility statements (BEGIN, COMMIT) included. It reads from the
    server's `postgres` database, so its own queries are never counted."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, server_url: str) -> ServerStatements | None:
        connection = await asyncpg.connect(server_url)
        try:
            await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            await connection.execute("SELECT pg_stat_statements_reset()")
        except asyncpg.PostgresError:
            await connection.close()
            return None
        return cls(connection)

    async def reset(self) -> None:
        """Forget every statement counted so far."""
        await self.connection.execute("SELECT pg_stat_statements_reset()")

    @staticmethod
    async def settle(session: AsyncSession) -> None:
        """Let the server count the session's last statement: PostgreSQL records one when
        its portal closes, which inside a transaction is at the next message. This sends
        one (a simple query, which `count` leaves out)."""
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.execute(f"SELECT 1 AS {_SETTLE}")

    async def count(self, database: str) -> int:
        """Statements run in `database` since the last reset."""
        counted = await self.connection.fetchval(
            "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 AND s.query NOT LIKE $2",
            database,
            f"%{_SETTLE}%",
        )
        return int(counted)

    async def statements(self, database: str) -> list[str]:
        """The statements run in `database` since the last reset (for failure messages)."""
        rows = await self.connection.fetch(
            "SELECT s.calls, s.query FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1",
            database,
        )
        return [f"{row['calls']}x {row['query'][:200]}" for row in rows]

    async def close(self) -> None:
        await self.connection.close()


def engine_for(url: str) -> AsyncEngine:
    """A connection-per-use engine on `url` (for tests that switch event loops)."""
    return create_async_engine(async_url(url), poolclass=NullPool)


async def import_raw(
    url: str, documents: list[RawDocument], *, batch_size: int = 1, jobs: int = 1
) -> ImportSummary:
    """Import documents into the database at `url`, as `newsgraph import` does (each
    batch planned on a second connection while the one before is written); by default
    one document per transaction, prepared in this process."""
    preparer: Preparer = ProcessPool(jobs) if jobs > 1 else InProcess()
    connection = await connect(url)
    reader = await connect(url)
    try:
        return await import_items(
            connection,
            (d.item() for d in documents),
            preparer,
            reader=reader,
            batch_size=batch_size,
        )
    finally:
        await reader.close()
        await connection.close()
        preparer.close()


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal snapshots mean nothing changed."""
    engine = engine_for(url)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    try:
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                rows = await connection.execute(text(f"SELECT * FROM {table.name} ORDER BY 1, 2"))
                tables[table.name] = [tuple(row) for row in rows]
    finally:
        await engine.dispose()
    return tables


_ACTOR = "(SELECT x.name_normalized || '/' || x.kind FROM actor x WHERE x.id = {})"
_EVENT = (
    "(SELECT coalesce(x.key, '-') || '/' || x.title_normalized || '/'"
    " || coalesce(x.date::text, '-') FROM event x WHERE x.id = {})"
)
_SOURCE = "(SELECT coalesce(x.domain, 'named ' || x.name) FROM source x WHERE x.id = {})"
_ARTICLE = "(SELECT x.content_hash FROM article x WHERE x.id = {})"
# a claim: its article and its place among the article's claims
_CLAIMS = (
    "(SELECT c.*, a.content_hash || '#' || row_number() OVER"
    " (PARTITION BY c.article_id ORDER BY c.id) AS natural_key FROM claim c"
    " JOIN article a ON a.id = c.article_id) c"
)
_SET = (
    "(SELECT array_agg(n ORDER BY n) FROM (SELECT {source} AS n FROM source_set s,"
    " unnest(s.source_ids) AS i WHERE s.id = {{}}) q)".format(source=_SOURCE.format("i"))
)
# Every table by what identifies its rows, not by surrogate ids (which depend on the order
# rows were written and on sequence values used up by rolled-back work) nor timestamps.
NATURAL: dict[str, str] = {
    "api_key": "SELECT name, prefix, secret_hash, scopes, revoked_at FROM api_key",
    "persisted_query": "SELECT hash, document FROM persisted_query",
    # the log says how the graph was written (one statement or many), not what it is
    "change_log": "SELECT topic FROM change_log WHERE false",
    "change_log_horizon": "SELECT xid, change_id FROM change_log_horizon",
    "rate_budget": "SELECT client FROM rate_budget",
    "rate_process": "SELECT process FROM rate_process",
    "source": "SELECT name, domain, url, disclaimer_heading, disclaimer_text FROM source",
    "actor": "SELECT key, name, name_normalized, kind, title, country, aliases, match_names,"
    f" wikidata_id, {_ACTOR.format('affiliation_id')} FROM actor",
    "actor_redirect": f"SELECT {_ACTOR.format('actor_id')} FROM actor_redirect",
    "event": "SELECT key, title, title_normalized, kind, status, location, date,"
    " date_precision, date_text FROM event",
    "event_participant": f"SELECT {_EVENT.format('event_id')}, {_ACTOR.format('actor_id')}, role"
    " FROM event_participant",
    "event_link": f"SELECT {_EVENT.format('from_event_id')}, {_EVENT.format('to_event_id')}, kind"
    " FROM event_link",
    "article": f"SELECT {_SOURCE.format('source_id')}, url, title, body, sections, published_at,"
    " published_precision, language, dateline, content_hash, input_hash, disclaimer_heading,"
    " disclaimer_text FROM article",
    "claim": f"SELECT natural_key, text, kind, {_ACTOR.format('claimant_id')},"
    f" {_EVENT.format('event_id')}, span_start, span_end FROM {_CLAIMS}",
    "claim_about": f"SELECT c.natural_key, {_ACTOR.format('ca.actor_id')}"
    f" FROM claim_about ca JOIN {_CLAIMS} ON c.id = ca.claim_id",
    "article_actor": f"SELECT {_ARTICLE.format('article_id')}, {_ACTOR.format('actor_id')},"
    " mention_count FROM article_actor",
    "article_event": f"SELECT {_ARTICLE.format('article_id')}, {_EVENT.format('event_id')}"
    " FROM article_event",
    "actor_source": f"SELECT {_ACTOR.format('actor_id')}, {_SOURCE.format('source_id')},"
    f" article_count, {_ARTICLE.format('first_disclaimed_article_id')} FROM actor_source",
    "event_source": f"SELECT {_EVENT.format('event_id')}, {_SOURCE.format('source_id')},"
    f" article_count, {_ARTICLE.format('first_disclaimed_article_id')} FROM event_source",
    "source_set": f"SELECT {_SET.format('id')} FROM source_set",
    "actor_source_set": f"SELECT {_ACTOR.format('actor_id')}, {_SET.format('set_id')}"
    " FROM actor_source_set",
    "event_source_set": f"SELECT {_EVENT.format('event_id')}, {_SET.format('set_id')}"
    " FROM event_source_set",
}


async def natural_snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table by natural keys (`NATURAL`), sorted: equal snapshots mean
    the same graph, however it was written."""
    missing = {t.name for t in Base.metadata.sorted_tables} - set(NATURAL)
    assert not missing, f"tests.helpers.NATURAL does not say how to compare {sorted(missing)}"
    engine = engine_for(url)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    try:
        async with engine.connect() as connection:
            for name, sql in NATURAL.items():
                rows = await connection.execute(text(sql))
                tables[name] = sorted((tuple(row) for row in rows), key=repr)
    finally:
        await engine.dispose()
    return tables


async def counts(url: str) -> dict[str, int]:
    """The number of rows in each table."""
    return {name: len(rows) for name, rows in (await snapshot(url)).items()}


@functools.cache
def schema_for(executor: str) -> Any:
    """The schema of default settings, answering with `executor` (compiled, resolvers)."""
    from newsgraph.schema import make_schema
    from newsgraph.settings import Executor, Settings

    return make_schema(Settings.defaults().model_copy(update={"executor": Executor(executor)}))


async def graphql(
    session: AsyncSession,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    executor: str = "compiled",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Execute `query` in-process over `session`; fail on any error; (data, extensions)."""
    from newsgraph import build_context
    from newsgraph.settings import Settings

    result = await schema_for(executor).execute(
        query,
        variable_values=variables,
        context_value=build_context(session, Settings(database_url="postgresql://unused/x")),
    )
    assert not result.errors, [str(e) for e in result.errors]
    assert result.data is not None
    return result.data, dict(result.extensions or {})


async def graphql_errors(session: AsyncSession, query: str) -> list[dict[str, Any]]:
    """Execute `query` in-process and return its errors as a client sees them."""
    from newsgraph import build_context, schema
    from newsgraph.settings import Settings

    result = await schema.execute(
        query, context_value=build_context(session, Settings(database_url="postgresql://unused/x"))
    )
    return [dict(error.formatted) for error in result.errors or []]


def seed_document() -> dict[str, Any]:
    """The seed's expected structured document, with the scraped body and its block's
    "Risk Warning" heading (the expected file gives the disclaimer as bare text)."""
    from newsgraph.demo import seed_text

    document: dict[str, Any] = json.loads((CORPUS.parent / "seed.json").read_text())
    body, _, _ = seed_text().partition("\nRisk Warning\n")
    document["body"] = body.strip()
    document["source"]["disclaimer"] = {
        "heading": "Risk Warning",
        "text": document["source"]["disclaimer"],
    }
    return document


async def create_key(url: str, name: str, scope: str) -> str:
    """A new API key in the database at `url`, as `newsgraph keys create` makes it."""
    from newsgraph.access.keys import create_key as create
    from newsgraph.access.scopes import Scope

    engine = engine_for(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return (await create(session, name, Scope(scope))).secret
    finally:
        await engine.dispose()


def http_client(
    engine: AsyncEngine | None, url: str, *, key: str | None = None, **settings: Any
) -> httpx.AsyncClient:
    """An HTTP client on the whole app, sending `key` as its bearer token.

    The app runs over `engine`, or over one it builds from its settings when None.
    """
    from newsgraph.server import create_app
    from newsgraph.settings import Settings

    settings.setdefault("rate_limit", 0)
    app = create_app(Settings(database_url=url, **settings), engine=engine)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers
    )


class ShortcutAnswers:
    """Counts the requests the short path answered (the others went the long way)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answered = 0
        answer = Shortcut.answer

        async def counted(shortcut: Shortcut, *args: Any) -> Any:
            result = await answer(shortcut, *args)
            self.answered += result is not None
            return result

        monkeypatch.setattr(Shortcut, "answer", counted)


def small_document(
    n: int, *, source: str = "Wire", disclaimer: str | None = None
) -> dict[str, Any]:
    """A short structured document of its own per `n` (title "Story number n")."""
    return {
        "published_at": "2025-06-06",
        "url": f"https://{source.lower()}.example/{n}",
        "source": {"name": source, "domain": f"{source.lower()}.example", "disclaimer": disclaimer},
        "title": f"Story number {n}",
        "body": f"Story number {n}. Officials met in London to talk about trade {n}.",
        "actors": [],
        "events": [],
        "claims": [],
    }
