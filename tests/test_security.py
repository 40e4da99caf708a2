"""One case per abuse: status, error code, and no SQL (or no write) where it must stop.

Each case sends one request to the whole app. Cases that must stop before execution
assert that not one SQL statement ran; refused writes assert that every table is as it
was. Limits are the defaults unless the case says otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.demo import seed_text
from newsgraph.limits.rate import RateLimiter
from newsgraph.schema import relay
from tests.helpers import create_key, engine_for, http_client, recording, snapshot

INGEST = "mutation($t: String) { ingestArticle(input: {text: $t}) { created } }"


def _nested(depth: int) -> str:
    """A query `depth` levels deep (Strawberry counts the fields that have a selection):
    articles > nodes > source > articles > ... > id."""
    fields = ["articles", "nodes", "source"]
    opening = " { ".join(fields[i % 3] for i in range(depth))
    return "{ " + opening + " { id }" + " }" * depth


@dataclass(frozen=True)
class Abuse:
    name: str
    status: int
    code: str
    query: str | None = None
    variables: dict[str, Any] | None = None
    raw: bytes | None = None  # a body sent as is, instead of {"query": ...}
    method: str = "POST"
    content_type: str = "application/json"
    key: str | None = None  # "write", "read" or "revoked"
    settings: dict[str, Any] = field(default_factory=dict)
    no_sql: bool = True
    message: str = ""
    messages: int = 1  # how many errors the answer holds


CASES = [
    Abuse(
        "depth 13",
        400,
        "QUERY_TOO_COMPLEX",
        _nested(13),
        message="exceeds maximum operation depth of 12 (NEWSGRAPH_MAX_DEPTH)",
    ),
    Abuse(
        "31 aliases",
        400,
        "QUERY_TOO_COMPLEX",
        "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }",
        message="31 aliases",
    ),
    Abuse(
        "3001 tokens",
        400,
        "QUERY_TOO_COMPLEX",
        "{ " + "__typename " * 2999 + "}",
        message="more than 3000 tokens",
    ),
    Abuse(
        "10 repeated unknown directives",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        "{ __typename " + "@nope " * 10 + "}",
        message="Unknown directive '@nope'",
    ),
    Abuse(
        "11 directives",
        400,
        "QUERY_TOO_COMPLEX",
        "{ __typename " + "@include(if: true) " * 11 + "}",
        message="11 directives",
    ),
    Abuse(
        "a batch while batching is off",
        400,
        "BAD_REQUEST",
        raw=json.dumps([{"query": "{ __typename }"}] * 2).encode(),
        message="batched operations are off",
    ),
    Abuse(
        "a batch of 11",
        400,
        "BAD_REQUEST",
        raw=json.dumps([{"query": "{ __typename }"}] * 11).encode(),
        settings={"max_batch": 10},
        message="at most 10 operations",
    ),
    Abuse("first: 101", 200, "BAD_USER_INPUT", "{ articles(first: 101) { totalCount } }"),
    Abuse("first: -1", 200, "BAD_USER_INPUT", "{ articles(first: -1) { totalCount } }"),
    Abuse(
        "first: 101 in a variable",
        200,
        "BAD_USER_INPUT",
        "query($n: Int) { claims(first: $n) { totalCount } }",
        variables={"n": 101},
    ),
    Abuse(
        "a NUL character in a filter",
        200,
        "BAD_USER_INPUT",
        "query($q: String) { actors(filter: {search: $q}) { totalCount } }",
        variables={"q": "a\x00b"},
        no_sql=False,
        message="PostgreSQL refused a value",
    ),
    Abuse(
        "node estimate over 50,000",
        400,
        "QUERY_TOO_COMPLEX",
        "{ articles(first: 100) { nodes { actors(first: 100) { nodes {"
        " claims(first: 100) { totalCount } } } } } }",
        message="1,010,100 nodes",
    ),
    Abuse(
        "1 MiB + 1 byte body",
        413,
        "PAYLOAD_TOO_LARGE",
        raw=b'{"query": "{ __typename }", "x": "' + b"x" * (1024 * 1024) + b'"}',
    ),
    Abuse("mutation over GET", 405, "METHOD_NOT_ALLOWED", INGEST, method="GET"),
    Abuse(
        "form-encoded POST",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        raw=b"query=%7B__typename%7D",
        content_type="application/x-www-form-urlencoded",
    ),
    Abuse(
        "text/plain POST",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        raw=b'{"query": "{ __typename }"}',
        content_type="text/plain",
    ),
    Abuse(
        "introspection on a public server",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        "{ __schema { types { name } } }",
        settings={"public": True},
        message="introspection has been disabled",
        messages=2,  # one per introspection field: __schema, types
    ),
    Abuse(
        "a mutation without a key",
        401,
        "UNAUTHENTICATED",
        INGEST,
        variables={"t": seed_text()},
        message="write scope",
    ),
    Abuse(
        "a mutation with a read key",
        403,
        "FORBIDDEN",
        INGEST,
        variables={"t": seed_text()},
        key="read",
        no_sql=False,
        message="may only read",
    ),
    Abuse(
        "a mutation without a key, with a malformed ID",
        401,
        "UNAUTHENTICATED",
        'mutation { deleteArticle(id: "not-an-id") { deletedEventIds } }',
        message="write scope",
    ),
    Abuse(
        "a mutation with a read key, with a malformed ID variable",
        403,
        "FORBIDDEN",
        "mutation Gone($id: ID!) { deleteArticle(id: $id) { deletedEventIds } }",
        variables={"id": "not-an-id"},
        key="read",
        no_sql=False,
        message="may only read",
    ),
    Abuse(
        "a mutation with a revoked key",
        401,
        "UNAUTHENTICATED",
        INGEST,
        variables={"t": seed_text()},
        key="revoked",
        no_sql=False,
        message="was revoked",
    ),
    Abuse(
        "an unknown key",
        401,
        "UNAUTHENTICATED",
        "{ __typename }",
        key="ngk_000000000000_" + "A" * 43,
        no_sql=False,
        message="unknown API key",
    ),
    Abuse(
        "a read without a key where reads need one",
        401,
        "UNAUTHENTICATED",
        "{ articles { totalCount } }",
        settings={"require_read_key": True},
        message="needs an API key for reads too",
    ),
]


async def _key(database_url: str, kind: str | None) -> str | None:
    if kind is None or kind.startswith("ngk_"):
        return kind
    secret = await create_key(
        database_url, f"security-{kind}", "read" if kind == "read" else "write"
    )
    if kind == "revoked":
        engine = engine_for(database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE api_key SET revoked_at = now()"))
        finally:
            await engine.dispose()
    return secret


async def _data(database_url: str) -> dict[str, Any]:
    """Every row of the graph (the keys' last-use stamps may move)."""
    tables = await snapshot(database_url)
    del tables["api_key"]
    return tables


async def _send(client: httpx.AsyncClient, case: Abuse) -> httpx.Response:
    if case.method == "GET":
        return await client.get("/graphql", params={"query": case.query or ""})
    body = case.raw
    if body is None:
        body = json.dumps({"query": case.query, "variables": case.variables}).encode()
    return await client.post("/graphql", content=body, headers={"content-type": case.content_type})


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_abuse_is_refused(case: Abuse, database_url: str, db_engine: AsyncEngine) -> None:
    key = await _key(database_url, case.key)
    before = await _data(database_url)
    async with http_client(db_engine, database_url, key=key, **case.settings) as client:
        with recording(db_engine) as statements:
            response = await _send(client, case)
    assert response.status_code == case.status, response.text
    errors = response.json()["errors"]
    assert len(errors) == case.messages, errors
    assert errors[0]["extensions"]["code"] == case.code, errors
    assert case.message in errors[0]["message"]
    if case.no_sql:
        assert statements.count == 0
    assert await _data(database_url) == before


@pytest.fixture
async def public_client(
    database_url: str, db_engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(db_engine, database_url, public=True) as client:
        yield client


async def test_public_servers_give_no_suggestions_and_no_graphiql(
    public_client: httpx.AsyncClient,
) -> None:
    response = await public_client.post("/graphql", json={"query": "{ articel { id } }"})
    (error,) = response.json()["errors"]
    assert "Cannot query field 'articel'" in error["message"]
    assert "Did you mean" not in error["message"]
    page = await public_client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404


async def test_suggestions_help_outside_public_mode(
    database_url: str, db_engine: AsyncEngine
) -> None:
    async with http_client(db_engine, database_url) as client:
        response = await client.post("/graphql", json={"query": "{ articel { id } }"})
    assert "Did you mean 'article'" in response.json()["errors"][0]["message"]


async def test_a_crashing_resolver_keeps_its_secret(
    database_url: str,
    db_engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret: the password is hunter2")

    monkeypatch.setattr(relay, "list_page", crash)
    with caplog.at_level(logging.ERROR, logger="newsgraph.graphql"):
        async with http_client(db_engine, database_url, executor="resolvers") as client:
            response = await client.post("/graphql", json={"query": "{ claims { totalCount } }"})
    assert response.status_code == 200
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    (error,) = response.json()["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL"
    (record,) = [r for r in caplog.records if r.name == "newsgraph.graphql"]
    assert record.__dict__["request_id"] == error["extensions"]["request_id"]
    assert "hunter2" in str(record.exc_info)


async def test_the_rate_limit_answers_429_with_retry_after(
    database_url: str, db_engine: AsyncEngine
) -> None:
    query = {"query": "{ articles(first: 100) { nodes { claims(first: 10) { totalCount } } } }"}
    async with http_client(db_engine, database_url, rate_limit=20) as client:
        first = await client.post("/graphql", json=query)  # 1,100 nodes: 11 of 20 points
        assert first.status_code == 200, first.text
        with recording(db_engine) as statements:
            second = await client.post("/graphql", json=query)
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) >= 1
    (error,) = second.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["cost"] == 11
    assert statements.count == 0


async def test_no_rate_limit_when_set_to_zero(database_url: str, db_engine: AsyncEngine) -> None:
    query = {"query": "{ articles(first: 100) { totalCount } }"}
    async with http_client(db_engine, database_url, rate_limit=0) as client:
        for _ in range(30):
            assert (await client.post("/graphql", json=query)).status_code == 200


async def test_keys_are_rate_limited_apart_from_anonymous_callers(
    database_url: str, db_engine: AsyncEngine
) -> None:
    key = await create_key(database_url, "reader", "read")
    query = {"query": "{ articles(first: 100) { nodes { claims(first: 10) { totalCount } } } }"}
    async with http_client(db_engine, database_url, rate_limit=20) as anonymous:
        app = anonymous._transport.app  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {key}"},
        ) as keyed:
            assert (await anonymous.post("/graphql", json=query)).status_code == 200
            assert (await anonymous.post("/graphql", json=query)).status_code == 429
            assert (await keyed.post("/graphql", json=query)).status_code == 200


async def test_graphiql_introspection_fits_within_the_default_limits(
    database_url: str, db_engine: AsyncEngine
) -> None:
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True
    )
    async with http_client(db_engine, database_url, rate_limit=1000) as client:
        response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_a_rate_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0])
    assert limiter.spend("a", 60) is None
    wait = limiter.spend("a", 30)
    assert wait == pytest.approx(30.0)
    assert limiter.spend("b", 1) is None  # another client has its own bucket
    now[0] += 30
    assert limiter.spend("a", 30) is None
    assert limiter.spend("a", 1000) == pytest.approx(60.0)  # charged as the whole budget
