"""Alembic driven from Python: what `newsgraph db ...`, `serve` and `/readyz` use.

Alembic is imported only by what migrates: knowing which revision the code expects and
which one a database is at needs neither Alembic nor SQLAlchemy, so a command that only
checks (an import, `/readyz`) does not pay for loading them.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsgraph.db.driver import connect
from newsgraph.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = [
    "alembic_config",
    "current_revisions",
    "downgrade",
    "head_revisions",
    "new_revision",
    "require_head",
    "stored_revisions",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, bound to `url` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`."""
    from alembic import command

    _in_thread(command.upgrade, alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at `url` down to `revision` (`-1`, `base`, an id)."""
    from alembic import command

    _in_thread(command.downgrade, alembic_config(url), revision)


def new_revision(url: str, message: str, *, autogenerate: bool = True) -> None:
    """Write a new revision file, compared against the database at `url`."""
    from alembic import command

    _in_thread(command.revision, alembic_config(url), message=message, autogenerate=autogenerate)


async def require_head(url: str) -> None:
    """Migrate a database that was never migrated; refuse one at another revision.

    A fresh (e.g. embedded) database just works, while a database someone else manages
    is never migrated behind their back: they are told the command to run.
    """
    connection = await connect(url)
    try:
        current = await stored_revisions(connection)
    finally:
        await connection.close()
    heads = head_revisions()
    if not current:
        await asyncio.to_thread(upgrade, url)
    elif current != heads:
        raise DatabaseError(
            f"the database is at revision {', '.join(sorted(current))} but this newsgraph "
            f"expects {', '.join(sorted(heads))}: run `newsgraph db upgrade` first"
        )


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\'\"]([^\'\"]+)[\'\"]")


def head_revisions() -> set[str]:
    """The revision ids the code expects the database to be at: those no revision revises.

    Read from the `revision` and `down_revision` lines every revision file starts with
    (`script.py.mako`), without importing Alembic; a test keeps the answer equal to
    Alembic's own.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = _REVISION.search(text)
        if revision is None:
            continue
        revisions.update(_QUOTED.findall(revision.group(1)))
        down = _DOWN_REVISION.search(text)
        if down is not None:
            revised.update(_QUOTED.findall(down.group(1)))
    return revisions - revised


_HAS_VERSIONS = "SELECT to_regclass('alembic_version') IS NOT NULL"
_VERSIONS = "SELECT version_num FROM alembic_version"


async def current_revisions(connection: AsyncConnection) -> set[str]:
    """The revision ids the database is at (empty for a database never migrated).

    Read with plain SQL rather than Alembic's MigrationContext, which logs on every call:
    `/readyz` asks this every few seconds.
    """
    from sqlalchemy import text

    if not await connection.scalar(text(_HAS_VERSIONS)):
        return set()
    rows = await connection.execute(text(_VERSIONS))
    return {str(row[0]) for row in rows}


async def stored_revisions(connection: Any) -> set[str]:
    """`current_revisions` on an asyncpg connection."""
    if not await connection.fetchval(_HAS_VERSIONS):
        return set()
    return {str(record[0]) for record in await connection.fetch(_VERSIONS)}


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
