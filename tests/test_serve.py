"""`newsgraph serve` as `make run` starts it: a real socket, the demo, a graceful stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

NEWSGRAPH = str(Path(sys.executable).parent / "newsgraph")
QUERY = "{ articles { nodes { title source { disclaimer { heading text } } } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    environment.update(env, NEWSGRAPH_LOG_FORMAT="json")
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [NEWSGRAPH, "serve", "--port", str(port)],
            env=environment,
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


def test_serve_on_a_configured_database(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving({"NEWSGRAPH_DATABASE_URL": database_url}, log) as (base, process):
        assert _seed_disclaimer(base)["heading"] == "Risk Warning"
    assert process.returncode == 0
    logs = log.read_text()
    assert '"message": "request"' in logs
    assert '"path": "/graphql"' in logs


@pytest.mark.slow
def test_serve_with_the_embedded_database_stops_it_on_shutdown(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "serve.log"
    with serving({"NEWSGRAPH_DATA_DIR": str(data_dir)}, log) as (base, process):
        assert _seed_disclaimer(base)["text"].startswith(
            "Cryptocurrency investment carries high risks"
        )
        pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
        assert psutil.pid_exists(pid)
    assert process.returncode == 0, log.read_text()
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()
