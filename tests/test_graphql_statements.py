"""No N+1: the statements a request runs depend on the depth of the query (compiled: one),
never on page sizes.

Statements are counted as the benchmark counts them, by the server (pg_stat_statements,
utility statements included), for both executors: the compiled one answers every query
it knows with one statement; the resolvers send one per level of the query, and one more
for the disclaimers of the sources the response reached.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import SHARED
from tests.helpers import ServerStatements, corpus_documents, graphql

FEED = """query($n: Int!) { articles(first: $n) { nodes {
    id title publishedAt
    source { name disclaimer { text } }
    events { nodes { id title participants { actor { name } } } }
    claims(first: 10) { nodes { text claimant { name } } }
} } }"""
DEEP = """{ articles(first: 50) { nodes { claims(first: 5) { nodes {
    claimant { articles(first: 3) { nodes { source { name } } } } } } } } }"""
SIBLINGS = """{ a: articles(first: 50) { nodes { claims { nodes { id } } } }
    b: actors(first: 50) { nodes { claimsAbout { totalCount } } }
    c: events(first: 50) { nodes { participants { role } } }
    d: sources { totalCount } }"""


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
    await corpus.flush()
    return corpus


async def _count(
    session: AsyncSession,
    statements: ServerStatements,
    query: str,
    executor: str,
    **variables: object,
) -> int:
    # once to warm up: a connection's first use of a type makes asyncpg look it up
    await graphql(session, query, dict(variables), executor=executor)
    await statements.settle(session)
    await statements.reset()
    await graphql(session, query, dict(variables), executor=executor)
    await statements.settle(session)
    return await statements.count(SHARED)


@pytest.mark.parametrize(("executor", "expected"), [("compiled", 1), ("resolvers", 7)])
async def test_the_feed_costs_the_same_for_2_and_50_articles(
    bigger_corpus: AsyncSession, server_statements: ServerStatements, executor: str, expected: int
) -> None:
    small = await _count(bigger_corpus, server_statements, FEED, executor, n=2)
    large = await _count(bigger_corpus, server_statements, FEED, executor, n=50)
    # resolvers: articles (with their sources, joined), events, claims, participants,
    # claimants, participants' actors, disclaimers
    assert small == large == expected


@pytest.mark.parametrize(
    ("query", "compiled", "resolvers"),
    [
        # resolvers: articles; claims; claimants; their articles (with sources); disclaimers
        (DEEP, 1, 5),
        # the page, the count, disclaimers
        ("{ claims(first: 100) { totalCount nodes { text } } }", 1, 3),
        # the page, nested pages, nested counts (one GROUP BY), disclaimers
        ("{ actors(first: 100) { nodes { claims(first: 2) { totalCount nodes { id } } } } }", 1, 4),
        # events, participants, causes, effects, their actors (one batch), disclaimers
        (
            """{ events(first: 100) { nodes { participants { actor { name } }
                causedBy { title } leadsTo { title } } } }""",
            1,
            6,
        ),
        # events, their disclaimers (one query for all), the extension's disclaimers
        ("{ events(first: 100) { nodes { disclaimers { text } } } }", 1, 3),
        # claims, their articles (with their sources, joined), disclaimers
        ("{ claims(first: 100) { nodes { disclaimer { text } } } }", 1, 3),
        # siblings: four root lists and their nested pages, counts, lists; disclaimers
        (SIBLINGS, 1, 8),
        # search is answered by the resolvers either way: the hits, the count, one batch
        # per kind found (4 kinds), disclaimers
        ('{ search(query: "China", first: 50) { totalCount nodes { __typename } } }', 7, 7),
    ],
)
@pytest.mark.parametrize("executor", ["compiled", "resolvers"])
async def test_exact_counts(
    bigger_corpus: AsyncSession,
    server_statements: ServerStatements,
    query: str,
    compiled: int,
    resolvers: int,
    executor: str,
) -> None:
    expected = compiled if executor == "compiled" else resolvers
    counted = await _count(bigger_corpus, server_statements, query, executor)
    assert counted == expected, await server_statements.statements(SHARED)
