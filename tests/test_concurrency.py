"""Concurrent writers on overlapping data: no 5xx, no lost or half-made writes."""

from __future__ import annotations

import asyncio
import copy
import random
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.demo import seed_text
from newsgraph.ingest.files import RawDocument
from tests.helpers import (
    corpus_documents,
    engine_for,
    generated_documents,
    http_client,
    import_raw,
)
from tests.test_provenance import DRIFT, SET_DRIFT

MERGE = """mutation($into: ID!, $from: ID!) { mergeActors(into: $into, from: $from) {
    actor { id } userErrors { code } } }"""
UPDATE_CLAIM = """mutation($id: ID!, $kind: ClaimKind!, $about: [ID!]) {
    updateClaim(id: $id, input: {kind: $kind, aboutIds: $about}) {
    claim { id } userErrors { code } } }"""
INGEST = """mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    created article { id } userErrors { code } } }"""


async def _post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    for error in body.get("errors", []):
        assert error["extensions"]["code"] in {"CONFLICT"}, error
    return body


async def _ids(client: httpx.AsyncClient, query: str, path: str) -> list[str]:
    body = await _post(client, query)
    return [node["id"] for node in body["data"][path]["nodes"]]


async def _integrity(database_url: str) -> dict[str, int]:
    """Rows that would show a half-made merge: each count must be 0."""
    checks = {
        "redirects to a missing actor": (
            "SELECT count(*) FROM actor_redirect r LEFT JOIN actor a ON a.id = r.actor_id "
            "WHERE a.id IS NULL"
        ),
        "merged actors still present": (
            "SELECT count(*) FROM actor_redirect r JOIN actor a ON a.id = r.merged_id"
        ),
        "merged names not kept": (
            "SELECT count(*) FROM actor_redirect r JOIN actor a ON a.id = r.actor_id "
            "WHERE cardinality(a.match_names) < 1"
        ),
    }
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            return {
                name: int(await connection.scalar(text(sql)) or 0) for name, sql in checks.items()
            }
    finally:
        await engine.dispose()


