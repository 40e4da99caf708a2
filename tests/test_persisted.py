"""Persisted queries over HTTP: Apollo's automatic persisted queries, trusted documents, and
what either costs (nothing, once a process has seen a hash)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.errors import ConfigurationError
from newsgraph.server import create_app
from newsgraph.settings import Settings
from tests.helpers import ServerStatements, ShortcutAnswers, create_key, http_client

FEED = "query Feed($n: Int) { articles(first: $n) { totalCount nodes { id title } } }"
OTHER = "query Other { sources { totalCount } }"
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def apq(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}


def by_hash(document: str, **variables: Any) -> dict[str, Any]:
    """A hash-only POST body, as Apollo's link and urql's persistedExchange send it."""
    return {"extensions": apq(document), "variables": variables}


def get_params(document: str, **variables: Any) -> dict[str, str]:
    """A hash-only GET's query string."""
    return {"extensions": json.dumps(apq(document)), "variables": json.dumps(variables)}


async def registered(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT document FROM persisted_query ORDER BY created_at")
        )
        return [row[0] for row in rows]


@pytest.fixture
async def client(demo_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(None, demo_url) as client:
        yield client


# --- automatic persisted queries -------------------------------------------------------


async def test_an_unknown_hash_is_answered_as_apollo_clients_expect(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    for response in (
        await client.post("/graphql", json=by_hash(FEED, n=1)),
        await client.get("/graphql", params=get_params(FEED, n=1)),
    ):
        assert response.status_code == 200
        assert response.json() == NOT_FOUND
        assert response.headers["cache-control"] == "no-store"
    assert await registered(db_engine) == []


async def test_a_hash_sent_with_its_document_registers_it_for_every_process(
    client: httpx.AsyncClient, demo_url: str, db_engine: AsyncEngine
) -> None:
    first = await client.post(
        "/graphql", json={"query": FEED, **by_hash(FEED, n=1), "operationName": "Feed"}
    )
    assert first.status_code == 200
    assert first.json()["data"]["articles"]["totalCount"] == 1
    assert await registered(db_engine) == [FEED]
    again = await client.get("/graphql", params=get_params(FEED, n=1))
    assert again.json() == first.json()
    async with http_client(None, demo_url) as other_process:
        elsewhere = await other_process.post("/graphql", json=by_hash(FEED, n=1))
    assert elsewhere.json() == first.json()


async def test_a_hash_this_process_has_seen_costs_no_statement(
    client: httpx.AsyncClient,
    demo_url: str,
    server_statements: ServerStatements,
    shortcut_answers: ShortcutAnswers,
) -> None:
    database = demo_url.rsplit("/", 1)[1].split("?")[0]
    await client.post("/graphql", json={"query": FEED, **by_hash(FEED, n=1)})
    async with http_client(None, demo_url) as other_process:
        await server_statements.reset()
        await other_process.post("/graphql", json=by_hash(FEED, n=1))  # reads the table once
        assert _lookups(await server_statements.statements(database)) == 1
        for _ in range(2):
            await server_statements.reset()
            response = await other_process.post("/graphql", json=by_hash(FEED, n=1))
            assert response.json()["data"]["articles"]["totalCount"] == 1
            statements = await server_statements.statements(database)
            assert await server_statements.count(database) == 1, statements
            assert _lookups(statements) == 0
    assert (
        shortcut_answers.answered == 2
    )  # a hash resolves to a known operation: the short path answers


def _lookups(statements: list[str]) -> int:
    """How many reads of the persisted queries' table `statements` hold."""
    return sum(int(s.split("x ", 1)[0]) for s in statements if "FROM persisted_query" in s)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"query": OTHER, "extensions": apq(FEED)},
            f"but the SHA-256 of `query` is {sha256(OTHER)}",
        ),
        (
            {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256(FEED)}}},
            "persisted query version 2 is not supported: send version 1",
        ),
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}},
            "must be the document's SHA-256 as 64 hex digits, got 'abc'",
        ),
        ({"extensions": {"persistedQuery": "abc"}}, "`extensions.persistedQuery` must be"),
        (
            {"documentId": "sha256:" + sha256(FEED), "query": FEED},
            "send `documentId` alone, without `query`",
        ),
        ({"query": ""}, "`query` must be the document's text"),
    ],
)
async def test_malformed_persisted_queries_are_bad_requests(
    client: httpx.AsyncClient, db_engine: AsyncEngine, body: dict[str, Any], message: str
) -> None:
    response = await client.post("/graphql", json=body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert message in error["message"]
    assert await registered(db_engine) == []


async def test_only_documents_that_validate_are_registered(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    invalid = "{ articles { nodes { titel } } }"
    response = await client.post("/graphql", json={"query": invalid, "extensions": apq(invalid)})
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert await registered(db_engine) == []


async def test_registrations_are_bounded_oldest_first(
    demo_url: str, db_engine: AsyncEngine
) -> None:
    documents = [f"query Q{i} {{ sources {{ totalCount }} }}" for i in range(3)]
    async with http_client(None, demo_url, apq_limit=2) as client:
        for document in documents:
            response = await client.post(
                "/graphql", json={"query": document, "extensions": apq(document)}
            )
            assert response.json()["data"] == {"sources": {"totalCount": 1}}
    assert await registered(db_engine) == documents[1:]


async def test_with_apq_off_a_hash_is_not_supported(demo_url: str) -> None:
    async with http_client(None, demo_url, apq_limit=0) as client:
        response = await client.post("/graphql", json=by_hash(FEED))
        full = await client.post("/graphql", json={"query": FEED, "extensions": apq(FEED)})
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotSupported",
                "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
            }
        ]
    }
    assert full.json()["data"]["articles"]["totalCount"] == 1  # runs, is not kept


