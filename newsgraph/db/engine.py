"""Engines and sessions, built from settings by functions, never at import time."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from newsgraph.errors import ConfigurationError

__all__ = ["async_url", "make_engine", "make_sessionmaker"]

_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def async_url(url: str) -> URL:
    """Turn the URL a user writes (`postgresql://…`, `postgres://…`) into an asyncpg one.

    libpq's `sslmode` is translated into asyncpg's `ssl`; everything else is kept.
    """
    raw = url.strip()
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    try:
        parsed = make_url(raw)
    except Exception as exc:
        raise ConfigurationError(f"NEWSGRAPH_DATABASE_URL: cannot parse {url!r}: {exc}") from exc
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"NEWSGRAPH_DATABASE_URL: {url!r} is not a PostgreSQL URL (postgresql://…)"
        )
    query = dict(parsed.query)
    sslmode = query.pop("sslmode", None)
    if isinstance(sslmode, str):
        if sslmode not in _SSL_MODES:
            raise ConfigurationError(
                f"NEWSGRAPH_DATABASE_URL: sslmode={sslmode!r} is not one of {sorted(_SSL_MODES)}"
            )
        query["ssl"] = sslmode
    return parsed.set(drivername="postgresql+asyncpg", query=query)


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float = 10.0,
    statement_timeout: float = 0,
    echo: bool = False,
) -> AsyncEngine:
    """An asyncpg engine whose pool checks connections before handing them out.

    A connection attempt gives up after `pool_timeout` too, so a database that does not
    answer costs a request that long, not asyncpg's default minute. `statement_timeout`
    (seconds, 0: none) is set on every connection, so PostgreSQL itself stops a runaway
    statement even when the client that sent it is gone.
    """
    server_settings = {"statement_timeout": str(round(statement_timeout * 1000))}
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        echo=echo,
        connect_args={"timeout": pool_timeout, "server_settings": server_settings},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that never load implicitly after a commit (no hidden IO in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
