"""One rate budget across processes: four limiters on one database (four workers) hold a
client to one budget, give or take about one round's refill."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from newsgraph.limits.shared import SharedRateLimiter
from tests.helpers import engine_for

PER_MINUTE = 60  # one point a second: a test run adds a few at most


async def _spend_all(workers: list[SharedRateLimiter], client: str) -> int:
    """What a client sending as fast as it can gets through, round-robin over workers."""
    accepted = 0
    refused = [False] * len(workers)
    while not all(refused):
        for index, worker in enumerate(workers):
            if not refused[index]:
                if worker.spend(client, 1) is None:
                    accepted += 1
                else:
                    refused[index] = True
    return accepted


async def test_four_workers_hold_a_client_to_one_budget(database_url: str) -> None:
    engine = engine_for(database_url)
    workers = [SharedRateLimiter(PER_MINUTE, database_url) for _ in range(4)]
    try:
        for worker in workers:  # every worker has reconciled once: they know of 4
            await worker.sync()
        for worker in workers:
            await worker.sync()
        assert {worker.processes for worker in workers} == {4}
        accepted = await _spend_all(workers, "ip:1")
        for _ in range(3):  # rounds go by; the client keeps hammering
            for worker in workers:
                await worker.sync()
            accepted += await _spend_all(workers, "ip:1")
        async with engine.connect() as connection:
            left = await connection.scalar(
                text("SELECT points FROM rate_budget WHERE client = 'ip:1'")
            )
    finally:
        await engine.dispose()
        for worker in workers:
            await worker.stop()
    # in-process buckets would have let 4 x 60 through; the shared one lets the budget
    # through, plus what refilled while the test ran (a point a second)
    assert PER_MINUTE - 4 <= accepted <= PER_MINUTE + 5
    assert left is not None
    assert left < 5


async def test_a_request_spends_without_a_statement() -> None:
    """Deciding is in memory: a limiter whose database is unreachable still answers;
    only a round (`sync`) reaches the database."""
    limiter = SharedRateLimiter(PER_MINUTE, "postgresql://nobody@127.0.0.1:1/none")
    for _ in range(PER_MINUTE):
        assert limiter.spend("ip:2", 1) is None
    wait = limiter.spend("ip:2", 1)
    assert wait is not None
    assert wait >= 1
    with pytest.raises(OSError, match=r"."):
        await limiter.sync()


async def test_one_process_keeps_a_clients_budget_across_rounds(database_url: str) -> None:
    """A client's first round does not cut what it may spend when no other process runs."""
    limiter = SharedRateLimiter(PER_MINUTE, database_url)
    try:
        for _ in range(10):
            assert limiter.spend("ip:3", 1) is None
        await limiter.sync()  # alone: its lease is what is left, about 50
        for _ in range(45):
            assert limiter.spend("ip:3", 1) is None
        await limiter.sync()
        accepted = 0
        while limiter.spend("ip:3", 1) is None:
            accepted += 1
        # the whole budget, its unspent lease given back and leased again, plus what
        # refilled while the test ran (a point a second)
        assert PER_MINUTE <= 10 + 45 + accepted <= PER_MINUTE + 3
    finally:
        await limiter.stop()
