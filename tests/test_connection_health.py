"""Connection health: timeouts answer with codes, a missing database with 503, and a
restarted PostgreSQL costs nothing beyond the requests in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from newsgraph.compile.readers import ReadPool
from newsgraph.db.embedded import EmbeddedPostgres
from newsgraph.db.engine import make_engine
from newsgraph.db.migrate import upgrade
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import relay
from tests.helpers import http_client

COUNT = {"query": "{ claims { totalCount } }"}


@pytest.fixture(params=["compiled", "resolvers"])
def executor(request: pytest.FixtureRequest) -> str:
    """Each test runs on both executors: their statements go through different pools."""
    return str(request.param)


def _slow_counts(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make `claims { totalCount }` run `pg_sleep(seconds)` in PostgreSQL, whichever
    executor answers it."""
    fetch = ReadPool.fetch

    async def slow_fetch(pool: ReadPool, sql: str, arguments: list[Any]) -> Any:
        return await fetch(pool, f"SELECT pg_sleep({seconds})::text, NULL::text", [])

    monkeypatch.setattr(ReadPool, "fetch", slow_fetch)

    def slow_page(
        context: RequestContext, **_: object
    ) -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[int]]]:
        async def count() -> int:
            await context.run(lambda session: session.execute(text(f"SELECT pg_sleep({seconds})")))
            return 0

        return count, count

    monkeypatch.setattr(relay, "list_page", slow_page)


async def test_a_statement_past_the_timeout_is_a_coded_504(
    database_url: str, monkeypatch: pytest.MonkeyPatch, executor: str
) -> None:
    _slow_counts(monkeypatch, 3)
    async with http_client(None, database_url, statement_timeout=0.2, executor=executor) as client:
        response = await client.post("/graphql", json=COUNT)
        assert response.status_code == 504, response.text
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "TIMEOUT"
        assert "NEWSGRAPH_STATEMENT_TIMEOUT" in error["message"]
        monkeypatch.undo()
        assert (await client.post("/graphql", json=COUNT)).status_code == 200


async def test_a_request_past_the_timeout_is_a_coded_504_and_frees_its_connection(
    database_url: str, monkeypatch: pytest.MonkeyPatch, executor: str
) -> None:
    _slow_counts(monkeypatch, 3)
    engine = make_engine(database_url, pool_size=1, pool_timeout=2)
    try:
        async with http_client(
            engine, database_url, request_timeout=0.3, pool_size=1, executor=executor
        ) as client:
            response = await client.post("/graphql", json=COUNT)
            assert response.status_code == 504, response.text
            assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
            monkeypatch.undo()
            for _ in range(3):  # the pool's connections are usable again
                assert (await client.post("/graphql", json=COUNT)).status_code == 200
    finally:
        await engine.dispose()


async def test_pool_exhaustion_answers_503_within_the_pool_timeout(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(database_url, pool_size=1, pool_timeout=0.5)
    held = [await engine.connect(), await engine.connect()]  # pool_size + overflow
    try:
        async with http_client(engine, database_url, executor="resolvers") as client:
            response = await asyncio.wait_for(client.post("/graphql", json=COUNT), timeout=10)
        _assert_unavailable(response)
    finally:
        for connection in held:
            await connection.close()
        await engine.dispose()


async def test_compiled_reads_answer_503_when_their_pool_is_exhausted(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_counts(monkeypatch, 2)
    async with http_client(None, database_url, pool_size=1, pool_timeout=0.5) as client:
        slow = asyncio.create_task(client.post("/graphql", json=COUNT))
        await asyncio.sleep(0.2)  # the slow read holds the pool's only connection
        response = await asyncio.wait_for(client.post("/graphql", json=COUNT), timeout=10)
        assert (await slow).status_code == 200
    _assert_unavailable(response)


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_an_unreachable_database_answers_503(tmp_path: Path, executor: str) -> None:
    url = f"postgresql://postgres@/nowhere?host={tmp_path}"
    async with http_client(None, url, executor=executor) as client:
        response = await client.post("/graphql", json=COUNT)
        ready = await client.get("/readyz")
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"


@pytest.mark.slow
async def test_the_server_survives_a_postgresql_restart(tmp_path: Path, executor: str) -> None:
    server = EmbeddedPostgres(tmp_path / "restart")
    url = await asyncio.to_thread(server.start)
    try:
        await asyncio.to_thread(upgrade, url)
        async with http_client(None, url, executor=executor) as client:
            assert (await client.post("/graphql", json=COUNT)).status_code == 200
            await asyncio.to_thread(server.stop)
            down = await client.post("/graphql", json=COUNT)
            assert down.status_code == 503, down.text
            assert (await client.get("/readyz")).status_code == 503
            url_again = await asyncio.to_thread(server.start)
            assert url_again == url
            after = await client.post("/graphql", json=COUNT)
            assert after.status_code == 200, after.text
            assert after.json()["data"] == {"claims": {"totalCount": 0}}
    finally:
        await asyncio.to_thread(server.stop)
