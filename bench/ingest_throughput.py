"""Import and ingest throughput: whole `newsgraph` commands on scratch databases.

    .venv/bin/python bench/ingest_throughput.py import [--articles 20000] [--jobs N]
    .venv/bin/python bench/ingest_throughput.py floor [--articles 20000]
    .venv/bin/python bench/ingest_throughput.py ingest [--rounds 10] [--jobs 1 2]

import: the benchmark's dataset (`gen_data.py --format jsonl`, `--articles` documents;
actors, events and claims scaled as `make bench` scales them) goes into a fresh database
with `newsgraph import FILE`, then the same file again (everything unchanged). Each run
is timed from the command's start to its exit, as a user waits for it, and the peak
resident memory of the importing process and of its worker processes is sampled
(psutil, every 50 ms).

floor: the same dataset imported once, then what PostgreSQL alone spends storing it: the
imported rows COPYed table by table into another fresh database (indexes, generated
search vectors, foreign-key checks and triggers as the import has them, no Python), and
the time to compute the articles' and claims' search vectors alone. The import's
physical limit on this machine, as `q1_feed_physical_sql` is the feed's.

ingest: the annotated articles of tests/fixtures/articles, each `--rounds` times under
another first line, URL and source (text files with sidecars in a folder), go into a
fresh database with `newsgraph ingest DIR --jobs N`, for each N given; articles per
second, and the speed-up over the first N.

The server is NEWSGRAPH_DATABASE_URL's (the scratch databases are created on it and
dropped afterwards), else an embedded PostgreSQL in a temporary directory. Prints one
JSON object; the machine's CPU count and load are in it, since other work competes.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy.engine import make_url

from newsgraph.db.connect import database_url
from newsgraph.db.driver import connect
from newsgraph.ingest.bulk.workers import InProcess, Preparer, ProcessPool
from newsgraph.ingest.inputs import Defaults, collect
from newsgraph.ingest.items import Item
from newsgraph.settings import load_settings

BENCH = Path(__file__).parent
ARTICLES = BENCH.parent / "tests" / "fixtures" / "articles"
NEWSGRAPH = str(Path(sys.executable).parent / "newsgraph")


@contextmanager
def scratch_server() -> Iterator[str]:
    """A URL on the server the scratch databases are made on."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        database_url(load_settings(data_dir=Path(scratch))) as url,
    ):
        yield url


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, migrated database on `server`, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        subprocess.run([NEWSGRAPH, "db", "upgrade"], env=_env(url), check=True, capture_output=True)
        yield url
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(server: str, statement: str) -> None:
    connection = await connect(server)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    return {**env, "NEWSGRAPH_DATABASE_URL": url, "NEWSGRAPH_LOG_LEVEL": "WARNING"}


