"""The embedded PostgreSQL: shared by several processes, robust to a crash."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import psutil
import pytest
from sqlalchemy import text

from newsgraph.db.embedded import EmbeddedPostgres
from tests.helpers import engine_for


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def _answers(url: str) -> bool:
    async def ask() -> bool:
        engine = engine_for(url)
        try:
            async with engine.connect() as connection:
                return bool(await connection.scalar(text("SELECT 1")) == 1)
        finally:
            await engine.dispose()

    return asyncio.run(ask())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_second_user_reuses_the_server_and_the_last_one_stops_it(data_dir: Path) -> None:
    first = EmbeddedPostgres(data_dir)
    url = first.start()
    pid = _postmaster_pid(data_dir)
    second = EmbeddedPostgres(data_dir)
    try:
        assert second.start() == url
        assert _postmaster_pid(data_dir) == pid, "the running server is reused, not restarted"
        first.stop()
        assert psutil.pid_exists(pid), "still in use by the second user"
        assert _answers(url)
    finally:
        first.stop()
        second.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_crash_leaves_a_stale_pid_file_that_the_next_start_survives(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    os.kill(_postmaster_pid(data_dir), signal.SIGKILL)
    psutil.wait_procs([psutil.Process(_postmaster_pid(data_dir))], timeout=10)
    # and, worse, the dead server's pid now belongs to another live process
    pid_file = data_dir / "pgdata" / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    lines[0] = str(os.getpid())
    pid_file.write_text("\n".join(lines) + "\n")

    again = EmbeddedPostgres(data_dir)
    try:
        url = again.start()
        assert _answers(url)
        assert _postmaster_pid(data_dir) != os.getpid()
    finally:
        again.stop()
        server.stop()


def test_a_holder_that_died_without_stopping_does_not_keep_the_server(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    pid = _postmaster_pid(data_dir)
    holders = data_dir / "embedded.holders.json"
    # a holder entry for a process that no longer exists (pid 1 with the wrong start time)
    holders.write_text(holders.read_text().replace("[", '[{"pid": 1, "started": 0.0}, ', 1))
    server.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
