"""`newsgraph serve` as `make run` starts it: a real socket, the demo, a graceful stop."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import psutil
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

NEWSGRAPH = str(Path(sys.executable).parent / "newsgraph")
QUERY = "{ articles { nodes { title source { disclaimer { heading text } } } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def embedded_data_dir() -> Iterator[Path]:
    """A data directory for an embedded PostgreSQL that no other test run can lock out.

    As root the server runs as another user, who must traverse every parent folder; each
    pytest session resets its `/tmp/pytest-of-<user>` folder to 0700, so a server started
    under `tmp_path` fails to start whenever another session starts at the same time.
    """
    parent = Path(tempfile.mkdtemp(prefix="newsgraph-test-"))
    try:
        yield parent / "data"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def _environment(env: dict[str, str]) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    environment.update(env, NEWSGRAPH_LOG_FORMAT="json")
    return environment


@contextmanager
def serving(
    env: dict[str, str], log: Path, *args: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`newsgraph serve ARGS` on a free port, ready; stopped with SIGTERM if still running."""
    port = _free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [NEWSGRAPH, "serve", "--port", str(port), *args],
            env=_environment(env),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("newsgraph serve never became ready")
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _seed_disclaimer(base: str) -> dict[str, str]:
    response = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=10)
    (article,) = response.json()["data"]["articles"]["nodes"]
    return dict(article["source"]["disclaimer"])


def _websocket_extensions(base: str) -> str | None:
    """What `newsgraph serve` answers a browser-like handshake offering compression."""

    async def handshake() -> str | None:
        url = base.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            assert ws.response is not None
            return ws.response.headers.get("Sec-WebSocket-Extensions")

    return asyncio.run(handshake())


@pytest.mark.parametrize(("setting", "compressed"), [(None, False), ("true", True)])
def test_websocket_compression_is_off_unless_asked_for(
    database_url: str, tmp_path: Path, setting: str | None, compressed: bool
) -> None:
    """permessage-deflate keeps a zlib state per connection: twice a subscriber's memory."""
    env = {"NEWSGRAPH_DATABASE_URL": database_url}
    if setting is not None:
        env["NEWSGRAPH_WS_COMPRESSION"] = setting
    with serving(env, tmp_path / "serve.log") as (base, _):
        extensions = _websocket_extensions(base)
    assert (extensions is not None and "permessage-deflate" in extensions) is compressed


def test_serve_on_a_configured_database(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving({"NEWSGRAPH_DATABASE_URL": database_url}, log) as (base, process):
        assert _seed_disclaimer(base)["heading"] == "Risk Warning"
    assert process.returncode == 0
    logs = log.read_text()
    assert '"message": "request"' in logs
    assert '"path": "/graphql"' in logs


def test_worker_processes_log_each_request_in_the_configured_format(
    database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    env = {"NEWSGRAPH_DATABASE_URL": database_url}
    with serving(env, log, "--workers", "2") as (base, process):
        assert _seed_disclaimer(base)["heading"] == "Risk Warning"
    assert process.returncode == 0
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("message") == "request"]
    assert any(r.get("path") == "/graphql" for r in requests), log.read_text()


def test_worker_processes_tune_the_garbage_collector_as_serve_does(database_url: str) -> None:
    """A worker is a fresh interpreter (`--workers`, or uvicorn run on the app factory):
    with the default thresholds, full collections over a thousand subscribers' objects
    pause it for a tenth of a second at a time."""
    probe = (
        "import gc\n"
        "from newsgraph.server import create_app_from_environment\n"
        "create_app_from_environment()\n"
        "print(gc.get_threshold(), gc.get_freeze_count() > 0)\n"
    )
    env = {**os.environ, "NEWSGRAPH_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[-2] == "(50000, 50, 100) True", done.stderr


@pytest.mark.slow
def test_serve_with_the_embedded_database_stops_it_on_shutdown(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with embedded_data_dir() as data_dir:
        with serving({"NEWSGRAPH_DATA_DIR": str(data_dir)}, log) as (base, process):
            assert _seed_disclaimer(base)["text"].startswith(
                "Cryptocurrency investment carries high risks"
            )
            pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
            assert psutil.pid_exists(pid)
        assert process.returncode == 0, log.read_text()
        assert not (data_dir / "pgdata" / "postmaster.pid").exists()


class _LogLines:
    """The lines a process writes to a pipe, read by a thread, so waiting can time out."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            self.lines.put(line)

    def record(self, message: str, process: subprocess.Popen[bytes]) -> dict[str, Any]:
        """The first JSON log record with this message (waiting up to 90 s for it)."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert process.poll() is None, f"newsgraph serve exited before {message!r}"
                continue
            record = json.loads(line) if line.startswith(b"{") else {}
            if record.get("message") == message:
                return dict(record)
        pytest.fail(f"newsgraph serve never logged {message!r}")


@pytest.mark.parametrize("public", [False, True], ids=["default", "public"])
def test_serving_is_logged_once_the_port_accepts_connections(
    database_url: str, public: bool
) -> None:
    port = _free_port()
    env = {"NEWSGRAPH_DATABASE_URL": database_url, "NEWSGRAPH_PUBLIC": str(public).lower()}
    with subprocess.Popen(
        [NEWSGRAPH, "serve", "--port", str(port)],
        env=_environment(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stderr is not None
        logs = _LogLines(process.stderr)
        try:
            record = logs.record("serving", process)
            # at once: the line promises that the port takes connections now
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            logs.reader.join(timeout=10)
    assert process.returncode == 0
    address = f"http://127.0.0.1:{port}"
    assert record["address"] == address
    if public:
        assert "graphiql" not in record, "GraphiQL is off in public mode: no URL to advertise"
    else:
        assert record["graphiql"] == f"{address}/graphql"
