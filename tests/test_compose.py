"""docker-compose.yml and the Dockerfile hold what deployment needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent.parent


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_postgres_service() -> None:
    postgres = _compose()["services"]["postgres"]
    assert postgres["image"].startswith("postgres:17")
    assert "healthcheck" in postgres
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in _compose()["volumes"], "a named volume keeps the data"


def test_api_service() -> None:
    api = _compose()["services"]["api"]
    assert api["build"] == "."
    assert api["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert api["environment"]["NEWSGRAPH_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in api["environment"]["NEWSGRAPH_DATABASE_URL"]
    assert "--host" in api["command"]
    assert "0.0.0.0" in api["command"]


def test_dockerfile_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "\nUSER newsgraph\n" in dockerfile
    assert '"serve", "--host", "0.0.0.0"' in dockerfile
