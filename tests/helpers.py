"""Plain helper functions the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from newsgraph.db.base import Base
from newsgraph.db.engine import async_url, make_sessionmaker
from newsgraph.ingest.files import RawDocument
from newsgraph.ingest.importer import ImportSummary, import_documents

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def corpus_paths() -> list[Path]:
    """The structured fixture corpus, in file name order."""
    return sorted(CORPUS.glob("*.json"))


def corpus_documents() -> list[RawDocument]:
    """The corpus as raw documents, ready for `import_documents`."""
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


async def import_raw(url: str, documents: list[RawDocument]) -> ImportSummary:
    """Import documents into the database at `url`, as `newsgraph import` does."""
    engine = engine_for(url)
    try:
        return await import_documents(make_sessionmaker(engine), documents)
    finally:
        await engine.dispose()


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