async def test_merges_claim_updates_and_ingests_on_overlapping_data(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    await import_raw(database_url, corpus_documents())
    rng = random.Random(5)
    async with http_client(db_engine, database_url, key=write_key) as client:
        actors = await _ids(client, "{ actors(first: 100) { nodes { id } } }", "actors")
        claims = await _ids(client, "{ claims(first: 100) { nodes { id } } }", "claims")
        few = actors[:6]  # every merge and update touches these: maximal overlap
        calls = []
        for i in range(20):
            into, merged = rng.sample(few, 2)
            calls.append(_post(client, MERGE, into=into, **{"from": merged}))
            calls.append(
                _post(
                    client,
                    UPDATE_CLAIM,
                    id=rng.choice(claims[:5]),
                    kind=rng.choice(["QUOTE", "STATEMENT"]),
                    about=rng.sample(few, 2),
                )
            )
            calls.append(
                _post(
                    client,
                    INGEST,
                    input={
                        "text": seed_text(),
                        "publishedAt": f"2025-06-{1 + i % 3:02d}T00:00:00Z",
                    },
                )
            )
        results = await asyncio.gather(*calls)
    merges = [r["data"]["mergeActors"] for r in results[0::3] if r["data"]]
    assert any(payload["actor"] for payload in merges), "some merges go through"
    for payload in merges:  # the others were refused with a coded error (see _post)
        assert payload["actor"] or {e["code"] for e in payload["userErrors"]} <= {
            "CONFLICT",
            "NOT_FOUND",
        }
    assert await _integrity(database_url) == dict.fromkeys(
        ["redirects to a missing actor", "merged actors still present", "merged names not kept"], 0
    )


async def test_fifty_concurrent_ingests_of_one_article_create_it_once(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    article = {"text": seed_text(), "publishedAt": "2025-06-06T00:00:00Z"}
    async with http_client(db_engine, database_url, key=write_key) as client:
        results = await asyncio.gather(*(_post(client, INGEST, input=article) for _ in range(50)))
    payloads = [r["data"]["ingestArticle"] for r in results]
    assert sum(p["created"] for p in payloads) == 1
    assert len({p["article"]["id"] for p in payloads}) == 1
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM article")) == 1
    finally:
        await engine.dispose()


def _with_summit(document: dict[str, Any], number: int, url: str) -> dict[str, Any]:
    """The document at `url`, also reporting a new, unkeyed event (matched by title and date)."""
    summit = f"Concurrent summit {number}"
    return {
        **copy.deepcopy(document),
        "url": url,
        "events": [
            *document["events"],
            {"title": summit, "kind": "meeting", "date": "2025-07-01", "status": "scheduled"},
        ],
    }


async def test_an_import_beside_ingests_and_merges_leaves_no_duplicates(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    corpus = corpus_documents()
    await import_raw(database_url, corpus)
    documents = [
        RawDocument(f"import {n}", raw=_with_summit(d.raw, n, f"https://import.example/{n}"))
        for n, d in enumerate(corpus * 4)
    ]
    documents += generated_documents(150)
    rng = random.Random(11)
    # Correctness under contention, not latency: on a loaded 2-core machine some of these
    # sixty writes wait longer than the default request timeout (10 s) for their turn.
    client = http_client(db_engine, database_url, key=write_key, request_timeout=120)
    async with client:
        actors = await _ids(client, "{ actors(first: 100) { nodes { id } } }", "actors")
        few = actors[:6]
        # The same new events the import creates, created by ingests meanwhile; merges of
        # the actors every document points at; text the import does not have.
        calls = []
        for n, d in enumerate(corpus * 4):
            document = _with_summit(d.raw, n, f"https://mutation.example/{n}")
            document["title"] = f"{document['title']} (as the wire has it)"
            calls.append(_post(client, INGEST, input={"document": document}))
            if n % 2 == 0:
                into, merged = rng.sample(few, 2)
                calls.append(_post(client, MERGE, into=into, **{"from": merged}))
        calls += [
            _post(
                client, INGEST, input={"text": seed_text(), "publishedAt": f"2025-06-0{d}T00:00Z"}
            )
            for d in range(1, 4)
        ]
        importing = asyncio.create_task(import_raw(database_url, documents, batch_size=20))
        results = await asyncio.gather(*calls)
        summary = await importing

    assert summary.failed == 0, summary.errors
    assert summary.outcomes["created"] == len(documents)
    # a write that kept losing races is refused whole with CONFLICT (data null): `_post`
    for body in results:
        for payload in (body["data"] or {}).values():
            assert (
                not payload["userErrors"]
                or payload.get("mergedId", "") is None
                or {e["code"] for e in payload["userErrors"]} <= {"CONFLICT", "NOT_FOUND"}
            ), payload
    ingested = [r["data"]["ingestArticle"] for r in results if "ingestArticle" in (r["data"] or {})]
    assert all(p["article"] for p in ingested), ingested
    duplicates = {
        "events": "SELECT title_normalized, date FROM event GROUP BY 1, 2, key HAVING count(*) > 1",
        "actors": "SELECT name_normalized, kind FROM actor GROUP BY 1, 2 HAVING count(*) > 1",
        "articles": "SELECT content_hash FROM article GROUP BY 1 HAVING count(*) > 1",
    }
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            for kind, sql in duplicates.items():
                assert (await connection.execute(text(sql))).all() == [], kind
            summits = await connection.scalar(
                text("SELECT count(*) FROM event WHERE title LIKE 'Concurrent summit %'")
            )
            assert summits == len(corpus * 4)
            assert (await connection.execute(text(DRIFT))).all() == []
            assert (await connection.execute(text(SET_DRIFT))).all() == []
    finally:
        await engine.dispose()
    assert await _integrity(database_url) == dict.fromkeys(
        ["redirects to a missing actor", "merged actors still present", "merged names not kept"], 0
    )
