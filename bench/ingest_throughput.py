"""Extraction and ingestion throughput, single process.

    .venv/bin/python bench/ingest_throughput.py [--rounds 20]

Extraction: the annotated articles of tests/fixtures/articles run through the whole
text pipeline (normalise, structure, extract, validate) `--rounds` times, in memory.
Ingestion: the same articles, each under `--rounds` different URLs and sources, stored
one transaction each (as `newsgraph ingest` does) into NEWSGRAPH_DATABASE_URL (a
scratch database) or an embedded PostgreSQL in a temporary directory. Prints articles
per second for both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from newsgraph.db.connect import database_url
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.migrate import upgrade
from newsgraph.ingest.importer import Pending, import_documents
from newsgraph.ingest.pipeline import ArticleInput, document_from_input
from newsgraph.settings import load_settings

ARTICLES = Path(__file__).parent.parent / "tests" / "fixtures" / "articles"


def _inputs(rounds: int) -> list[ArticleInput]:
    inputs = []
    for text_file in sorted(ARTICLES.glob("*.txt")):
        meta = json.loads(text_file.with_name(text_file.stem + ".meta.json").read_text())
        for number in range(rounds):
            # a different first line makes each copy a different article
            text = f"Edition {number}: {text_file.stem}.\n" + text_file.read_text()
            inputs.append(
                ArticleInput(
                    text=text,
                    published_at=meta["published_at"],
                    url=f"https://bench{number}.example/{text_file.stem}",
                    source_name=f"Bench {number}",
                    source_domain=f"bench{number}.example",
                    where=text_file.name,
                )
            )
    return inputs


def extraction_rate(inputs: list[ArticleInput]) -> float:
    started = time.perf_counter()
    for article in inputs:
        document_from_input(article)
    return len(inputs) / (time.perf_counter() - started)


async def ingestion_rate(url: str, inputs: list[ArticleInput]) -> float:
    upgrade(url)
    engine = make_engine(url, pool_size=1)
    pending = [Pending(a.where, lambda a=a: document_from_input(a)) for a in inputs]
    started = time.perf_counter()
    summary = await import_documents(make_sessionmaker(engine), pending)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    assert summary.failed == 0, summary.errors
    return len(inputs) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    inputs = _inputs(args.rounds)
    result = {"articles": len(inputs), "extract_per_s": round(extraction_rate(inputs), 1)}
    with (
        tempfile.TemporaryDirectory() as scratch,
        database_url(load_settings(data_dir=Path(scratch))) as url,
    ):
        result["ingest_per_s"] = round(asyncio.run(ingestion_rate(url, inputs)), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
