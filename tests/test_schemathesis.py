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

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = 50
SEED = 1


@pytest.mark.slow
@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "write-key"])
def test_every_operation(corpus_server: tuple[str, str], with_key: bool, tmp_path: Path) -> None:
    url, key = corpus_server
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
