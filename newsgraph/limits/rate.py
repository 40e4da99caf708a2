"""A token bucket per client, counted in query cost points.

Each client (an API key, or an IP address for anonymous calls) holds up to `per_minute`
points that refill continuously; a request spends its cost or waits. Buckets live in
this process's memory; the server shares them across processes through PostgreSQL
(`limits.shared.SharedRateLimiter`). Full buckets are dropped, so idle clients cost no
memory.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter"]

# Above this many tracked clients, buckets that have refilled completely are dropped.
_PRUNE_ABOVE = 10_000


@dataclass
class _Bucket:
    points: float
    updated: float


class RateLimiter:
    """Spends query cost points against a per-minute budget per client."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def spend(self, client: str, cost: int) -> float | None:
        """Spend `cost` points of `client`'s budget; None when spent, else seconds to wait.

        A cost above the whole budget is charged as the whole budget, so an expensive
        query is slow to repeat rather than impossible.
        """
        now = self._clock()
        cost = min(cost, self.per_minute)
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= _PRUNE_ABOVE:
                self._prune(now)
            bucket = self._buckets[client] = _Bucket(points=self.per_minute, updated=now)
        bucket.points = min(self.per_minute, bucket.points + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.points >= cost:
            bucket.points -= cost
            return None
        return (cost - bucket.points) / self._rate

    def _prune(self, now: float) -> None:
        full = [
            client
            for client, bucket in self._buckets.items()
            if bucket.points + (now - bucket.updated) * self._rate >= self.per_minute
        ]
        for client in full:
            del self._buckets[client]

    @staticmethod
    def retry_after(wait: float) -> int:
        """Whole seconds for a `Retry-After` header (at least 1)."""
        return max(1, math.ceil(wait))
