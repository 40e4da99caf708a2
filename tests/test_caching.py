"""HTTP caching: anonymous GET reads may be kept for NEWSGRAPH_CACHE_MAX_AGE, nothing else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import create_key, http_client

QUERY = "{ articles { totalCount } }"


@pytest.fixture
async def cached(demo_url: str, db_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(db_engine, demo_url, cache_max_age=60) as client:
        yield client


def _vary(response: httpx.Response) -> set[str]:
    return {name.strip() for name in response.headers["vary"].split(",")}


async def test_nothing_is_kept_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    assert {"Accept", "Authorization"} <= _vary(response)


async def test_an_anonymous_get_read_is_public_for_max_age(cached: httpx.AsyncClient) -> None:
    response = await cached.get("/graphql", params={"query": QUERY})
    assert response.headers["cache-control"] == "public, max-age=60"
    assert {"Accept", "Authorization"} <= _vary(response)
    digest = hashlib.blake2b(response.content, digest_size=16).hexdigest()
    assert response.headers["etag"] == f'"{digest}"'


async def test_a_current_etag_gets_304_without_a_body(cached: httpx.AsyncClient) -> None:
    first = await cached.get("/graphql", params={"query": QUERY})
    etag = first.headers["etag"]
    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await cached.get(
            "/graphql", params={"query": QUERY}, headers={"if-none-match": if_none_match}
        )
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "public, max-age=60"
    stale = await cached.get(
        "/graphql", params={"query": QUERY}, headers={"if-none-match": '"other"'}
    )
    assert stale.status_code == 200
    assert stale.json() == first.json()


async def test_keyed_mutating_and_failed_requests_are_never_kept(
    demo_url: str, db_engine: AsyncEngine, cached: httpx.AsyncClient
) -> None:
    key = await create_key(demo_url, "reader", "read")
    async with http_client(db_engine, demo_url, cache_max_age=60, key=key) as keyed:
        answers = [await keyed.get("/graphql", params={"query": QUERY})]
    answers += [
        await cached.post("/graphql", json={"query": QUERY}),
        await cached.get("/graphql", params={"query": "{ articles { titel } }"}),
        await cached.get("/graphql", params={"query": "{ articles(first: 101) { totalCount } }"}),
        await cached.get(
            "/graphql", params={"query": 'mutation { deleteArticle(id: "x") { deletedId } }'}
        ),
        await cached.get(
            "/graphql",
            params={
                "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}})
            },
        ),
    ]
    for response in answers:
        assert response.headers["cache-control"] == "no-store", response.text
        assert "etag" not in response.headers


async def test_a_persisted_query_by_hash_is_cacheable(cached: httpx.AsyncClient) -> None:
    sha256 = hashlib.sha256(QUERY.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    await cached.post("/graphql", json={"query": QUERY, "extensions": extensions})
    response = await cached.get("/graphql", params={"extensions": json.dumps(extensions)})
    assert response.json()["data"] == {"articles": {"totalCount": 1}}
    assert response.headers["cache-control"] == "public, max-age=60"
