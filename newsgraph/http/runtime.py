"""What one app holds: the engine, its sessions, the embedded server, the rate limiter.

Nothing opens at construction: `start` runs with the app's lifespan, or on the first
request when the app is mounted inside another one whose lifespan does not reach it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from newsgraph.compile.readers import ReadPool
from newsgraph.db.embedded import EmbeddedPostgres
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.migrate import current_revisions, head_revisions
from newsgraph.limits.rate import RateLimiter
from newsgraph.observability import PoolWatch, count_statements
from newsgraph.settings import Settings
from newsgraph.tracing import start_tracing

__all__ = ["Runtime"]

READY_TIMEOUT_S = 3.0
# Statements each compiled-read connection keeps prepared (one per query shape in use).
STATEMENT_CACHE_SIZE = 256


class Runtime:
    """The resources one app holds: engine, sessions, and the embedded server it started."""

    def __init__(self, settings: Settings, engine: AsyncEngine | None) -> None:
        self.settings = settings
        self._given_engine = engine
        self._engine = engine
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._embedded: EmbeddedPostgres | None = None
        self._lock = asyncio.Lock()
        self.heads = head_revisions()
        self.rate_limiter = RateLimiter(settings.rate_limit) if settings.rate_limit else None
        # the pool's counts for /metrics, and the sessions waiting for a connection
        self.pool_watch = PoolWatch()
        # compiled reads run on asyncpg connections of their own (newsgraph.compile)
        self.reader: ReadPool | None = None

    async def start(self) -> None:
        """Open the engine (starting the embedded server first if needed); idempotent."""
        async with self._lock:
            if self._sessionmaker is not None:
                return
            url = self.settings.database_url
            if self._engine is None:
                if url is None:
                    self._embedded = EmbeddedPostgres(self.settings.data_dir)
                    url = await asyncio.to_thread(self._embedded.start)
                self._engine = make_engine(
                    url,
                    pool_size=self.settings.pool_size,
                    pool_timeout=self.settings.pool_timeout,
                    statement_timeout=self.settings.statement_timeout,
                )
            if url is not None:
                self.reader = ReadPool(
                    url,
                    size=self.settings.pool_size,
                    timeout=self.settings.pool_timeout,
                    statement_timeout=self.settings.statement_timeout,
                    cache_size=STATEMENT_CACHE_SIZE,
                )
            count_statements(self._engine)
            start_tracing(self.settings)
            self._sessionmaker = self.pool_watch.watch(
                self._engine, make_sessionmaker(self._engine)
            )

    async def stop(self) -> None:
        """Close what `start` opened (an engine passed in stays the caller's)."""
        async with self._lock:
            if self.reader is not None:
                await self.reader.close()
                self.reader = None
            if self._engine is not None and self._given_engine is None:
                await self._engine.dispose()
                self._engine = None
            if self._embedded is not None:
                await asyncio.to_thread(self._embedded.stop)
                self._embedded = None
            self._sessionmaker = None

    async def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions on the app's engine, starting it on first use."""
        if self._sessionmaker is None:
            await self.start()
        assert self._sessionmaker is not None
        return self._sessionmaker

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Whether the database answers and is migrated to the code's head revision."""
        try:
            await self.sessionmaker()
            assert self._engine is not None
            async with asyncio.timeout(READY_TIMEOUT_S), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                current = await current_revisions(connection)
        except Exception as exc:  # any failure to reach the database means "not ready"
            return False, {"database": "unreachable", "error": type(exc).__name__}
        if current != self.heads:
            return False, {
                "database": "ok",
                "migrations": "behind",
                "current": sorted(current),
                "head": sorted(self.heads),
            }
        return True, {"database": "ok", "migrations": "head"}
