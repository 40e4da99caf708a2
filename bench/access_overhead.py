"""What access control and the abuse limits cost a small query, over HTTP, in-process.

    .venv/bin/python bench/access_overhead.py [--runs 500]

Runs `articles(first: 1) { nodes { title source { name } } }` through the whole app
(transport rules, guards, key check, one session per request) in three set-ups:
anonymous without a rate limit, anonymous with one (never reached), and with an API key
(one more SELECT per request). Each set-up is warmed up first, and the three take turns
in rounds, so that drift hits them alike. Prints the median and p90 latency in
milliseconds, SQL statements per request (the pool's pings included), and each median
as a ratio of the first. The database is NEWSGRAPH_DATABASE_URL's (a scratch database)
or an embedded one in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from newsgraph.access.keys import create_key
from newsgraph.access.scopes import Scope
from newsgraph.db.connect import database_url
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.migrate import upgrade
from newsgraph.demo import load_demo_if_empty
from newsgraph.server import create_app
from newsgraph.settings import Settings, load_settings

WARM_UP = 50
ROUNDS = 5
BODY = {"query": "{ articles(first: 1) { nodes { title source { name } } } }"}


class _Setup:
    """One configuration of the app, with its client and what it measured."""

    def __init__(self, url: str, rate_limit: int, key: str | None) -> None:
        self.engine = make_engine(url, pool_size=2)
        self.sent = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._count)
        app = create_app(Settings(database_url=url, rate_limit=rate_limit), engine=self.engine)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {key}"} if key else {},
        )
        self.timings: list[float] = []
        self.statements: list[int] = []

    def _count(self, *_: object) -> None:
        self.sent += 1

    async def send(self, runs: int, *, record: bool = True) -> None:
        for _ in range(runs):
            before = self.sent
            started = time.perf_counter()
            response = await self.client.post("/graphql", json=BODY)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text
            if record:
                self.timings.append(elapsed)
                self.statements.append(self.sent - before)

    async def close(self) -> dict[str, Any]:
        await self.client.aclose()
        await self.engine.dispose()
        return {
            "median_ms": round(statistics.median(self.timings), 3),
            "p90_ms": round(statistics.quantiles(self.timings, n=10)[8], 3),
            "statements": statistics.mode(self.statements),
        }


async def measure(url: str, runs: int) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url, pool_size=1)
    async with make_sessionmaker(engine)() as session:
        await load_demo_if_empty(session)
        async with session.begin():
            key = (await create_key(session, f"bench-{time.time_ns()}", Scope.READ)).secret
    await engine.dispose()
    setups = {
        "anonymous, no rate limit": _Setup(url, 0, None),
        "anonymous, rate limit on": _Setup(url, 1_000_000, None),
        "API key, rate limit on": _Setup(url, 1_000_000, key),
    }
    for setup in setups.values():
        await setup.send(WARM_UP, record=False)
    for _ in range(ROUNDS):
        for setup in setups.values():
            await setup.send(runs // ROUNDS)
    results = {name: await setup.close() for name, setup in setups.items()}
    base = results["anonymous, no rate limit"]["median_ms"]
    for result in results.values():
        result["median_ratio"] = round(result["median_ms"] / base, 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        database_url(load_settings(data_dir=Path(scratch))) as url,
    ):
        print(json.dumps(asyncio.run(measure(url, args.runs)), indent=1))


if __name__ == "__main__":
    main()
