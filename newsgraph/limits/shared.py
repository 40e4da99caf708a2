"""One rate budget per client across every server process, reconciled through PostgreSQL.

`RateLimiter` keeps buckets in process memory, so N processes would give a client N
budgets. Here each process still decides in memory (no statement on a request's path),
but against a lease, and reconciles about once a second (`sync`, on a connection of its
own): it gives back what it did not spend of its lease in the shared table
`rate_budget`, which refills each client's points at the budget's rate, and takes a new
lease, its share of what is left (the points divided by the processes seen in the last
few seconds, `rate_process`). Leases are taken out of the shared points, so all
processes together never spend more than the client had: once leased, a client
sending as fast as it can gets its budget's rate, plus at most one round's refill.

A client new to a process has no lease yet: that process lets it spend its share of a
full budget before the next round (so the first request of a client is answered as with
one process); its first lease leaves out what the other processes may have done the
same way and not reported yet. A client whose requests all reach one process still gets
its whole rate over time (its points accumulate until that share covers it); only its
bursts are split.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from newsgraph.background import Background
from newsgraph.db.driver import connect
from newsgraph.limits.rate import RateLimiter

__all__ = ["SharedRateLimiter"]

logger = logging.getLogger("newsgraph.limits")

SYNC_EVERY_S = 1.0
# A process that has not reconciled for this long no longer takes a share.
PROCESS_TTL_S = 5.0

# Made before the round's update: rows of clients new to the table, at a full budget.
_NEW_CLIENTS = """
    INSERT INTO rate_budget (client, points, granted, updated_at)
    SELECT t.client, $2, 0, now() FROM unnest($1::text[]) AS t (client)
    ON CONFLICT (client) DO NOTHING
"""
# The round. For each client: points refilled since the last update, plus what this
# process gives back (the lease it did not spend; minus what it spent without a lease),
# capped at the budget: P. Then the lease, the process's share, is taken out of P. A
# process that spent without a lease (a client new to it) may not be the only one: the
# others may each have spent up to their share of a full budget, not reported yet, so its
# first lease is its share of what is left beyond that. Every expression of the SET reads
# the row as it was, so both columns come from one value, and the row lock orders two
# processes reconciling the same client.
_POINTS = "least($6, b.points + $7 * extract(epoch FROM now() - b.updated_at) + r.credit)"
_LEASE = f"""
    CASE WHEN r.leased THEN greatest(0, {_POINTS}) / n.processes
         ELSE greatest(0, {_POINTS} - $6 * (n.processes - 1) / n.processes) / n.processes
    END
"""
_ROUND = f"""
    WITH me AS (
        INSERT INTO rate_process (process, seen_at) VALUES ($1, now())
        ON CONFLICT (process) DO UPDATE SET seen_at = now()
    ),
    n AS (
        SELECT 1 + count(*) AS processes FROM rate_process
        WHERE process <> $1 AND seen_at > now() - make_interval(secs => $2)
    ),
    r AS (
        SELECT * FROM unnest($3::text[], $4::float8[], $5::bool[]) AS t (client, credit, leased)
    ),
    updated AS (
        UPDATE rate_budget b
        SET points = {_POINTS} - {_LEASE}, granted = {_LEASE}, updated_at = now()
        FROM r, n
        WHERE b.client = r.client
        RETURNING b.client, b.granted
    )
    SELECT u.client, u.granted, n.processes FROM n LEFT JOIN updated u ON true
"""
_FORGET = """
    WITH stale AS (
        DELETE FROM rate_process WHERE seen_at < now() - make_interval(secs => $1)
    )
    DELETE FROM rate_budget WHERE updated_at < now() - make_interval(secs => $2)
"""


@dataclass
class _Allowance:
    share: float  # what this process may spend until the next round
    spent: float = 0.0  # what it spent since the last round
    leased: bool = False  # `share` was granted by the last round (else: a first guess)


class SharedRateLimiter(RateLimiter):
    """A `RateLimiter` whose budgets are shared by every process on one database."""

    def __init__(
        self,
        per_minute: int,
        url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        process: str | None = None,
    ) -> None:
        super().__init__(per_minute, clock)
        self.url = url
        self._db: Any = None  # its own connection: a round is never a request's statement
        self.process = process or uuid.uuid4().hex
        self.processes = 1
        self._allowances: dict[str, _Allowance] = {}
        self._background = Background("newsgraph rate budget")

    def spend(self, client: str, cost: int) -> float | None:
        """Spend from this process's allowance for `client`; None when spent, else
        seconds to wait (at least until the next round)."""
        cost = min(cost, self.per_minute)
        allowance = self._allowances.get(client)
        if allowance is None:  # new here: its share of a full budget until the next round
            allowance = self._allowances[client] = _Allowance(self.per_minute / self.processes)
        if allowance.spent + cost <= allowance.share:
            allowance.spent += cost
            return None
        missing = allowance.spent + cost - allowance.share
        return max(SYNC_EVERY_S, missing * self.processes / self._rate)

    async def sync(self) -> None:
        """One round: give back what was not spent here, take the new leases."""
        clients = list(self._allowances)
        allowances = [self._allowances[client] for client in clients]
        spent = [allowance.spent for allowance in allowances]
        credit = [
            (a.share if a.leased else 0.0) - used for a, used in zip(allowances, spent, strict=True)
        ]
        leased = [allowance.leased for allowance in allowances]
        connection = await self._connection()
        try:
            async with connection.transaction():
                await connection.execute(_NEW_CLIENTS, clients, float(self.per_minute))
                rows = await connection.fetch(
                    _ROUND,
                    self.process,
                    PROCESS_TTL_S,
                    clients,
                    credit,
                    leased,
                    float(self.per_minute),
                    self._rate,
                )
        except BaseException:
            await self._close()
            raise
        self.processes = int(rows[0]["processes"])
        for allowance, used in zip(allowances, spent, strict=True):
            allowance.spent -= used  # what was spent during the round stays counted
        idle = {client for client, used in zip(clients, spent, strict=True) if used == 0}
        full = self.per_minute / self.processes
        for row in rows:
            if row["client"] is None:  # no client here: only the count of processes
                continue
            allowance = self._allowances[row["client"]]
            allowance.share, allowance.leased = row["granted"], True
            if row["client"] in idle and allowance.spent == 0 and allowance.share >= full:
                del self._allowances[row["client"]]  # full and quiet: forget it here

    async def _connection(self) -> Any:
        if self._db is None or self._db.is_closed():
            self._db = await connect(self.url, application_name="newsgraph rate budget")
        return self._db

    async def _close(self) -> None:
        if self._db is not None:
            with suppress(Exception):
                await self._db.close(timeout=1)
            self._db = None

    async def start(self) -> None:
        """Reconcile every `SYNC_EVERY_S` in the background."""
        self._background.start(self._run)

    async def stop(self) -> None:
        """Stop reconciling (what was spent since the last round is not reported)."""
        await self._background.stop()
        await self._close()

    async def _run(self) -> None:
        rounds = 0
        while True:
            await asyncio.sleep(SYNC_EVERY_S)
            try:
                await self.sync()
                rounds += 1
                if rounds % 60 == 0:
                    connection = await self._connection()
                    await connection.execute(_FORGET, PROCESS_TTL_S, 3600.0)
            except Exception as exc:
                logger.warning("rate budget not reconciled (%s)", type(exc).__name__)
