"""Paging: every connection walked with `first: 2` (and backwards with `last: 2`) visits
exactly what one `first: 100` returns, in the same order; cursors survive inserts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.ingest.document import parse_document
from newsgraph.ingest.store import store_document
from tests.helpers import corpus_documents, graphql, graphql_errors

ROOT_CONNECTIONS = [
    "articles",
    "articles(orderBy: PUBLISHED_AT_ASC, {args})",
    "articles(orderBy: INGESTED_AT_DESC, {args})",
    "articles(orderBy: INGESTED_AT_ASC, {args})",
    "actors",
    "events",
    "events(orderBy: DATE_ASC, {args})",
    "claims",
    "sources",
]
NESTED_CONNECTIONS = {
    "China": ["claims", "claimsAbout", "events", "articles"],
    "United States": ["claimsAbout", "articles", "events"],
}


def _field(template: str, args: str) -> str:
    return template.format(args=args) if "{args}" in template else f"{template}({args})"


async def _walk(
    corpus: AsyncSession, wrap: str, template: str, *, backwards: bool = False
) -> list[str]:
    """Every node id of one connection, page by page (2 at a time)."""
    seen: list[str] = []
    cursor: str | None = None
    while True:
        if backwards:
            args = "last: 2" + (f', before: "{cursor}"' if cursor else "")
        else:
            args = "first: 2" + (f', after: "{cursor}"' if cursor else "")
        query = wrap.replace("CONNECTION", _field(template, args))
        data, _ = await graphql(corpus, query)
        connection = _connection(data)
        ids = [_node_key(edge["node"]) for edge in connection["edges"]]
        info = connection["pageInfo"]
        if backwards:
            seen = ids + seen
            if not info["hasPreviousPage"]:
                return seen
            cursor = info["startCursor"]
        else:
            seen += ids
            if not info["hasNextPage"]:
                return seen
            cursor = info["endCursor"]
        assert len(seen) < 500, "paging does not end"


def _connection(data: Any) -> Any:
    """The one connection inside a response (descending through `nodes` lists)."""
    while "edges" not in data:
        (data,) = (value for value in data.values() if isinstance(value, dict | list))
        if isinstance(data, list):
            (data,) = data
    return data


def _node_key(node: dict[str, Any]) -> str:
    return str(node.get("id") or (node["event"]["id"], node["actor"]["id"]))


async def _all(corpus: AsyncSession, wrap: str, template: str) -> list[str]:
    data, _ = await graphql(corpus, wrap.replace("CONNECTION", _field(template, "first: 100")))
    connection = _connection(data)
    assert not connection["pageInfo"]["hasNextPage"]
    return [_node_key(edge["node"]) for edge in connection["edges"]]


PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
EDGES = "{ " + PAGE + " edges { cursor node { ... on Node { id } } } }"
PARTICIPATION_EDGES = "{ " + PAGE + " edges { cursor node { event { id } actor { id } } } }"


@pytest.mark.parametrize("template", ROOT_CONNECTIONS)
async def test_root_connections_page_exactly(corpus: AsyncSession, template: str) -> None:
    wrap = "{ CONNECTION " + EDGES + " }"
    everything = await _all(corpus, wrap, template)
    assert len(everything) > 2
    assert await _walk(corpus, wrap, template) == everything
    assert await _walk(corpus, wrap, template, backwards=True) == everything


@pytest.mark.parametrize(
    ("actor", "template"),
    [(actor, field) for actor, fields in NESTED_CONNECTIONS.items() for field in fields],
)
async def test_nested_connections_page_exactly(
    corpus: AsyncSession, actor: str, template: str
) -> None:
    edges = PARTICIPATION_EDGES if template == "events" else EDGES
    wrap = f'{{ actor(name: "{actor}") {{ CONNECTION {edges} }} }}'
    everything = await _all(corpus, wrap, template)
    assert len(everything) > 2
    assert await _walk(corpus, wrap, template) == everything
    assert await _walk(corpus, wrap, template, backwards=True) == everything


async def test_article_and_event_and_source_children_page_exactly(corpus: AsyncSession) -> None:
    seed = '{ articles(filter: {search: "Truth Social"}) { nodes { CONNECTION } } }'
    for template in ("claims", "actors", "events"):
        wrap = seed.replace("CONNECTION", "CONNECTION " + EDGES)
        data, _ = await graphql(corpus, wrap.replace("CONNECTION", _field(template, "first: 100")))
        everything = [_node_key(e["node"]) for e in data["articles"]["nodes"][0][template]["edges"]]
        walked = await _walk(corpus, wrap, template)
        assert walked == everything
        assert len(everything) > 2


async def test_search_pages_exactly(corpus: AsyncSession) -> None:
    async def page(after: str | None) -> Any:
        args = 'query: "China", first: 2' + (f', after: "{after}"' if after else "")
        data, _ = await graphql(corpus, f"{{ search({args}) {EDGES} }}")
        return data["search"]

    everything, _ = await graphql(corpus, f'{{ search(query: "China", first: 100) {EDGES} }}')
    expected = [e["node"]["id"] for e in everything["search"]["edges"]]
    walked: list[str] = []
    cursor = None
    while True:
        connection = await page(cursor)
        walked += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        cursor = connection["pageInfo"]["endCursor"]
    assert walked == expected
    assert len(expected) == everything["search"]["totalCount"] > 4


async def test_a_cursor_stays_valid_while_rows_are_inserted(corpus: AsyncSession) -> None:
    query = """query($after: String) {
        articles(first: 3, after: $after) { pageInfo { endCursor } nodes { title } } }"""
    first, _ = await graphql(corpus, query, {"after": None})
    newer = dict(
        corpus_documents()[0].raw, url="https://globalwire.example/later", published_at="2026-01-01"
    )
    await store_document(corpus, parse_document(newer, "newer"))
    rest, _ = await graphql(corpus, query, {"after": first["articles"]["pageInfo"]["endCursor"]})
    titles = [n["title"] for n in first["articles"]["nodes"] + rest["articles"]["nodes"]]
    assert len(titles) == len(set(titles)) == 6, "no article is skipped or seen twice"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 101", "`first` must be between 1 and 100, got 101"),
        ("first: -1", "`first` must be between 1 and 100, got -1"),
        ("last: 101", "`last` must be between 1 and 100, got 101"),
        ("first: 2, last: 2", "pass `first` or `last`, not both"),
        ('before: "bm9wZQ"', "is not a cursor this API handed out"),
    ],
)
async def test_page_arguments_are_checked(
    corpus: AsyncSession, arguments: str, message: str
) -> None:
    for query in (
        f"{{ claims({arguments}) {{ totalCount }} }}",
        f'{{ actor(name: "China") {{ claims({arguments}) {{ totalCount }} }} }}',
    ):
        (error,) = await graphql_errors(corpus, query)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert message in error["message"]


async def test_first_defaults_to_twenty(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus, "{ claims { totalCount nodes { id } pageInfo { hasNextPage } } }"
    )
    assert data["claims"]["totalCount"] > 20
    assert len(data["claims"]["nodes"]) == 20
    assert data["claims"]["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize("template", ["articles", "articles(orderBy: PUBLISHED_AT_ASC, {args})"])
async def test_undated_articles_page_exactly(corpus: AsyncSession, template: str) -> None:
    """Undated rows sort as -infinity: their cursors must bring paging back to exactly there."""
    for number in range(3):
        undated = dict(
            corpus_documents()[number].raw,
            url=f"https://undated.example/{number}",
            published_at=None,
            title=f"Undated {number}",
        )
        await store_document(corpus, parse_document(undated, f"undated {number}"))
    wrap = "{ CONNECTION " + EDGES + " }"
    everything = await _all(corpus, wrap, template)
    assert await _walk(corpus, wrap, template) == everything
    assert await _walk(corpus, wrap, template, backwards=True) == everything
