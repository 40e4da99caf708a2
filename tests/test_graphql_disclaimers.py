"""`extensions.disclaimers`: whatever a query reaches, the publishers' disclaimers come along,
one entry per source that has one, in source order, on both executors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.helpers import graphql

TOKENWATCH = "Trading crypto assets involves significant risk. Nothing here is financial advice."
SEED = "Cryptocurrency investment carries high risks"
EXECUTORS = ["compiled", "resolvers"]


def _names(extensions: dict[str, Any]) -> list[str]:
    return [entry["source"]["name"] for entry in extensions["disclaimers"]]


async def _ids(corpus: AsyncSession) -> dict[str, str]:
    data, _ = await graphql(
        corpus,
        """{ article(url: "https://tokenwatch.example/analysis/rare-earths-and-chips") {
              id source { id } claims(first: 1) { nodes { id } } }
             events(filter: {kind: RULING}) { nodes { id } }
             actor(name: "Maros Sefcovic") { id }
             court: actor(name: "U.S. Court of International Trade") { id } }""",
    )
    article = data["article"]
    return {
        "article": article["id"],
        "source": article["source"]["id"],
        "claim": article["claims"]["nodes"][0]["id"],
        "event": data["events"]["nodes"][0]["id"],
        "actor": data["actor"]["id"],
        "court": data["court"]["id"],
    }


ROOT_QUERIES = {
    "node": ('{ node(id: "$article") { id } }', ["TokenWatch"]),
    "nodes": ('{ nodes(ids: ["$claim", "$event"]) { id } }', ["TokenWatch", "Law Journal"]),
    "article": ('{ article(id: "$article") { title } }', ["TokenWatch"]),
    "actor": ('{ actor(id: "$court") { name } }', ["Law Journal"]),
    "event": ('{ event(id: "$event") { title } }', ["Law Journal"]),
    "claim": ('{ claim(id: "$claim") { text } }', ["TokenWatch"]),
    # Global Wire, The Daily Herald and EuroDesk have no disclaimer: no entry
    "sources": (
        "{ sources { nodes { name } } }",
        ["Crypto Daily", "TokenWatch", "Law Journal", "Unknown source"],
    ),
    "articles": ('{ articles(filter: {sourceId: "$source"}) { nodes { title } } }', ["TokenWatch"]),
    "actors": ('{ actors(filter: {search: "Court"}) { nodes { name } } }', ["Law Journal"]),
    "events": ("{ events(filter: {kind: RULING}) { nodes { title } } }", ["Law Journal"]),
    "claims": ('{ claims(filter: {search: "licences"}) { nodes { text } } }', ["TokenWatch"]),
    "search": ('{ search(query: "licences") { nodes { __typename } } }', ["TokenWatch"]),
}


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("root", ROOT_QUERIES)
async def test_every_root_field_carries_its_sources_disclaimers(
    corpus: AsyncSession, root: str, executor: str
) -> None:
    template, expected = ROOT_QUERIES[root]
    query = template
    for name, value in (await _ids(corpus)).items():
        query = query.replace(f"${name}", value)
    _, extensions = await graphql(corpus, query, executor=executor)
    assert _names(extensions) == expected
    assert all(isinstance(entry["text"], str) for entry in extensions["disclaimers"])


async def test_entries_hold_source_heading_and_text(corpus: AsyncSession) -> None:
    ids = await _ids(corpus)
    _, extensions = await graphql(corpus, f'{{ node(id: "{ids["claim"]}") {{ id }} }}')
    assert extensions["disclaimers"] == [
        {
            "source": {"id": ids["source"], "name": "TokenWatch", "domain": "tokenwatch.example"},
            "heading": "Risk Disclosure",
            "text": TOKENWATCH,
        }
    ]


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_nested_data_brings_every_source_it_reached(
    corpus: AsyncSession, executor: str
) -> None:
    _, extensions = await graphql(
        corpus,
        """{ actor(name: "Trump") { events { nodes { event { title } } } } }""",
        executor=executor,
    )
    # Trump is mentioned by Global Wire, the Herald, the Law Journal and the seed's
    # publisher; the first two have no disclaimer
    assert _names(extensions) == ["Law Journal", "Unknown source"]
    seed = extensions["disclaimers"][-1]
    assert seed["heading"] == "Risk Warning"
    assert seed["text"].startswith(SEED)


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_a_source_without_a_disclaimer_has_no_entry(
    corpus: AsyncSession, executor: str
) -> None:
    """`Disclaimer.text` is `String!`: an entry without text would break typed clients."""
    data, extensions = await graphql(
        corpus, "{ sources(first: 1) { nodes { name } } }", executor=executor
    )
    assert data["sources"]["nodes"] == [{"name": "Global Wire"}]
    assert extensions["disclaimers"] == []  # data was reached; no source of it has one
    _, everything = await graphql(
        corpus,
        "{ articles(first: 100) { nodes { title } } actors(first: 100) { nodes { name } } }",
        executor=executor,
    )
    entries = everything["disclaimers"]
    assert [entry["source"]["name"] for entry in entries] == [
        "Crypto Daily",
        "TokenWatch",
        "Law Journal",
        "Unknown source",
    ]
    assert all(entry["text"] for entry in entries)


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_an_article_block_stands_in_for_a_source_without_one(
    corpus: AsyncSession, executor: str
) -> None:
    ids = await _ids(corpus)
    await corpus.execute(
        text(
            "UPDATE source SET disclaimer_heading = NULL, disclaimer_text = NULL "
            "WHERE name = 'TokenWatch'"
        )
    )
    _, extensions = await graphql(
        corpus, f'{{ article(id: "{ids["article"]}") {{ title }} }}', executor=executor
    )
    assert extensions["disclaimers"][0]["text"] == TOKENWATCH


async def test_a_query_that_reaches_nothing_has_no_disclaimers(corpus: AsyncSession) -> None:
    _, extensions = await graphql(corpus, '{ node(id: "QXJ0aWNsZTo5OTk5") { id } }')
    assert "disclaimers" not in extensions
