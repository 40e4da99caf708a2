"""`extensions.disclaimers`: whatever a query reaches, the publishers' disclaimers come along."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.helpers import graphql

TOKENWATCH = "Trading crypto assets involves significant risk. Nothing here is financial advice."
SEED = "Cryptocurrency investment carries high risks"


def _names(extensions: dict[str, Any]) -> list[str]:
    return [entry["source"]["name"] for entry in extensions["disclaimers"]]


async def _ids(corpus: AsyncSession) -> dict[str, str]:
    data, _ = await graphql(
        corpus,
        """{ article(url: "https://tokenwatch.example/analysis/rare-earths-and-chips") {
              id source { id } claims(first: 1) { nodes { id } } }
             events(filter: {kind: RULING}) { nodes { id } }
             actor(name: "Maros Sefcovic") { id } }""",
    )
    article = data["article"]
    return {
        "article": article["id"],
        "source": article["source"]["id"],
        "claim": article["claims"]["nodes"][0]["id"],
        "event": data["events"]["nodes"][0]["id"],
        "actor": data["actor"]["id"],
    }


ROOT_QUERIES = {
    "node": ('{ node(id: "$article") { id } }', ["TokenWatch"]),
    "nodes": ('{ nodes(ids: ["$claim", "$event"]) { id } }', ["TokenWatch", "Law Journal"]),
    "article": ('{ article(id: "$article") { title } }', ["TokenWatch"]),
    "actor": ('{ actor(id: "$actor") { name } }', ["EuroDesk"]),
    "event": ('{ event(id: "$event") { title } }', ["Law Journal"]),
    "claim": ('{ claim(id: "$claim") { text } }', ["TokenWatch"]),
    "sources": ("{ sources(first: 1) { nodes { name } } }", ["Global Wire"]),
    "articles": ('{ articles(filter: {sourceId: "$source"}) { nodes { title } } }', ["TokenWatch"]),
    "actors": ('{ actors(filter: {search: "Sefcovic"}) { nodes { name } } }', ["EuroDesk"]),
    "events": ("{ events(filter: {kind: RULING}) { nodes { title } } }", ["Law Journal"]),
    "claims": ('{ claims(filter: {search: "licences"}) { nodes { text } } }', ["TokenWatch"]),
    "search": ('{ search(query: "licences") { nodes { __typename } } }', ["TokenWatch"]),
}


@pytest.mark.parametrize("root", ROOT_QUERIES)
async def test_every_root_field_carries_its_sources_disclaimers(
    corpus: AsyncSession, root: str
) -> None:
    template, expected = ROOT_QUERIES[root]
    query = template
    for name, value in (await _ids(corpus)).items():
        query = query.replace(f"${name}", value)
    _, extensions = await graphql(corpus, query)
    assert _names(extensions) == expected


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


async def test_nested_data_brings_every_source_it_reached(corpus: AsyncSession) -> None:
    _, extensions = await graphql(
        corpus,
        """{ actor(name: "Trump") { events { nodes { event { title } } } } }""",
    )
    # Trump is mentioned by Global Wire, the Herald, the Law Journal and the seed's publisher
    assert _names(extensions) == [
        "Global Wire",
        "The Daily Herald",
        "Law Journal",
        "Unknown source",
    ]
    seed = extensions["disclaimers"][-1]
    assert seed["heading"] == "Risk Warning"
    assert seed["text"].startswith(SEED)


async def test_a_source_without_a_disclaimer_is_listed_with_none(corpus: AsyncSession) -> None:
    _, extensions = await graphql(corpus, "{ sources(first: 1) { nodes { name } } }")
    assert extensions["disclaimers"][0]["text"] is None


async def test_an_article_block_stands_in_for_a_source_without_one(corpus: AsyncSession) -> None:
    ids = await _ids(corpus)
    await corpus.execute(
        text(
            "UPDATE source SET disclaimer_heading = NULL, disclaimer_text = NULL "
            "WHERE name = 'TokenWatch'"
        )
    )
    _, extensions = await graphql(corpus, f'{{ article(id: "{ids["article"]}") {{ title }} }}')
    assert extensions["disclaimers"][0]["text"] == TOKENWATCH


async def test_a_query_that_reaches_nothing_has_no_disclaimers(corpus: AsyncSession) -> None:
    _, extensions = await graphql(corpus, '{ node(id: "QXJ0aWNsZTo5OTk5") { id } }')
    assert "disclaimers" not in extensions
