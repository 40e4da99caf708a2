"""The README's library examples are these files, and they run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def _run(example: Path, url: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    environment["NEWSGRAPH_DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, str(example)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_the_readme_shows_the_example_as_it_is(example: Path) -> None:
    assert example.read_text() in (ROOT / "README.md").read_text()


def test_execute_query(demo_url: str) -> None:
    output = json.loads(_run(ROOT / "examples" / "execute_query.py", demo_url))
    (article,) = output["data"]["articles"]["nodes"]
    assert article["disclaimer"]["heading"] == "Risk Warning"
    assert output["extensions"]["disclaimers"][0]["heading"] == "Risk Warning"


def test_mount_in_starlette(demo_url: str) -> None:
    output = _run(ROOT / "examples" / "mount_in_starlette.py", demo_url)
    assert output.strip() == "200 {'articles': {'totalCount': 1}}"
