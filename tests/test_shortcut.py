"""The short path answers a known operation exactly as the long path did: same bodies,
same statuses, same limits; anything unusual goes the long way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from newsgraph.http.shortcut import Shortcut
from newsgraph.schema import make_schema
from newsgraph.settings import Settings
from tests.helpers import ServerStatements, ShortcutAnswers, http_client

ARTICLES = """query Articles($n: Int) {
  articles(first: $n) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id title publishedAt source { name disclaimer { heading text } } } } }"""


@pytest.fixture
async def client(demo_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(None, demo_url, rate_limit=3) as client:
        yield client


async def _post(client: httpx.AsyncClient, variables: dict[str, Any]) -> httpx.Response:
    return await client.post("/graphql", json={"query": ARTICLES, "variables": variables})


async def test_a_known_operation_takes_the_short_path_with_the_same_answer(
    client: httpx.AsyncClient, shortcut_answers: ShortcutAnswers
) -> None:
    first = await _post(client, {"n": 5})
    second = await _post(client, {"n": 5})
    assert shortcut_answers.answered == 1  # the first went the long way and made it known
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
    client: httpx.AsyncClient, shortcut_answers: ShortcutAnswers
) -> None:
    assert (await _post(client, {"n": 1})).status_code == 200
    too_big = await _post(client, {"n": 101})
    (error,) = too_big.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["articles"]  # worded by the long path, where it points
    wrong_type = await _post(client, {"n": "five"})
    (error,) = wrong_type.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Variable '$n'" in error["message"]
    assert shortcut_answers.answered == 0


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
