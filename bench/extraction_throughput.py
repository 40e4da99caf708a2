"""Rule-based extraction throughput, one process, no database.

    .venv/bin/python bench/extraction_throughput.py [--rounds 20]

Every annotated article of tests/fixtures/articles (the seed, the wire snippets and the
longer reports) goes through the text pipeline `newsgraph ingest` runs before storing:
normalise, structure, extract. Each round gives every article a different first line,
so no cache can answer for it. Prints articles per second overall and for the extract
step alone, by the wall clock and by the process's CPU time (on a machine shared with
other work the second is what one process can do), with the mean article length.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from newsgraph.ingest.extract.rules import RuleBasedExtractor
from newsgraph.ingest.normalize import normalize_text
from newsgraph.ingest.structure import Structure, structure

ARTICLES = Path(__file__).parent.parent / "tests" / "fixtures" / "articles"


def _texts(rounds: int) -> list[tuple[str, date]]:
    texts = []
    for text_file in sorted(ARTICLES.glob("*.txt")):
        meta = json.loads(text_file.with_name(text_file.stem + ".meta.json").read_text())
        published = date.fromisoformat(meta["published_at"][:10])
        for number in range(rounds):
            texts.append(
                (f"Edition {number}: {text_file.stem}.\n" + text_file.read_text(), published)
            )
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    texts = _texts(args.rounds)
    extractor = RuleBasedExtractor()
    extractor.extract(structure(normalize_text(texts[0][0]).lines), published=texts[0][1])
    parts: list[tuple[Structure, date]] = []
    clocks = [(time.perf_counter(), time.process_time())]
    for text, published in texts:
        parts.append((structure(normalize_text(text).lines), published))
    clocks.append((time.perf_counter(), time.process_time()))
    for article, published in parts:
        extractor.extract(article, published=published)
    clocks.append((time.perf_counter(), time.process_time()))
    (wall_0, cpu_0), (wall_1, cpu_1), (wall_2, cpu_2) = clocks
    count = len(texts)
    print(
        json.dumps(
            {
                "articles": count,
                "mean_words": round(sum(len(t.split()) for t, _ in texts) / count),
                "pipeline_per_s": round(count / (wall_2 - wall_0), 1),
                "extract_per_s": round(count / (wall_2 - wall_1), 1),
                "pipeline_per_cpu_s": round(count / (cpu_2 - cpu_0), 1),
                "extract_per_cpu_s": round(count / (cpu_2 - cpu_1), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
