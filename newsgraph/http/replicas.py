"""Which database a request reads: the primary, or the read replica
(`NEWSGRAPH_READ_DATABASE_URL`) when one is configured.

Read-only operations go to the replica: the compiled statement (`reader`) and, for a
query the resolvers answer, their session (`schema.routing.ReadRouting` swaps it in).
Mutations, authentication, the subscriptions' change log and their catch-up stay on the
primary. A key that wrote in the last `read_after_write` seconds reads from the primary,
so it sees its own writes however far the replica lags: its last write is kept in
`api_key.last_write_at`, which every process reads when it authenticates the key (no
extra statement), and in this process's memory, which is ahead of it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.access.scopes import Caller
from newsgraph.compile.readers import ReadPool
from newsgraph.db.models import ApiKey

__all__ = ["ReadRoute"]


class ReadRoute:
    """The replica's reads and sessions, and the keys that wrote lately."""

    def __init__(
        self,
        reader: ReadPool,
        sessions: Callable[[], AsyncSession],
        primary: Callable[[], AsyncSession],
        *,
        window: float,
    ) -> None:
        self.reader = reader
        self.sessions = sessions
        self.primary = primary
        self.window = window
        self._wrote: dict[int, float] = {}  # key id -> monotonic time of its last write

    def reads_from_replica(self, caller: Caller) -> bool:
        """False for a key that wrote within the window (anywhere, as far as known)."""
        if caller.key_id is None:
            return True
        wrote = self._wrote.get(caller.key_id)
        if wrote is not None and time.monotonic() - wrote < self.window:
            return False
        if caller.wrote_at is not None:
            age = dt.datetime.now(dt.UTC) - caller.wrote_at
            return age.total_seconds() >= self.window
        return True

    async def wrote(self, caller: Caller) -> None:
        """Note that `caller` wrote (on the primary, for the other processes too)."""
        if caller.key_id is None:
            return
        self._wrote[caller.key_id] = time.monotonic()
        async with self.primary() as session:
            await session.execute(
                update(ApiKey).where(ApiKey.id == caller.key_id).values(last_write_at=func.now())
            )
            await session.commit()
