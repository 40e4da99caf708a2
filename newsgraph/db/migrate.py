"""Alembic driven from Python: what `newsgraph db ...`, `serve` and `/readyz` use."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from newsgraph.db.engine import async_url
from newsgraph.errors import DatabaseError

__all__ = [
    "alembic_config",
    "current_revisions",
    "downgrade",
    "head_revisions",
    "new_revision",
    "require_head",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, bound to `url` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`."""
    _in_thread(command.upgrade, alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at `url` down to `revision` (`-1`, `base`, an id)."""
    _in_thread(command.downgrade, alembic_config(url), revision)


def new_revision(url: str, message: str, *, autogenerate: bool = True) -> None:
    """Write a new revision file, compared against the database at `url`."""
    _in_thread(command.revision, alembic_config(url), message=message, autogenerate=autogenerate)


async def require_head(url: str) -> None:
    """Migrate a database that was never migrated; refuse one at another revision.

    A fresh (e.g. embedded) database just works, while a database someone else manages
    is never migrated behind their back: they are told the command to run.
    """
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            current = await current_revisions(connection)
    finally:
        await engine.dispose()
    heads = head_revisions()
    if not current:
        await asyncio.to_thread(upgrade, url)
    elif current != heads:
        raise DatabaseError(
            f"the database is at revision {', '.join(sorted(current))} but this newsgraph "
            f"expects {', '.join(sorted(heads))}: run `newsgraph db upgrade` first"
        )


def head_revisions() -> set[str]:
    """The revision ids the code expects the database to be at."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def current_revisions(connection: AsyncConnection) -> set[str]:
    """The revision ids the database is at (empty for a database never migrated).

    Read with plain SQL rather than Alembic's MigrationContext, which logs on every call:
    `/readyz` asks this every few seconds.
    """
    exists = await connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    if not exists:
        return set()
    rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
    return {str(row[0]) for row in rows}


def _in_thread(function: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run an Alembic command, which calls `asyncio.run`, even from inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        function(*args, **kwargs)
        return

    errors: list[BaseException] = []

    def target() -> None:
        try:
            function(*args, **kwargs)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
