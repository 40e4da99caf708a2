"""schemathesis against a real uvicorn server: every operation, without a key and with one.

The test runs the schemathesis CLI as a developer would by hand (README, Development):

    schemathesis run http://127.0.0.1:8000/graphql --checks all \\
        --exclude-checks positive_data_acceptance --max-examples 50 --seed 1 \\
        [-H 'Authorization: Bearer <write key>']

`positive_data_acceptance` is left out: it takes any `errors` entry in the answer to a
schema-valid operation for a refusal of valid data, and the schema cannot say that an
ID must name a stored row or that a page holds at most 100 nodes.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from newsgraph.server import create_app
from newsgraph.settings import Settings
from tests.helpers import corpus_documents, create_key, import_raw

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = 50
SEED = 1


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, str]]:
    """A real uvicorn server on the fixture corpus: (its /graphql URL, a write key)."""
    asyncio.run(import_raw(database_url, corpus_documents()))
    key = asyncio.run(create_key(database_url, "schemathesis", "write"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(database_url=database_url, rate_limit=0, pool_size=2))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/graphql"
    for _ in range(200):
        try:
            httpx.get(url.replace("/graphql", "/healthz"), timeout=1)
            break
        except httpx.TransportError:
            threading.Event().wait(0.05)
    try:
        yield url, key
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.slow
@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "write-key"])
def test_every_operation(server: tuple[str, str], with_key: bool, tmp_path: Path) -> None:
    url, key = server
    report_path = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS),
        "run",
        url,
        "--checks=all",
        "--exclude-checks=positive_data_acceptance",
        f"--max-examples={EXAMPLES}",
        f"--seed={SEED}",
        # the same cases on every run: no examples replayed from an earlier one
        "--generation-database=none",
        "--no-color",
        "--report=json",
        f"--report-json-path={report_path}",
    ]
    if with_key:
        command += ["--header", f"Authorization: Bearer {key}"]
    # schemathesis keeps a cache in the working directory; not in the project's
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    output = f"{run.stdout}\n{run.stderr}"
    assert report_path.exists(), output
    report = json.loads(report_path.read_text())
    operations = report["operations"]
    assert operations["tested"] == operations["total"] > 0, output
    assert report["failures"] == [], output
    assert report["errors"] == [], output
    assert run.returncode == 0, output
