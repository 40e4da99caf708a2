"""No N+1: the SQL a request sends depends on the depth of the query, not on page sizes.

Each test runs a query with the statement counter on and writes the exact count down.
The last statement of each request is the one that finds the disclaimers of the
sources the response reached.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.helpers import StatementLog, corpus_documents, graphql

FEED = """query($n: Int!) { articles(first: $n) { nodes {
    id title publishedAt
    source { name disclaimer { text } }
    events { nodes { id title participants { actor { name } } } }
    claims(first: 10) { nodes { text claimant { name } } }
} } }"""


@pytest.fixture
async def bigger_corpus(corpus: AsyncSession) -> AsyncSession:
    """The corpus with every document stored again under other URLs and titles, so that
    pages of 50 hold more than pages of 2."""
    from newsgraph.ingest.document import parse_document
    from newsgraph.ingest.store import store_document

    for copy in range(8):
        for raw in corpus_documents():
            document = dict(
                raw.raw, url=f"{raw.raw['url']}/copy-{copy}", title=f"{raw.raw['title']} #{copy}"
            )
            await store_document(corpus, parse_document(document, raw.where))
    return corpus


async def _count(session: AsyncSession, sql: StatementLog, query: str, **variables: object) -> int:
    sql.reset()
    await graphql(session, query, dict(variables))
    return sql.count


async def test_the_feed_costs_the_same_for_2_and_50_articles(
    bigger_corpus: AsyncSession, sql: StatementLog
) -> None:
    small = await _count(bigger_corpus, sql, FEED, n=2)
    large = await _count(bigger_corpus, sql, FEED, n=50)
    # articles (with their sources, joined), events, claims, participants, claimants,
    # participants' actors, disclaimers
    assert small == large == 7


async def test_four_relations_deep(bigger_corpus: AsyncSession, sql: StatementLog) -> None:
    query = """{ articles(first: 50) { nodes { claims(first: 5) { nodes {
        claimant { articles(first: 3) { nodes { source { name } } } } } } } } }"""
    # articles; 1 claims; 2 claimants; 3 their articles (4 with their sources, joined);
    # the disclaimers
    assert await _count(bigger_corpus, sql, query) == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the page, the count, disclaimers
        ("{ claims(first: 100) { totalCount nodes { text } } }", 3),
        # the page, nested pages, nested counts (one GROUP BY), disclaimers
        ("{ actors(first: 100) { nodes { claims(first: 2) { totalCount nodes { id } } } } }", 4),
        # events, participants, causes, effects, their actors (one batch), disclaimers
        (
            """{ events(first: 100) { nodes { participants { actor { name } }
                causedBy { title } leadsTo { title } } } }""",
            6,
        ),
        # events, their disclaimers (one query for all), the extension's disclaimers
        ("{ events(first: 100) { nodes { disclaimers { text } } } }", 3),
        # claims, their articles (with their sources, joined), disclaimers
        ("{ claims(first: 100) { nodes { disclaimer { text } } } }", 3),
        # the hits, the count, one batch per kind found (4 kinds), disclaimers
        ('{ search(query: "China", first: 50) { totalCount nodes { __typename } } }', 7),
    ],
)
async def test_exact_counts(
    bigger_corpus: AsyncSession, sql: StatementLog, query: str, expected: int
) -> None:
    assert await _count(bigger_corpus, sql, query) == expected


async def test_siblings_share_the_session_without_clashing(
    bigger_corpus: AsyncSession, sql: StatementLog
) -> None:
    query = """{ a: articles(first: 50) { nodes { claims { nodes { id } } } }
                 b: actors(first: 50) { nodes { claimsAbout { totalCount } } }
                 c: events(first: 50) { nodes { participants { role } } }
                 d: sources { totalCount } }"""
    results = await asyncio.gather(*(_count(bigger_corpus, sql, query) for _ in range(1)))
    print("\n---\n".join(sql.statements))
    assert results == [8]
