"""What one app holds: the engine, its sessions, the embedded server, the rate limiter,
the read replica's pools, the change feed.

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
from newsgraph.http.replicas import ReadRoute
from newsgraph.limits.rate import RateLimiter
from newsgraph.limits.shared import SharedRateLimiter
from newsgraph.live.feed import ChangeFeed
from newsgraph.live.retention import Pruner
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
        # shared by every process on the database once the engine is up (`start`)
        self.rate_limiter: RateLimiter | None = None
        # the pool's counts for /metrics, and the sessions waiting for a connection
        self.pool_watch = PoolWatch()
        # compiled reads run on asyncpg connections of their own (newsgraph.compile)
        self.reader: ReadPool | None = None
        # subscriptions read the change log through one listener, made on first use
        self._feed: ChangeFeed | None = None
        self._feed_engine: AsyncEngine | None = None
        self._pruner: Pruner | None = None
        # NEWSGRAPH_READ_DATABASE_URL: where read-only operations go (`http.replicas`)
        self.read_route: ReadRoute | None = None
        self._replica_engine: AsyncEngine | None = None
        self._url: str | None = None

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
                self._engine = self._new_engine(url)
            read_url = self.settings.read_database_url
            if read_url is not None:
                self._replica_engine = self._new_engine(read_url)
                count_statements(self._replica_engine)
                self.read_route = ReadRoute(
                    self._new_read_pool(read_url),
                    make_sessionmaker(self._replica_engine),
                    make_sessionmaker(self._engine),
                    window=self.settings.read_after_write,
                )
            if url is not None:
                self.reader = self._new_read_pool(url)
            self._url = url or self._engine.url.render_as_string(hide_password=False)
            self._pruner = Pruner(self._url, self.settings.change_retention)
            self._pruner.start()
            if self.settings.rate_limit:
                shared = SharedRateLimiter(self.settings.rate_limit, self._url)
                await shared.start()
                self.rate_limiter = shared
            count_statements(self._engine)
            start_tracing(self.settings)
            self._sessionmaker = self.pool_watch.watch(
                self._engine, make_sessionmaker(self._engine)
            )

    def _new_engine(self, url: str) -> AsyncEngine:
        """A SQLAlchemy engine on `url` with the settings' pool and timeouts."""
        settings = self.settings
        return make_engine(
            url,
            pool_size=settings.pool_size,
            pool_timeout=settings.pool_timeout,
            statement_timeout=settings.statement_timeout,
        )

    def _new_read_pool(self, url: str) -> ReadPool:
        """Compiled reads' connections to `url`, as many as the session pool's."""
        settings = self.settings
        return ReadPool(
            url,
            size=settings.pool_size,
            timeout=settings.pool_timeout,
            statement_timeout=settings.statement_timeout,
            cache_size=STATEMENT_CACHE_SIZE,
        )

    async def stop(self) -> None:
        """Close what `start` opened (an engine passed in stays the caller's)."""
        async with self._lock:
            if self._pruner is not None:
                await self._pruner.stop()
                self._pruner = None
            if isinstance(self.rate_limiter, SharedRateLimiter):
                await self.rate_limiter.stop()
                self.rate_limiter = None
            if self._feed is not None:
                await self._feed.stop()
                self._feed = None
            if self._feed_engine is not None:
                await self._feed_engine.dispose()
                self._feed_engine = None
            if self.reader is not None:
                await self.reader.close()
                self.reader = None
            if self.read_route is not None:
                await self.read_route.reader.close()
                self.read_route = None
            if self._replica_engine is not None:
                await self._replica_engine.dispose()
                self._replica_engine = None
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

    async def change_feed(self) -> ChangeFeed:
        """The process's change listener (`newsgraph.live`), made on first use."""
        await self.sessionmaker()
        if self._feed is None:
            assert self._url is not None
            # its own connection for the rows of each batch: subscribers busy on the
            # request pool must not hold up the one reader that feeds them all
            self._feed_engine = make_engine(
                self._url, pool_size=1, pool_timeout=self.settings.pool_timeout
            )
            self._feed = ChangeFeed(
                self._url,
                make_sessionmaker(self._feed_engine),
                retention=self.settings.change_retention,
                max_subscribers=self.settings.subscriptions_per_process,
                queue_limit=self.settings.subscription_queue,
            )
        return self._feed

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
