"""Where a compiled statement runs: a pool of asyncpg connections, or a session's one.

Over HTTP, reads go to `ReadPool`: asyncpg connections that prepare each statement once
and send one message per request, outside any transaction (a single statement is its
own), with no ping before use and no reset query after. That is what makes a compiled
request one statement, `BEGIN`/`COMMIT` included. A connection found broken (the server
restarted) is replaced and the read tried once more: a read changes nothing, so running
it again is safe. In-process (`schema.execute` over your own session), the statement
runs on that session's connection instead (`SessionReader`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.errors import UnavailableError
from newsgraph.observability import PoolUsage, count_statement

__all__ = ["ReadPool", "SessionReader"]

Row = tuple[str, str | None]


def _broken(error: BaseException) -> bool:
    return isinstance(
        error, asyncpg.PostgresConnectionError | asyncpg.InterfaceError | ConnectionError
    )


class ReadPool:
    """asyncpg connections for compiled reads, opened lazily, at most `size` at once."""

    isolated = True

    def __init__(
        self, dsn: str, *, size: int, timeout: float, statement_timeout: float, cache_size: int
    ) -> None:
        self.dsn = dsn
        self.size = size
        self.timeout = timeout
        self.statement_timeout = statement_timeout
        self.cache_size = cache_size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        # asyncpg does not say how many callers wait for a connection: /metrics wants it
        self._waiting = 0

    def usage(self) -> PoolUsage:
        """Connections in use, idle and allowed, and the requests waiting for one."""
        pool = self._pool
        if pool is None:
            return PoolUsage(in_use=0, idle=0, size=self.size, waiting=self._waiting)
        idle = pool.get_idle_size()
        return PoolUsage(
            in_use=pool.get_size() - idle, idle=idle, size=self.size, waiting=self._waiting
        )

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self.dsn,
                        min_size=0,
                        max_size=self.size,
                        timeout=self.timeout,
                        statement_cache_size=self.cache_size,
                        # one statement per request, outside a transaction: nothing to reset
                        reset=_keep,
                        server_settings={
                            "statement_timeout": str(round(self.statement_timeout * 1000))
                        },
                    )
        return self._pool

    async def fetch(self, sql: str, arguments: list[Any]) -> Row:
        for attempt in (1, 2):
            try:
                pool = await self._opened()
                self._waiting += 1
                try:
                    connection = await pool.acquire(timeout=self.timeout)
                finally:
                    self._waiting -= 1
                try:
                    count_statement()
                    row = await connection.fetchrow(sql, *arguments)
                finally:
                    await pool.release(connection)
            except TimeoutError as exc:
                raise UnavailableError(
                    "no database connection was free in time (NEWSGRAPH_POOL_TIMEOUT); retry "
                    "in a few seconds"
                ) from exc
            except Exception as exc:
                if attempt == 2 or not _broken(exc):
                    raise
                continue
            assert row is not None
            return row[0], row[1]
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def close(self) -> None:
        """Close every connection (the app's lifespan ends)."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _keep(connection: asyncpg.Connection) -> None:
    """Leave the connection as it is when it goes back to the pool."""


class SessionReader:
    """Runs statements on the connection of a SQLAlchemy session (in-process use)."""

    isolated = False

    def __init__(self, session: AsyncSession, lock: asyncio.Lock) -> None:
        self.session = session
        self.lock = lock

    async def fetch(self, sql: str, arguments: list[Any]) -> Row:
        async with self.lock:
            connection = await self.session.connection()
            raw = await connection.get_raw_connection()
            driver: asyncpg.Connection = raw.driver_connection
            count_statement()
            row = await driver.fetchrow(sql, *arguments)
        assert row is not None
        return row[0], row[1]
