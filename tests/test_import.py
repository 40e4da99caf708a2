"""Structured import: matching across documents, idempotency, updates, atomic failures."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import text

from newsgraph.ingest.files import RawDocument
from tests.helpers import corpus_documents, counts, engine_for, import_raw, seed_document, snapshot


async def _scalar(url: str, sql: str) -> Any:
    engine = engine_for(url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(sql))
    finally:
        await engine.dispose()


async def test_corpus_merges_actors_and_events_across_documents(database_url: str) -> None:
    summary = await import_raw(database_url, corpus_documents())
    assert summary.failed == 0, summary.errors
    assert summary.outcomes["created"] == 6

    tally = await counts(database_url)
    assert tally["article"] == 6
    assert tally["source"] == 6
    # one United States, one China, one Bessent, whatever each document called them
    assert (
        await _scalar(database_url, "SELECT count(*) FROM actor WHERE name = 'United States'") == 1
    )
    assert (
        await _scalar(database_url, "SELECT count(*) FROM actor WHERE name = 'Scott Bessent'") == 1
    )
    # the keyed London talks are one event, reported by three articles
    london = "SELECT id FROM event WHERE key = 'london-talks-2025'"
    assert await _scalar(database_url, f"SELECT count(*) FROM ({london}) e") == 1
    assert (
        await _scalar(
            database_url, f"SELECT count(*) FROM article_event WHERE event_id = ({london})"
        )
        == 3
    )
    # the unkeyed framework agreement matches by title and date across two documents
    assert (
        await _scalar(
            database_url, "SELECT count(*) FROM event WHERE title = 'London framework agreement'"
        )
        == 1
    )
    # causal links: call → talks → framework → follow-up; steel tariffs → vote; ruling → appeal
    assert await _scalar(database_url, "SELECT count(*) FROM event_link WHERE kind = 'causes'") == 5
    # aliases from every document are kept on the one actor
    aliases = await _scalar(database_url, "SELECT aliases FROM actor WHERE name = 'China'")
    assert {"Beijing", "Chinese side"} <= set(aliases)
    # a later document fills what an earlier one left out, never overwrites it
    assert (
        await _scalar(database_url, "SELECT wikidata_id FROM actor WHERE name = 'Donald Trump'")
        == "Q22686"
    )
    assert (
        await _scalar(
            database_url,
            "SELECT a.name FROM actor p JOIN actor a ON a.id = p.affiliation_id"
            " WHERE p.name = 'Scott Bessent'",
        )
        == "United States"
    )


async def test_reimporting_changes_nothing(database_url: str) -> None:
    documents = [*corpus_documents(), RawDocument("seed", raw=seed_document())]
    await import_raw(database_url, documents)
    before = await snapshot(database_url)

    again = await import_raw(database_url, documents)

    assert again.outcomes == {"unchanged": 7}
    assert sum(again.counts.values()) == 0
    assert await snapshot(database_url) == before


async def test_new_content_at_a_known_url_updates_the_article(database_url: str) -> None:
    original = corpus_documents()[0]
    await import_raw(database_url, [original])
    article_id = await _scalar(database_url, "SELECT id FROM article")

    changed = copy.deepcopy(original.raw)
    changed["title"] = "U.S. and Chinese negotiators open London talks (updated)"
    changed["claims"] = changed["claims"][:1]
    summary = await import_raw(database_url, [RawDocument("changed", raw=changed)])

    assert summary.outcomes == {"updated": 1}
    assert await _scalar(database_url, "SELECT id FROM article") == article_id
    assert (await _scalar(database_url, "SELECT title FROM article")).endswith("(updated)")
    assert await _scalar(database_url, "SELECT count(*) FROM claim") == 1
    assert await _scalar(database_url, "SELECT count(*) FROM actor WHERE name = 'Xi Jinping'") == 1


async def test_claims_get_their_span_in_the_body(database_url: str) -> None:
    await import_raw(database_url, [corpus_documents()[0]])
    engine = engine_for(database_url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT c.text, a.body, c.span_start, c.span_end"
                " FROM claim c JOIN article a ON a.id = c.article_id"
            )
        )
        for claim_text, body, start, end in rows:
            assert body[start:end] == claim_text
    await engine.dispose()


def _broken(change: Any) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(corpus_documents()[0].raw)
    change(document)
    return document


BAD_DOCUMENTS = {
    "unknown actor kind": (
        lambda d: d["actors"][1].update(kind="persn"),
        "actors[1].kind: Input should be 'person', 'organization', 'government' or 'country'",
    ),
    "claim without text": (
        lambda d: d["claims"][0].update(text="  "),
        "claims[0].text: must not be empty",
    ),
    "claim with no text field": (
        lambda d: d["claims"][1].pop("text"),
        "claims[1].text: Field required",
    ),
    "participant not among the actors": (
        lambda d: d["events"][0]["participants"].append({"actor": "Keir Starmer"}),
        "events[0].participants[3].actor: 'Keir Starmer' is not one of the document's actors",
    ),
    "date that is not a date": (
        lambda d: d["events"][1].update(date="last Thursday"),
        "events[1].date: 'last Thursday' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY",
    ),
    "impossible date": (
        lambda d: d["events"][1].update(date="2025-02-30"),
        "events[1].date: '2025-02-30' is not a date",
    ),
    "published_at not a date": (
        lambda d: d.update(published_at="yesterday"),
        "published_at: 'yesterday' is not a date or timestamp",
    ),
    "date as early as an undated row sorts": (
        lambda d: d["events"][1].update(date="0001"),
        "events[1].date: '0001' is 0001-01-01 or earlier, which stands for no date",
    ),
    "published_at as early as an undated row sorts": (
        lambda d: d.update(published_at="0001-01-01T00:00:00+00:00"),
        "published_at: '0001-01-01T00:00:00+00:00' is 0001-01-01 or earlier",
    ),
    "published_at before year 1 in UTC": (
        lambda d: d.update(published_at="0001-01-01T03:00:00+05:00"),
        "published_at: '0001-01-01T03:00:00+05:00' is 0001-01-01 or earlier",
    ),
    "unknown country": (
        lambda d: d["actors"][0].update(country="XX"),
        "actors[0].country: 'XX' is not an ISO 3166 alpha-2 country code",
    ),
    "misspelt field": (
        lambda d: d["claims"][0].update(claimnt="Scott Bessent"),
        "claims[0].claimnt: unknown field",
    ),
    "claim about an unknown event": (
        lambda d: d["claims"][0].update(event="Paris summit"),
        "claims[0].event: 'Paris summit' is not the title of one of the document's events",
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS, ids=list(BAD_DOCUMENTS))
async def test_invalid_documents_are_rejected_with_their_field_and_write_nothing(
    database_url: str, case: str
) -> None:
    change, message = BAD_DOCUMENTS[case]
    good = corpus_documents()[4]
    await import_raw(database_url, [good])
    before = await snapshot(database_url)

    summary = await import_raw(
        database_url, [RawDocument("news.json: document 2", raw=_broken(change))]
    )

    assert summary.failed == 1
    assert summary.errors[0].startswith("news.json: document 2: ")
    assert message in summary.errors[0]
    assert await snapshot(database_url) == before


async def test_a_failure_after_writes_began_rolls_the_whole_document_back(
    database_url: str,
) -> None:
    first = corpus_documents()[0]
    await import_raw(database_url, [first])
    before = await snapshot(database_url)
    # Same name and kind as a stored actor, but a different key: found only after the
    # source was inserted, so the whole document must roll back.
    clash = copy.deepcopy(first.raw)
    clash["url"] = "https://newsource.example/a"
    clash["source"] = {"name": "New Source", "domain": "newsource.example"}
    clash["actors"][0]["key"] = "someone-else"
    assert (
        await _scalar(database_url, "SELECT key FROM actor WHERE name = 'Scott Bessent'")
    ) is None
    await import_raw(database_url, [RawDocument("seed-key", raw=_with_key(first.raw))])
    before = await snapshot(database_url)

    summary = await import_raw(database_url, [RawDocument("clash.json: document 1", raw=clash)])

    assert summary.failed == 1
    assert "exists already under another key" in summary.errors[0]
    assert await snapshot(database_url) == before


def _with_key(document: dict[str, Any]) -> dict[str, Any]:
    keyed = copy.deepcopy(document)
    keyed["actors"][0]["key"] = "scott-bessent"
    return keyed


async def test_one_bad_document_does_not_stop_the_others(database_url: str) -> None:
    documents = corpus_documents()
    broken = RawDocument(
        "x.jsonl: document 2 (line 2)", error="invalid JSON at column 3: Expecting value"
    )
    summary = await import_raw(database_url, [documents[0], broken, documents[1]])
    assert summary.documents == 3
    assert summary.failed == 1
    assert summary.outcomes["created"] == 2
    assert summary.errors == [
        "x.jsonl: document 2 (line 2): invalid JSON at column 3: Expecting value"
    ]
