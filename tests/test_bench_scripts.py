"""The benchmark scripts are not run by `make test`, but they must keep importing."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from graphql import build_schema, parse, validate

from newsgraph import schema

BENCH_DIR = Path(__file__).parent.parent / "bench"
BENCH = sorted(BENCH_DIR.glob("*.py"))
QUERIES = sorted(BENCH_DIR.glob("queries/**/*.graphql"))
# the team benchmark, beside a developer checkout: bench/ keeps copies of some of its files
SHARED_BENCH = Path(__file__).parent.parent.parent / "shared" / "bench"
COPIES = {
    "gen_data.py": "gen_data.py",
    **{
        str(q.relative_to(BENCH_DIR)): str(q.relative_to(BENCH_DIR)).replace(
            "queries/", "queries-newsgraph/", 1
        )
        for q in QUERIES
    },
}


def _load(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", BENCH, ids=[p.name for p in BENCH])
def test_bench_script_imports(script: Path) -> None:
    assert callable(_load(script).main)


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_bench_queries_are_valid_against_the_schema(query: Path) -> None:
    assert validate(build_schema(schema.as_str()), parse(query.read_text())) == []


def test_make_bench_knobs_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    http_bench = _load(BENCH_DIR / "http_bench.py")
    monkeypatch.setenv("BENCH_ARTICLES", "2000")
    monkeypatch.setenv("QUERIES", "q3_node")
    knobs = http_bench.parse_knobs([])
    assert (knobs.articles, knobs.queries, knobs.conc) == (2000, ("q3_node",), 16)
    assert "--actors=300" in knobs.dataset_args()
    with pytest.raises(SystemExit) as exit_info:
        http_bench.parse_knobs(["--help"])
    assert exit_info.value.code == 0


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_bench_copies_of_the_team_benchmark_stay_equal(copy: str) -> None:
    original = SHARED_BENCH / COPIES[copy]
    if not original.exists():  # a checkout without ../shared: nothing to compare with
        pytest.skip(f"no {original}")
    assert (BENCH_DIR / copy).read_bytes() == original.read_bytes()
