"""`ingestArticle`: text, HTML or documents in over GraphQL; user errors; no writes when refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.demo import seed_text
from tests.helpers import corpus_documents, counts, http_client

MUTATION = """mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    created outcome userErrors { field message code }
    article { id title disclaimer { heading text } source { name } claims { totalCount } } } }"""


async def _ingest(client: httpx.AsyncClient, **article: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": MUTATION, "variables": {"input": article}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["ingestArticle"]
    return result


async def test_ingest_text_then_again(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    async with http_client(db_engine, database_url, key=write_key) as client:
        first = await _ingest(
            client,
            text=seed_text(),
            publishedAt="2025-06-06T00:00:00Z",
            source={"name": "Crypto Wire", "domain": "cryptowire.example"},
        )
        again = await _ingest(
            client,
            text=seed_text(),
            publishedAt="2025-06-06T00:00:00Z",
            source={"name": "Crypto Wire", "domain": "cryptowire.example"},
        )
    assert first["created"] is True
    assert first["outcome"] == "CREATED"
    assert first["userErrors"] == []
    assert first["article"]["disclaimer"]["heading"] == "Risk Warning"
    assert first["article"]["source"] == {"name": "Crypto Wire"}
    assert first["article"]["claims"]["totalCount"] == 14
    assert again["created"] is False
    assert again["outcome"] == "UNCHANGED"
    assert again["article"]["id"] == first["article"]["id"]


async def test_ingest_a_document_and_html(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    html = (
        "<html><head><title>Talks</title></head><body><article><h1>Talks resume in Geneva</h1>"
        "<p>Negotiators from both sides met in Geneva on Tuesday, officials said, and agreed "
        'to keep talking. "We made progress," said Anna Berg, a spokesperson for the ministry.'
        "</p></article></body></html>"
    )
    async with http_client(db_engine, database_url, key=write_key) as client:
        from_document = await _ingest(client, document=corpus_documents()[0].raw)
        from_html = await _ingest(client, html=html, publishedAt="2025-06-10T00:00:00Z")
    assert from_document["created"] is True
    assert from_html["created"] is True
    assert (await counts(database_url))["article"] == 2


@pytest.mark.parametrize(
    ("article", "field", "message"),
    [
        ({}, ["input"], "give exactly one of text, html and document"),
        ({"text": "x", "html": "<p>x</p>"}, ["input"], "got text, html"),
        ({"text": "   "}, ["input"], "the text is empty"),
        ({"text": "Too short."}, ["input"], "no paragraph of more than 40 characters"),
        ({"html": "<html><body><nav>Home</nav></body></html>"}, ["input"], "no article body"),
        (
            {"document": {"title": "T", "body": "B.", "actors": [{"name": "X", "kind": "alien"}]}},
            ["input", "document", "actors", "0", "kind"],
            "Input should be 'person'",
        ),
    ],
)
async def test_bad_input_is_a_user_error_and_writes_nothing(
    database_url: str,
    db_engine: AsyncEngine,
    write_key: str,
    article: dict[str, Any],
    field: list[str],
    message: str,
) -> None:
    before = await counts(database_url)
    async with http_client(db_engine, database_url, key=write_key) as client:
        result = await _ingest(client, **article)
    assert result["article"] is None
    (error,) = result["userErrors"][:1]
    assert error["field"] == field
    assert message in error["message"]
    assert await counts(database_url) == before


async def test_text_over_the_size_limit(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    text = "A sentence that is long enough to count as a paragraph. " * 40
    async with http_client(
        db_engine, database_url, key=write_key, max_article_bytes=1024
    ) as client:
        result = await _ingest(client, text=text)
    assert "over the limit of 1,024 bytes" in result["userErrors"][0]["message"]


async def test_writes_are_refused_without_permission(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    before = await counts(database_url)
    async with http_client(db_engine, database_url) as client:
        response = await client.post(
            "/graphql", json={"query": MUTATION, "variables": {"input": {"text": seed_text()}}}
        )
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "write scope" in error["message"]
    assert await counts(database_url) == before


async def test_the_same_text_from_the_same_source_is_one_article(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    """Without a URL, an article is its source and text: sent again with another date,
    it is extracted again (relative dates move) into the same article, not a second one."""
    source = {"name": "Crypto Wire", "domain": "cryptowire.example"}
    async with http_client(db_engine, database_url, key=write_key) as client:
        first = await _ingest(
            client, text=seed_text(), publishedAt="2025-06-06T00:00:00Z", source=source
        )
        later = await _ingest(
            client, text=seed_text(), publishedAt="2025-06-09T00:00:00Z", source=source
        )
        elsewhere = await _ingest(client, text=seed_text(), source={"name": "Another Wire"})
    assert first["outcome"] == "CREATED"
    assert later["outcome"] == "UPDATED"
    assert later["article"]["id"] == first["article"]["id"]
    assert elsewhere["outcome"] == "CREATED"
    assert (await counts(database_url))["article"] == 2