def timed(args: list[str], url: str) -> dict[str, Any]:
    """Run a newsgraph command to its end: seconds, exit status, summary, peak memory."""
    started = time.monotonic()
    process = subprocess.Popen(
        [NEWSGRAPH, *args], env=_env(url), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    main_peak = workers_peak = 0
    watched = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            main_peak = max(main_peak, watched.memory_info().rss)
            workers_peak = max(
                workers_peak, sum(c.memory_info().rss for c in watched.children(recursive=True))
            )
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.monotonic() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    return {
        "seconds": round(seconds, 2),
        "exit": process.returncode,
        "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "",
        "rss_mb": round(main_peak / 2**20),
        "workers_rss_mb": round(workers_peak / 2**20),
    }


def _dataset(folder: Path, articles: int) -> Path:
    """The benchmark's documents as jsonl, actors, events and claims scaled as `make bench`
    scales them."""
    scale = articles / 20_000
    data = folder / "news.jsonl"
    with data.open("w") as out:
        subprocess.run(
            [sys.executable, str(BENCH / "gen_data.py"), "--format", "jsonl",
             "--articles", str(articles), "--actors", str(max(50, round(3000 * scale))),
             "--events", str(max(50, round(8000 * scale))),
             "--claims", str(round(100_000 * scale))],
            stdout=out, check=True,
        )  # fmt: skip
    return data


def bench_import(server: str, articles: int, jobs: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        data = _dataset(Path(scratch), articles)
        command = ["import", str(data), *(["--jobs", str(jobs)] if jobs else [])]
        with fresh_database(server) as url:
            first = timed(command, url)
            again = timed(command, url)
    return {
        "documents": articles,
        "import": {**first, "per_second": round(articles / first["seconds"])},
        "reimport": {**again, "per_second": round(articles / again["seconds"])},
    }


# What an import writes, in an order its foreign keys allow. The tables the triggers fill
# (provenance, source sets, the change log) are left out: the triggers fill them again.
WRITTEN = ["source", "actor", "event", "article", "article_actor", "event_participant",
           "article_event", "claim", "claim_about", "event_link"]  # fmt: skip


def bench_floor(server: str, articles: int) -> dict[str, Any]:
    """What PostgreSQL alone spends storing an import: the imported rows, COPYed table by
    table into a fresh database in one transaction (indexes, generated search vectors,
    foreign keys and triggers as the import has them), with no Python in the way."""
    with tempfile.TemporaryDirectory() as scratch:
        data = _dataset(Path(scratch), articles)
        with fresh_database(server) as imported, fresh_database(server) as copied:
            run = timed(["import", str(data)], imported)
            tables = asyncio.run(_copy_rows(imported, copied))
            vectors = asyncio.run(_search_vectors(imported))
    total = sum(tables.values())
    return {
        "documents": articles,
        "import": {**run, "per_second": round(articles / run["seconds"])},
        "floor": {
            "seconds": round(total, 2),
            "per_second": round(articles / total),
            "seconds_by_table": {name: round(seconds, 2) for name, seconds in tables.items()},
            "search_vectors_seconds": vectors,
        },
    }


async def _copy_rows(source_url: str, target_url: str) -> dict[str, float]:
    source, target = await connect(source_url), await connect(target_url)
    seconds: dict[str, float] = {}
    try:
        async with target.transaction():
            for table in WRITTEN:
                columns = [
                    row[0]
                    for row in await source.fetch(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
                        " AND is_generated = 'NEVER' ORDER BY ordinal_position",
                        table,
                    )
                ]
                rows = io.BytesIO()
                await source.copy_from_table(table, columns=columns, output=rows, format="binary")
                rows.seek(0)
                started = time.monotonic()
                await target.copy_to_table(table, columns=columns, source=rows, format="binary")
                seconds[table] = time.monotonic() - started
    finally:
        await source.close()
        await target.close()
    return seconds


async def _search_vectors(url: str) -> dict[str, float]:
    """Seconds to compute the stored search vectors of every article and claim again,
    with the expression their generated column has."""
    connection = await connect(url)
    seconds: dict[str, float] = {}
    try:
        for table in ("article", "claim"):
            expression = await connection.fetchval(
                "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a"
                " ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
                " WHERE d.adrelid = $1::regclass AND a.attname = 'search'",
                table,
            )
            started = time.monotonic()
            await connection.fetchval(f"SELECT sum(length({expression})) FROM {table}")
            seconds[table] = round(time.monotonic() - started, 2)
    finally:
        await connection.close()
    return seconds


def _articles_folder(folder: Path, rounds: int) -> int:
    count = 0
    for text_file in sorted(ARTICLES.glob("*.txt")):
        meta = json.loads(text_file.with_name(text_file.stem + ".meta.json").read_text())
        for number in range(rounds):
            # a different first line and publisher make each copy another article
            name = f"{text_file.stem}-{number}"
            (folder / f"{name}.txt").write_text(
                f"Edition {number}: {text_file.stem}.\n" + text_file.read_text()
            )
            source = {"name": f"Bench {number}", "domain": f"bench{number}.example"}
            copy = {**meta, "url": f"https://{source['domain']}/{text_file.stem}", "source": source}
            (folder / f"{name}.meta.json").write_text(json.dumps(copy))
            count += 1
    return count


def bench_ingest(server: str, rounds: int, jobs: list[int]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        articles = _articles_folder(folder, rounds)
        items = list(collect([str(folder)], Defaults()))
        for n in jobs:
            with fresh_database(server) as url:
                run = timed(["ingest", str(folder), "--jobs", str(n)], url)
            extracting = extraction_rate(items, n)
            results[f"jobs_{n}"] = {
                **run,
                "per_second": round(articles / run["seconds"], 1),
                "extraction_per_second": round(extracting, 1),
            }
    first = results[f"jobs_{jobs[0]}"]
    return {
        "articles": articles,
        **results,
        "speedup": {
            f"jobs_{n}": {
                "command": round(results[f"jobs_{n}"]["per_second"] / first["per_second"], 2),
                "extraction": round(
                    results[f"jobs_{n}"]["extraction_per_second"] / first["extraction_per_second"],
                    2,
                ),
            }
            for n in jobs
        },
    }


def extraction_rate(items: list[Item], jobs: int) -> float:
    """Articles per second the workers of `newsgraph ingest --jobs N` extract (and
    validate), without the database: what scales with the cores."""
    preparer: Preparer = ProcessPool(jobs) if jobs > 1 else InProcess()
    try:

        async def all_of_them() -> None:
            await asyncio.gather(
                *(preparer.submit(items[i : i + 5]) for i in range(0, len(items), 5))
            )

        started = time.monotonic()
        asyncio.run(all_of_them())
        return len(items) / (time.monotonic() - started)
    finally:
        preparer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="newsgraph import of the dataset, twice")
    importing.add_argument("--articles", type=int, default=20_000)
    importing.add_argument("--jobs", type=int, default=None, help="default: the command's")
    flooring = commands.add_parser("floor", help="what PostgreSQL alone spends on an import")
    flooring.add_argument("--articles", type=int, default=20_000)
    ingesting = commands.add_parser("ingest", help="newsgraph ingest of text, per --jobs")
    ingesting.add_argument("--rounds", type=int, default=10)
    ingesting.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    machine = {"cpus": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()]}
    with scratch_server() if "NEWSGRAPH_DATABASE_URL" not in os.environ else _given() as server:
        if args.command == "import":
            result = bench_import(server, args.articles, args.jobs)
        elif args.command == "floor":
            result = bench_floor(server, args.articles)
        else:
            result = bench_ingest(server, args.rounds, args.jobs)
    machine["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps({**result, "machine": machine}, indent=2))


@contextmanager
def _given() -> Iterator[str]:
    yield os.environ["NEWSGRAPH_DATABASE_URL"]


if __name__ == "__main__":
    main()