async def test_one_unknown_hash_in_a_batch_leaves_the_others_answered(demo_url: str) -> None:
    async with http_client(None, demo_url, max_batch=2) as client:
        response = await client.post("/graphql", json=[{"query": OTHER}, by_hash(FEED)])
    assert response.status_code == 200
    answered, missing = response.json()
    assert answered == {"data": {"sources": {"totalCount": 1}}}
    assert missing == NOT_FOUND


# --- trusted documents ---------------------------------------------------------------


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """A manifest as graphql-codegen's client preset writes it (`sha256:` ids)."""
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({f"sha256:{sha256(FEED)}": FEED}))
    return path


@pytest.fixture
async def trusted(demo_url: str, manifest: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(None, demo_url, public=True, trusted_documents=manifest) as client:
        yield client


async def test_listed_documents_run_by_id_hash_or_in_full(trusted: httpx.AsyncClient) -> None:
    answers = [
        await trusted.post(
            "/graphql", json={"documentId": f"sha256:{sha256(FEED)}", "variables": {"n": 1}}
        ),
        await trusted.get("/graphql", params={"documentId": f"sha256:{sha256(FEED)}"}),
        await trusted.post("/graphql", json=by_hash(FEED, n=1)),
        await trusted.post("/graphql", json={"query": FEED, "variables": {"n": 1}}),
    ]
    for response in answers:
        assert response.status_code == 200, response.text
        assert response.json()["data"]["articles"]["totalCount"] == 1


async def test_anything_else_is_refused_with_a_code(
    trusted: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    unlisted = await trusted.post("/graphql", json={"query": OTHER})
    assert unlisted.status_code == 403
    (error,) = unlisted.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert "NEWSGRAPH_TRUSTED_DOCUMENTS" in error["message"]
    assert "data" not in unlisted.json()
    registering = await trusted.post("/graphql", json={"query": OTHER, "extensions": apq(OTHER)})
    assert registering.status_code == 403
    unknown = await trusted.post("/graphql", json=by_hash(OTHER))
    assert unknown.json() == NOT_FOUND
    assert await registered(db_engine) == []


async def test_callers_with_a_key_are_not_held_to_the_list(
    demo_url: str, manifest: Path, db_engine: AsyncEngine
) -> None:
    key = await create_key(demo_url, "ingest-bot", "read")
    async with http_client(
        db_engine, demo_url, key=key, public=True, trusted_documents=manifest
    ) as client:
        response = await client.post("/graphql", json={"query": OTHER})
    assert response.json() == {"data": {"sources": {"totalCount": 1}}}


async def test_without_public_mode_a_manifest_only_adds_ids(demo_url: str, manifest: Path) -> None:
    async with http_client(None, demo_url, trusted_documents=manifest, apq_limit=0) as client:
        listed = await client.post("/graphql", json=by_hash(FEED, n=1))
        unlisted = await client.post("/graphql", json={"query": OTHER})
        unknown = await client.post("/graphql", json=by_hash(OTHER))
    assert listed.json()["data"]["articles"]["totalCount"] == 1
    assert unlisted.json() == {"data": {"sources": {"totalCount": 1}}}
    assert unknown.json() == NOT_FOUND  # a manifest is there: hashes are supported


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "must be a JSON object of document ids to documents"),
        (json.dumps({"sha256:" + sha256(FEED): 5}), "is not text"),
        (json.dumps({"doc-1": "{ articles {"}), "the document of 'doc-1' is not GraphQL"),
        (json.dumps({sha256(OTHER): FEED}), "is not the sha256 of its document"),
        (json.dumps({hashlib.md5(b"x").hexdigest(): FEED}), "is not the md5 of its document"),
    ],
)
def test_a_bad_manifest_stops_the_server_with_a_message(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match="NEWSGRAPH_TRUSTED_DOCUMENTS") as raised:
        create_app(Settings(database_url="postgresql://unused/x", trusted_documents=path))
    assert message in str(raised.value)


def test_a_missing_manifest_stops_the_server(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot be read"):
        create_app(
            Settings(database_url="postgresql://unused/x", trusted_documents=tmp_path / "none")
        )


def test_relay_manifests_with_opaque_ids_load(tmp_path: Path) -> None:
    path = tmp_path / "relay.json"
    path.write_text(json.dumps({hashlib.md5(FEED.encode()).hexdigest(): FEED, "feed-v2": OTHER}))
    create_app(Settings(database_url="postgresql://unused/x", trusted_documents=path))
