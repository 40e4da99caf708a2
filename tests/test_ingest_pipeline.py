"""The ingest pipeline: normalising, structure and disclaimers, bad input, the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.errors import InputError
from newsgraph.ingest.extract import load_extractor
from newsgraph.ingest.normalize import decode, html_to_text, normalize_text
from newsgraph.ingest.pipeline import ArticleInput, extract_document, ingest_article
from newsgraph.ingest.structure import Structure, structure
from tests.helpers import counts

NEWSGRAPH = str(Path(sys.executable).parent / "newsgraph")
ARTICLES = Path(__file__).parent / "fixtures" / "articles"
PARAGRAPH = "Officials from both countries met in Geneva on Tuesday to discuss the terms of a deal."


def test_typography_and_scraping_residue_are_cleaned() -> None:
    raw = (
        "Table of Contents\n"
        "ToggleTalks Resume\n"
        "\u201cWe are close,\u201d the minister said \u2014 twice.\u00a0 Really.\n"
        "Share this article\nAdvertisement\nRead more: Another story\n"
        f"{PARAGRAPH}\n"
    )
    clean = normalize_text(raw)
    assert clean.lines == [
        "Talks Resume",
        '"We are close," the minister said - twice. Really.',
        PARAGRAPH,
    ]


def test_a_wire_dateline_is_kept_apart() -> None:
    clean = normalize_text(f"LONDON, June 9 (Reuters) - {PARAGRAPH}")
    assert clean.dateline == "LONDON, June 9 (Reuters)"
    assert clean.lines == [PARAGRAPH]


@pytest.mark.parametrize(
    ("lines", "heading", "text"),
    [
        ([PARAGRAPH, "Risk Warning", "Crypto is risky. You may lose it all."], "Risk Warning",
         "Crypto is risky. You may lose it all."),
        (["Disclaimer: Nothing here is investment advice.", PARAGRAPH], "Disclaimer",
         "Nothing here is investment advice."),
        ([PARAGRAPH, "This article is not financial advice."], None,
         "This article is not financial advice."),
        (["Investment Disclaimer", "Not investment advice.", PARAGRAPH, PARAGRAPH],
         "Investment Disclaimer", "Not investment advice."),
    ],
)  # fmt: skip
def test_disclaimers_at_the_end_or_the_top(
    lines: list[str], heading: str | None, text: str
) -> None:
    parts = structure(lines)
    assert parts.disclaimer is not None
    assert (parts.disclaimer.heading, parts.disclaimer.text) == (heading, text)
    assert text not in parts.body
    assert PARAGRAPH in parts.body


def test_title_and_sections() -> None:
    parts = structure(
        ["Talks Resume in Geneva", PARAGRAPH, "What Comes Next", PARAGRAPH + " Again."]
    )
    assert parts.title == "Talks Resume in Geneva"
    assert parts.sections == [("What Comes Next", PARAGRAPH + " Again.")]
    assert structure([PARAGRAPH, PARAGRAPH]).title is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01binary", "binary data"),
        (b"caf\xe9 au lait is a sentence long enough to count here", "not valid UTF-8"),
        (b"x" * 2048, "over the limit of 1,024 bytes"),
    ],
)
def test_bytes_that_are_not_an_article(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode(data, max_bytes=1024)


def test_empty_text_and_html_without_an_article() -> None:
    with pytest.raises(InputError, match="no article in it"):
        normalize_text("   \n\n  ")
    with pytest.raises(InputError, match="no article body"):
        html_to_text("<html><body><nav>Home | About</nav></body></html>")


def test_a_date_that_does_not_parse() -> None:
    with pytest.raises(InputError, match="published_at: 'soon' is not a date"):
        extract_document(PARAGRAPH, published_at="soon")


def _run(
    *args: str, url: str | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    environment["NEWSGRAPH_LOG_LEVEL"] = "INFO"
    if url:
        environment["NEWSGRAPH_DATABASE_URL"] = url
    return subprocess.run(
        [NEWSGRAPH, *args],
        capture_output=True,
        input=stdin,
        env=environment,
        timeout=120,
        check=False,
    )


def test_extract_prints_only_the_document_on_stdout() -> None:
    result = _run("extract", str(ARTICLES / "000-seed.txt"), "--published-at", "2025-06-06",
                  "--source-name", "Crypto Wire")  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"]["name"] == "Crypto Wire"
    assert document["source"]["disclaimer"].startswith("Cryptocurrency investment carries")
    assert len(document["sections"]) == 4
    assert {a["name"] for a in document["actors"]} >= {"Donald Trump", "Xi Jinping", "China"}


def test_extract_reads_html_and_stdin() -> None:
    html = (
        f"<html><body><article><h1>Deal</h1><p>{PARAGRAPH} {PARAGRAPH}</p></article></body></html>"
    )
    result = _run("extract", "-", "--published-at", "2025-06-10", stdin=html.encode())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["body"].startswith("Officials from both countries")


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"\x00\x00", b"binary data"),
        (b"\xff\xfe broken", b"not valid UTF-8"),
        (b"", b"the text is empty"),
    ],
)
def test_extract_refuses_bad_input_with_a_clear_error(stdin: bytes, message: bytes) -> None:
    result = _run("extract", "-", "--published-at", "2025-06-10", stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == b""


async def test_ingest_a_folder_with_sidecars_then_again(database_url: str, tmp_path: Path) -> None:
    for name in ("000-seed", "001-ecb-rates"):
        (tmp_path / f"{name}.txt").write_text((ARTICLES / f"{name}.txt").read_text())
        (tmp_path / f"{name}.meta.json").write_text((ARTICLES / f"{name}.meta.json").read_text())
    first = _run("ingest", str(tmp_path), url=database_url)
    assert first.returncode == 0, first.stderr
    assert b"2 documents: 2 created" in first.stderr
    tally = await counts(database_url)
    again = _run("ingest", str(tmp_path), url=database_url)
    assert b"2 documents: 0 created, 0 updated, 2 unchanged" in again.stderr
    assert await counts(database_url) == tally


async def test_ingest_stops_nothing_but_the_bad_file(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text((ARTICLES / "003-eu-vote.txt").read_text())
    (tmp_path / "bad.txt").write_bytes(b"\x00binary")
    result = _run("ingest", str(tmp_path), "--published-at", "2025-06-18", url=database_url)
    assert result.returncode == 1
    assert b"bad.txt: the input is binary data" in result.stderr
    assert (await counts(database_url))["article"] == 1


async def test_ingest_with_a_bad_date_writes_nothing(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text((ARTICLES / "003-eu-vote.txt").read_text())
    result = _run("ingest", str(tmp_path / "a.txt"), "--published-at", "someday", url=database_url)
    assert result.returncode == 1
    assert b"published_at: 'someday' is not a date" in result.stderr
    assert (await counts(database_url))["article"] == 0


class _QuieterExtractor:
    """The rules, minus every claim but the first: an extractor that changed."""

    def __init__(self) -> None:
        self.rules = load_extractor(None)

    def extract(self, article: Structure, *, published: date) -> dict[str, Any]:
        found = self.rules.extract(article, published=published)
        return {**found, "claims": found["claims"][:1]}


async def test_the_same_text_after_the_extractor_changed_is_extracted_again_in_place(
    session: AsyncSession,
) -> None:
    article = ArticleInput(text=(ARTICLES / "003-eu-vote.txt").read_text(), source_name="EU Wire")
    first = await ingest_article(session, article)
    changed = await ingest_article(session, article, extractor=_QuieterExtractor())
    again = await ingest_article(session, article, extractor=_QuieterExtractor())

    assert (first.outcome, changed.outcome, again.outcome) == ("created", "updated", "unchanged")
    assert first.article_id == changed.article_id == again.article_id
    claims = await session.scalar(
        text("SELECT count(*) FROM claim WHERE article_id = :a"), {"a": first.article_id}
    )
    assert claims == 1


def test_extract_takes_its_metadata_from_the_sidecar(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text((ARTICLES / "000-seed.txt").read_text())
    (tmp_path / "story.meta.json").write_text(
        json.dumps({"published_at": "2025-06-06", "url": "https://wire.example/story",
                    "source": {"name": "Crypto Wire", "domain": "cryptowire.example"}})
    )  # fmt: skip
    result = _run("extract", str(tmp_path / "story.txt"))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["published_at"] == "2025-06-06"
    assert document["url"] == "https://wire.example/story"
    assert document["source"]["domain"] == "cryptowire.example"
    # the sidecar wins; options fill what it leaves out
    result = _run("extract", str(tmp_path / "story.txt"), "--published-at", "2024-01-01",
                  "--source-name", "Ignored")  # fmt: skip
    assert json.loads(result.stdout)["published_at"] == "2025-06-06"


def test_html_without_an_article_is_one_error_line(tmp_path: Path) -> None:
    page = tmp_path / "menu.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav><p>Hi</p></body></html>")
    result = _run("extract", str(page))
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        "error: the HTML page has no article body that could be extracted"
    ]
