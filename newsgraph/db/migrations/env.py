"""Alembic environment: online migrations over asyncpg, on the URL newsgraph is given.

The URL comes from `config.attributes["url"]` (set by `newsgraph db ...`), else from the
same settings the server reads. Tests hand in a ready connection instead.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from newsgraph.db.base import Base
from newsgraph.db.engine import async_url
from newsgraph.errors import ConfigurationError
from newsgraph.settings import load_settings

config = context.config
target_metadata = Base.metadata


def _configured_url() -> str:
    url = config.attributes.get("url")
    if url:
        return str(url)
    settings = load_settings()
    if settings.database_url is None:
        raise ConfigurationError(
            "alembic needs NEWSGRAPH_DATABASE_URL; to migrate the embedded database "
            "use `newsgraph db upgrade`"
        )
    return settings.database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Migrate over the given connection, or open one on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    asyncio.run(_run_async(_configured_url()))


if context.is_offline_mode():
    context.configure(url=str(async_url(_configured_url())), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
