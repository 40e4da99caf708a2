"""The ASGI app over HTTP: health, readiness, GraphQL, GraphiQL, request logs, CORS."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.db.migrate import downgrade
from newsgraph.schema import relay
from tests.helpers import http_client

FIRST_QUERY = """
{ articles { nodes { title source { name disclaimer { heading text } } } } }
"""


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "head"}


async def test_readyz_when_migrations_are_behind(database_url: str, db_engine: AsyncEngine) -> None:
    downgrade(database_url, "base")
    async with http_client(db_engine, database_url) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["migrations"] == "behind"


async def test_the_first_query_shows_the_seed_with_its_risk_warning(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": FIRST_QUERY})
    assert response.status_code == 200
    (article,) = response.json()["data"]["articles"]["nodes"]
    assert article["title"].startswith("U.S. President Donald Trump announced on Friday")
    assert article["source"] == {
        "name": "Unknown source",
        "disclaimer": {
            "heading": "Risk Warning",
            "text": "Cryptocurrency investment carries high risks, and its price may fluctuate "
            "dramatically. You may lose all your principal. Please carefully assess the risks.",
        },
    }


async def test_queries_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ articles { totalCount } }"})
    assert response.status_code == 200
    assert response.json()["data"] == {"articles": {"totalCount": 1}}


async def test_graphiql_for_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_bad_paging_argument_is_a_coded_user_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ articles(first: 101) { totalCount } }"}
    )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("`first` must be between 1 and 100, got 101")


async def test_one_log_line_per_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="newsgraph.request"):
        await client.post("/graphql", json={"query": FIRST_QUERY})
    (record,) = [r for r in caplog.records if r.name == "newsgraph.request"]
    assert record.__dict__["method"] == "POST"
    assert record.__dict__["path"] == "/graphql"
    assert record.__dict__["status"] == 200
    # one compiled statement builds the page and the disclaimers of what it reached
    assert record.__dict__["sql_statements"] == 1
    assert record.__dict__["duration_ms"] > 0
    assert record.__dict__["caller"] == "ip:127.0.0.1"


async def test_cors_only_for_configured_origins(database_url: str, db_engine: AsyncEngine) -> None:
    preflight = {
        "origin": "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    async with http_client(db_engine, database_url) as closed:
        response = await closed.options("/graphql", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    async with http_client(db_engine, database_url, cors_origins=["https://app.example"]) as open_:
        response = await open_.options("/graphql", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"


async def test_graphql_response_media_type_when_asked(client: httpx.AsyncClient) -> None:
    accept = {"accept": "application/graphql-response+json"}
    response = await client.post("/graphql", json={"query": FIRST_QUERY}, headers=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json"
    invalid = await client.post("/graphql", json={"query": "{ nope }"}, headers=accept)
    assert invalid.status_code == 400
    plain = await client.post("/graphql", json={"query": "{ nope }"})
    assert plain.headers["content-type"] == "application/json"


async def test_validation_errors_keep_their_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ articles { nodes { titel } } }"})
    (error,) = response.json()["errors"]
    assert error["message"] == (
        "Cannot query field 'titel' on type 'Article'. Did you mean 'title'?"
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_debug_shows_internal_messages(
    database_url: str, db_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("visible in debug")

    monkeypatch.setattr(relay, "list_page", crash)
    async with http_client(db_engine, database_url, debug=True, executor="resolvers") as client:
        response = await client.post("/graphql", json={"query": "{ claims { totalCount } }"})
    assert response.json()["errors"][0]["message"] == "visible in debug"


async def test_mutations_are_refused_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code in {400, 405}
    assert "data" not in response.text
