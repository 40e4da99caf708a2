"""Test fixtures on a real PostgreSQL.

The server is the one named by NEWSGRAPH_TEST_DATABASE_URL, else an embedded one this
session starts in a temporary directory and stops at the end. A template database is
migrated once; then

- `session`: a session inside a transaction that is rolled back after the test (the
  SQLAlchemy "join into an external transaction" recipe), on one shared database;
- `database_url`: a fresh database cloned from the template, for tests that commit,
  run the CLI or the server; dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from newsgraph.db.embedded import EmbeddedPostgres
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.migrate import upgrade
from newsgraph.demo import load_demo_if_empty
from newsgraph.ingest.document import parse_document
from newsgraph.ingest.files import RawDocument
from newsgraph.ingest.store import store_document
from newsgraph.server import create_app
from newsgraph.settings import Settings
from tests.helpers import (
    ServerStatements,
    ShortcutAnswers,
    StatementLog,
    corpus_documents,
    create_key,
    engine_for,
    http_client,
    import_raw,
    recording,
    seed_document,
)
from tests.live import serving

TEMPLATE = "newsgraph_test_template"
SHARED = "newsgraph_test_shared"
# Statements are counted as the benchmark counts them: by pg_stat_statements, utility
# statements (BEGIN, COMMIT, SAVEPOINT) included.
STATEMENT_STATISTICS = {
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "top",
    "pg_stat_statements.track_utility": "on",
}


def _with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the PostgreSQL server's maintenance database (`postgres`)."""
    configured = os.environ.get("NEWSGRAPH_TEST_DATABASE_URL")
    if configured:
        yield _with_database(configured, "postgres")
        return
    server = EmbeddedPostgres(
        tmp_path_factory.mktemp("pg"), database="postgres", server_settings=STATEMENT_STATISTICS
    )
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


async def _admin(server_url: str, *statements: str) -> None:
    engine = make_engine(server_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def template_url(server_url: str) -> str:
    """A database migrated to head, cloned by every test that needs its own database."""
    await _admin(
        server_url,
        f'DROP DATABASE IF EXISTS "{SHARED}" WITH (FORCE)',
        f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)',
        f'CREATE DATABASE "{TEMPLATE}"',
    )
    url = _with_database(server_url, TEMPLATE)
    upgrade(url)
    return url


@pytest.fixture
async def database_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database of this test's own."""
    name = f"newsgraph_test_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    try:
        yield _with_database(server_url, name)
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def new_database(
    server_url: str, template_url: str
) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Makes more fresh, migrated databases for this test (to compare two ways of writing
    the same data); they are dropped afterwards."""
    made: list[str] = []

    async def make() -> str:
        name = f"newsgraph_test_{uuid.uuid4().hex[:12]}"
        await _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        made.append(name)
        return _with_database(server_url, name)

    yield make
    for name in made:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A connection-per-use engine on this test's own database."""
    engine = engine_for(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def demo_url(database_url: str, db_engine: AsyncEngine) -> str:
    """This test's own database with the seed article loaded, as `newsgraph serve` does."""
    async with make_sessionmaker(db_engine)() as session:
        await load_demo_if_empty(session)
    return database_url


@pytest.fixture
async def client(demo_url: str, db_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The whole ASGI app over HTTP, on this test's own database with the demo loaded."""
    async with http_client(db_engine, demo_url) as client:
        yield client


@pytest.fixture
def shortcut_answers(monkeypatch: pytest.MonkeyPatch) -> ShortcutAnswers:
    return ShortcutAnswers(monkeypatch)


@pytest.fixture
def corpus_server(database_url: str) -> Iterator[tuple[str, str]]:
    """A real uvicorn server, in a thread, on the fixture corpus: its /graphql URL and a
    write key. For clients that need a socket (schemathesis, the fuzzers)."""
    asyncio.run(import_raw(database_url, corpus_documents()))
    key = asyncio.run(create_key(database_url, "corpus-server", "write"))
    app = create_app(Settings(database_url=database_url, rate_limit=0, pool_size=2))
    with serving(app) as url:
        yield f"{url}/graphql", key


@pytest.fixture
async def write_key(database_url: str) -> str:
    """An API key with the write scope in this test's own database."""
    return await create_key(database_url, "test-writer", "write")


@pytest.fixture(scope="session")
async def engine(server_url: str, template_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the database the rolled-back `session`s share."""
    await _admin(server_url, f'CREATE DATABASE "{SHARED}" TEMPLATE "{TEMPLATE}"')
    shared = make_engine(_with_database(server_url, SHARED), pool_size=2)
    yield shared
    await shared.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every write, commits included, is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
def sql(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Counts every statement the shared engine sends during the test."""
    with recording(engine) as log:
        yield log


@pytest.fixture(scope="session")
async def server_statements(server_url: str) -> AsyncIterator[ServerStatements]:
    """Statements run by the test server, read from pg_stat_statements (skips the tests
    that need it when NEWSGRAPH_TEST_DATABASE_URL names a server without it)."""
    counter = await ServerStatements.open(server_url)
    if counter is None:
        pytest.skip("the test server does not load pg_stat_statements")
    yield counter
    await counter.close()


@pytest.fixture
def fixtures_dir() -> Path:
    """Documents and articles the tests load."""
    return Path(__file__).parent / "fixtures"


@pytest.fixture
async def corpus(session: AsyncSession) -> AsyncSession:
    """The rolled-back session with the fixture corpus and the seed article stored."""
    for raw in [*corpus_documents(), RawDocument("seed", raw=seed_document())]:
        await store_document(session, parse_document(raw.raw, raw.where))
    await session.flush()
    return session
