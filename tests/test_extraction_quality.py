"""Extraction quality: the scorer over the seed and the other annotated articles.

Each `tests/fixtures/articles/NAME.txt` has its expected document in `expected/NAME.json`
and its metadata (publication date, source) in `NAME.meta.json`, annotated by the rules of
`GUIDELINES.md`. Three sets are scored apart: the first nine (the seed and eight wire
snippets), the development articles the rules were tuned on, and the ten articles of
`HOLDOUT`, kept aside while tuning. Each floor sits a little under the score reached,
so that a regression fails.
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

ALL = sorted(p.stem for p in (ARTICLES / "expected").glob("*.json"))
HOLDOUT = [
    line.strip()
    for line in (ARTICLES / "HOLDOUT").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
FIRST = [name for name in ALL if name < "009"]
DEVELOPMENT = [name for name in ALL if name not in FIRST and name not in HOLDOUT]


def _predict(name: str, out: Path) -> None:
    meta = json.loads((ARTICLES / f"{name}.meta.json").read_text())
    document = extract_document(
        (ARTICLES / f"{name}.txt").read_text(),
        published_at=meta["published_at"],
        source=meta.get("source"),
    )
    (out / f"{name}.json").write_text(json.dumps(design_format(document)))


def _score(names: list[str], tmp_path: Path) -> tuple[dict[str, float], str]:
    """Overall F1 and precision, recall, F1 per category (`actors_r`, ...), and the report."""
    predictions, gold = tmp_path / "predictions", tmp_path / "gold"
    predictions.mkdir()
    gold.mkdir()
    for name in names:
        _predict(name, predictions)
        (gold / f"{name}.json").write_text((ARTICLES / "expected" / f"{name}.json").read_text())
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        score_extraction.run_score(
            str(predictions), str(gold), report_path=str(tmp_path / "report.json"), quiet=True
        )
    report = json.loads((tmp_path / "report.json").read_text())["overall"]
    scores = {"overall": report["overall_f1"]}
    for category in ("actors", "events", "claims"):
        counts = report[category]
        p, r, f = score_extraction.prf(counts["tp"], counts["fp"], counts["fn"])
        scores |= {f"{category}_p": p, f"{category}_r": r, f"{category}_f1": f}
    return scores, printed.getvalue()


def _at_least(scores: dict[str, float], floors: dict[str, float], report: str) -> None:
    below = {key: round(scores[key], 4) for key, floor in floors.items() if scores[key] < floor}
    assert not below, f"under the floor: {below}\n{report}"


def test_the_scorer_is_the_projects() -> None:
    if SHARED_SCORER.exists():
        assert (Path(score_extraction.__file__)).read_text() == SHARED_SCORER.read_text()


# The project's scorer reads each article without closing it; it stays a verbatim copy.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_expected_documents_fit_their_articles() -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        problems = score_extraction.check_gold(str(ARTICLES / "expected"), str(ARTICLES))
    assert problems == 0, printed.getvalue()


def test_the_held_out_articles_are_ten_annotated_ones() -> None:
    assert len(HOLDOUT) == 10
    assert set(HOLDOUT) <= set(ALL)
    assert len(DEVELOPMENT) >= 20


def test_the_seed_scores_at_least_0_9(tmp_path: Path) -> None:
    scores, report = _score(["000-seed"], tmp_path)
    assert scores["overall"] >= 0.9, report


@pytest.mark.slow
def test_the_first_nine_articles(tmp_path: Path) -> None:
    scores, report = _score(FIRST, tmp_path)
    _at_least(scores, {"overall": 0.97, "actors_f1": 0.95, "claims_f1": 0.95}, report)


@pytest.mark.slow
def test_the_development_articles(tmp_path: Path) -> None:
    scores, report = _score(DEVELOPMENT, tmp_path)
    floors = {
        "overall": 0.95,
        "actors_p": 0.96, "actors_r": 0.95,
        "events_p": 0.86, "events_r": 0.84,
        "claims_p": 0.96, "claims_r": 0.95,
    }  # fmt: skip
    _at_least(scores, floors, report)


@pytest.mark.slow
def test_the_held_out_articles(tmp_path: Path) -> None:
    scores, report = _score(HOLDOUT, tmp_path)
    floors = {
        "overall": 0.87,
        "actors_p": 0.90, "actors_r": 0.88,
        "events_p": 0.75, "events_r": 0.50,
        "claims_p": 0.91, "claims_r": 0.85,
    }  # fmt: skip
    _at_least(scores, floors, report)
