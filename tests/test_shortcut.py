"""The short path answers a known operation exactly as the long path did: same bodies,
same statuses, same limits; anything unusual goes the long way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.db.engine import make_sessionmaker
from newsgraph.demo import load_demo_if_empty
from newsgraph.http.shortcut import Shortcut
from newsgraph.schema import make_schema
from newsgraph.settings import Settings
from tests.helpers import ServerStatements, http_client

ARTICLES = """query Articles($n: Int) {
  articles(first: $n) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id title publishedAt source { name disclaimer { heading text } } } } }"""


class Counting:
    """Counts how often the short path answered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answered = 0
        answer = Shortcut.answer

        async def counted(shortcut: Shortcut, *args: Any) -> Any:
            result = await answer(shortcut, *args)
            self.answered += result is not None
            return result

        monkeypatch.setattr(Shortcut, "answer", counted)


@pytest.fixture
async def client(database_url: str, db_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with make_sessionmaker(db_engine)() as session:
        await load_demo_if_empty(session)
    async with http_client(None, database_url, rate_limit=3) as client:
        yield client


async def _post(client: httpx.AsyncClient, variables: dict[str, Any]) -> httpx.Response:
    return await client.post("/graphql", json={"query": ARTICLES, "variables": variables})


async def test_a_known_operation_takes_the_short_path_with_the_same_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(monkeypatch)
    first = await _post(client, {"n": 5})
    second = await _post(client, {"n": 5})
    assert counting.answered == 1  # the first went the long way and made it known
    assert second.status_code == first.status_code == 200
    assert second.json() == first.json()
    assert second.content == first.content
    assert second.json()["extensions"]["disclaimers"][0]["heading"] == "Risk Warning"


async def test_the_short_path_keeps_the_rate_budget(client: httpx.AsyncClient) -> None:
    responses = [await _post(client, {"n": 5}) for _ in range(4)]  # 3 points a minute
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    refused = responses[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json() == {
        "errors": [
            {
                "message": refused.json()["errors"][0]["message"],
                "extensions": {"code": "RATE_LIMITED", "retryAfter": 20, "cost": 1},
            }
        ]
    }


async def test_what_the_short_path_refuses_goes_the_long_way(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(monkeypatch)
    assert (await _post(client, {"n": 1})).status_code == 200
    too_big = await _post(client, {"n": 101})
    (error,) = too_big.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["articles"]  # worded by the long path, where it points
    wrong_type = await _post(client, {"n": "five"})
    (error,) = wrong_type.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Variable '$n'" in error["message"]
    assert counting.answered == 0


async def test_a_short_answer_is_one_statement(
    client: httpx.AsyncClient, server_statements: ServerStatements, database_url: str
) -> None:
    database = database_url.rsplit("/", 1)[1].split("?")[0]
    await _post(client, {"n": 5})
    await server_statements.reset()
    assert (await _post(client, {"n": 5})).status_code == 200
    assert await server_statements.count(database) == 1, await server_statements.statements(
        database
    )


def test_the_short_path_is_off_while_tracing() -> None:
    """A traced request goes the long way, where Strawberry records its GraphQL spans."""
    schema = make_schema(Settings.defaults())
    assert Shortcut(schema).enabled
    schema.settings = Settings.defaults().model_copy(update={"otel": True})
    assert not Shortcut(schema).enabled
