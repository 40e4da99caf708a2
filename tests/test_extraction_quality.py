"""Extraction quality: the scorer over the seed and the other annotated articles.

Each `tests/fixtures/articles/NAME.txt` has its expected document in `expected/NAME.json`
and its metadata (publication date, source) in `NAME.meta.json`.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from newsgraph.ingest.pipeline import design_format, extract_document

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
SHARED_SCORER = Path(__file__).parent.parent.parent / "shared" / "tools" / "score_extraction.py"
# imported by name: it is a verbatim copy, not checked by mypy
score_extraction: Any = importlib.import_module("tests.scoring.score_extraction")


def _predict(name: str, out: Path) -> None:
    meta = json.loads((ARTICLES / f"{name}.meta.json").read_text())
    document = extract_document(
        (ARTICLES / f"{name}.txt").read_text(),
        published_at=meta["published_at"],
        source=meta.get("source"),
    )
    (out / f"{name}.json").write_text(json.dumps(design_format(document)))


def _score(predictions: Path, gold: Path) -> tuple[float, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        overall = score_extraction.run_score(str(predictions), str(gold), quiet=True)
    return float(overall), printed.getvalue()


def test_the_scorer_is_the_projects() -> None:
    if SHARED_SCORER.exists():
        assert (Path(score_extraction.__file__)).read_text() == SHARED_SCORER.read_text()


def test_the_seed_scores_at_least_0_9(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "000-seed.json").write_text((ARTICLES / "expected" / "000-seed.json").read_text())
    _predict("000-seed", tmp_path)
    overall, report = _score(tmp_path, gold)
    assert overall >= 0.9, report


@pytest.mark.slow
def test_all_annotated_articles(tmp_path: Path) -> None:
    names = sorted(p.stem for p in (ARTICLES / "expected").glob("*.json"))
    for name in names:
        _predict(name, tmp_path)
    overall, report = _score(tmp_path, ARTICLES / "expected")
    print(report)
    assert overall >= 0.85, report
