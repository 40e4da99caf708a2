"""Median latency of the feed query, executed in-process, on the fixture corpus.

    .venv/bin/python bench/feed_latency.py [--runs 200] [--copies 8]

The corpus (tests/fixtures/corpus + the seed) is stored with `--copies` extra copies of
each document under other URLs, so the feed's 50 articles are all there. The database is
NEWSGRAPH_DATABASE_URL's (a scratch database: the script creates its tables) or, without
one, an embedded PostgreSQL in a temporary directory. Prints statements per request and
latency percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from newsgraph import build_context, schema
from newsgraph.db.connect import database_url
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.migrate import upgrade
from newsgraph.demo import SEED_PUBLISHED_AT, seed_text
from newsgraph.ingest.document import parse_document
from newsgraph.ingest.pipeline import extract_document
from newsgraph.ingest.store import store_document
from newsgraph.observability import StatementCounter, count_statements, use_counter
from newsgraph.settings import Settings, load_settings

ROOT = Path(__file__).parent.parent
FEED = """{ articles(first: 50, orderBy: PUBLISHED_AT_DESC) { nodes {
    id title publishedAt
    source { name disclaimer { text } }
    events { nodes { id title participants { actor { name } } } }
    claims(first: 10) { nodes { text claimant { name } } }
} } }"""


def _documents(copies: int) -> list[dict[str, object]]:
    corpus = [
        json.loads(p.read_text()) for p in sorted((ROOT / "tests/fixtures/corpus").glob("*.json"))
    ]
    seed = extract_document(seed_text(), published_at=SEED_PUBLISHED_AT)
    documents: list[dict[str, object]] = [*corpus, seed]
    for copy in range(copies):
        documents += [
            dict(d, url=f"{d['url']}/copy-{copy}", title=f"{d['title']} #{copy}") for d in corpus
        ]
    return documents


async def measure(url: str, runs: int, copies: int) -> dict[str, float]:
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    count_statements(engine)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        for number, document in enumerate(_documents(copies)):
            await store_document(session, parse_document(document, f"document {number}"))
    settings = Settings(database_url=url)
    timings: list[float] = []
    statements: list[int] = []
    for _ in range(runs):
        counter = StatementCounter()
        with use_counter(counter):
            started = time.perf_counter()
            async with sessions() as session:
                result = await schema.execute(FEED, context_value=build_context(session, settings))
            timings.append((time.perf_counter() - started) * 1000)
        assert not result.errors, result.errors
        statements.append(counter.statements)
    await engine.dispose()
    quantiles = statistics.quantiles(timings, n=100)
    return {
        "runs": runs,
        "articles": len(result.data["articles"]["nodes"]) if result.data else 0,
        "statements_per_request": statistics.mode(statements),
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(quantiles[89], 2),
        "p99_ms": round(quantiles[98], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--copies", type=int, default=8)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        database_url(load_settings(data_dir=Path(scratch))) as url,
    ):
        print(json.dumps(asyncio.run(measure(url, args.runs, args.copies))))


if __name__ == "__main__":
    main()
