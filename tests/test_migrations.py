"""Migrations: one head, every revision up and down, and models equal to the migrated DDL.

These are the checks pytest-alembic offers, written against our async engine directly
(its collector fails on pytest 9 and its model comparison does not take an async engine).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from newsgraph.db.base import Base
from newsgraph.db.engine import async_url
from newsgraph.db.migrate import (
    alembic_config,
    current_revisions,
    downgrade,
    head_revisions,
    upgrade,
)


def _revisions_base_to_head() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def _state(url: str) -> tuple[set[str], int]:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            tables = await connection.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            )
            return await current_revisions(connection), int(tables or 0)
    finally:
        await engine.dispose()


def test_single_head_revision() -> None:
    assert len(head_revisions()) == 1


def test_the_head_is_the_one_alembic_finds() -> None:
    """`head_revisions` reads the revision files without Alembic: it must agree with it."""
    script = ScriptDirectory.from_config(alembic_config())
    assert head_revisions() == set(script.get_heads())


def test_every_revision_has_a_downgrade() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text()
        assert "def downgrade() -> None:\n    pass" not in source, revision.revision


async def test_walk_every_revision_up_down_and_up_again(database_url: str) -> None:
    downgrade(database_url, "base")
    assert await _state(database_url) == (set(), 1)  # only alembic_version is left
    revisions = _revisions_base_to_head()
    for revision in revisions:
        upgrade(database_url, revision)
        assert (await _state(database_url))[0] == {revision}
    for revision in reversed(revisions):
        downgrade(database_url, "-1")
        assert revision not in (await _state(database_url))[0]
    assert await _state(database_url) == (set(), 1)
    upgrade(database_url)
    assert (await _state(database_url))[0] == head_revisions()


async def test_models_match_the_migrated_database(template_url: str) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_async_engine(async_url(template_url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
