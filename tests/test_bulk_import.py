"""The bulk import: the same graph as document by document, batches that fail split until
the bad documents are found, --strict, and re-imports that change nothing."""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.driver import connect
from newsgraph.db.engine import make_sessionmaker
from newsgraph.db.transactions import write_transaction
from newsgraph.errors import InputError
from newsgraph.ingest.bulk import progress
from newsgraph.ingest.bulk.progress import LogProgress
from newsgraph.ingest.bulk.runner import import_items
from newsgraph.ingest.bulk.summary import ImportSummary
from newsgraph.ingest.bulk.workers import InProcess
from newsgraph.ingest.document import Document, parse_document
from newsgraph.ingest.files import RawDocument
from newsgraph.ingest.items import Item
from newsgraph.ingest.outcomes import Refusal, StoreResult
from newsgraph.ingest.prepared import document_input_hash
from newsgraph.ingest.store import store_document
from tests.helpers import (
    corpus_documents,
    engine_for,
    generated_documents,
    import_raw,
    natural_snapshot,
    seed_document,
)
from tests.test_provenance import DRIFT, SET_DRIFT


def _mixed() -> list[RawDocument]:
    """Documents that depend on the ones before them in every way storing knows: the same
    actors and events by key, name, alias, title and date; new content at a known URL, in
    the same batch and the next; two articles trading content; a refused key clash."""
    corpus = [d.raw for d in corpus_documents()]
    documents = [*corpus, seed_document()]
    variants = []
    for number, document in enumerate(corpus):
        changed = copy.deepcopy(document)
        changed["title"] = f"{changed.get('title') or ''} (updated)"
        changed["claims"] = changed["claims"][: max(1, len(changed["claims"]) // 2)]
        changed["url"] = changed.get("url") or f"https://variant.example/{number}"
        variants.append(changed)
    documents += variants
    # in one batch, three stored articles pass their contents round: each one takes what
    # another held (whatever order their rows are written in, one meets another's old hash)
    documents += [
        {**copy.deepcopy(variants[0]), "title": "Given up"},
        {**copy.deepcopy(variants[0]), "url": variants[1]["url"]},
        {**copy.deepcopy(variants[1]), "url": variants[2]["url"]},
        {**copy.deepcopy(variants[2]), "url": variants[0]["url"]},
        corpus[3],
    ]
    # the first role given for a participant wins, the ones after it are ignored
    for number, role in enumerate([None, "lead", "host"]):
        document = copy.deepcopy(corpus[number])
        document["url"] = f"https://roles.example/{number}"
        document["actors"].append({"name": "Rhea Roles", "kind": "person"})
        document["events"].append(
            {"key": "roles", "title": "Roles", "kind": "meeting",
             "participants": [{"actor": "Rhea Roles", "role": role}]}
        )  # fmt: skip
        documents.append(document)
    clash = copy.deepcopy(corpus[0])
    clash["url"] = "https://clash.example/1"
    clash["actors"][0]["key"] = "someone-else"
    keyed = copy.deepcopy(corpus[0])
    keyed["actors"][0]["key"] = "scott-bessent"
    documents += [keyed, clash, {"title": "not a document", "actors": 3}]
    mixed = [RawDocument(f"mixed {n}", raw=raw) for n, raw in enumerate(documents)]
    generated = generated_documents(150)
    return [*mixed[:10], *generated[:75], *mixed[10:], *generated[75:]]


def _too_long_for_an_index() -> str:
    """A URL PostgreSQL cannot put in a btree index (it does not compress: hex digits)."""
    return "https://long.example/" + "".join(
        hashlib.sha256(bytes([i])).hexdigest() for i in range(150)
    )


def _comparable(summary: ImportSummary) -> tuple[Any, ...]:
    return (summary.documents, summary.failed, summary.outcomes, summary.counts, summary.errors)


async def _store_one_by_one(url: str, documents: Sequence[RawDocument]) -> list[str]:
    """Each document through `store_document` in a write transaction of its own, as
    `ingestArticle` stores one; the refusals."""
    engine = engine_for(url)
    refused = []
    try:
        async with make_sessionmaker(engine)() as session:
            for document in documents:
                try:
                    doc = parse_document(document.raw, document.where)
                except InputError as error:
                    refused.append(str(error))
                    continue

                async def store(
                    s: AsyncSession, doc: Document = doc, raw: Any = document.raw
                ) -> StoreResult:
                    return await store_document(s, doc, input_hash=document_input_hash(raw))

                try:
                    await write_transaction(session, store)
                except InputError as error:  # what the import refuses, refused here too
                    refused.append(f"{document.where}: {error}")
    finally:
        await engine.dispose()
    return refused


async def _drift(url: str) -> list[Any]:
    engine = engine_for(url)
    try:
        async with engine.connect() as connection:
            return [
                *(await connection.execute(text(DRIFT))),
                *(await connection.execute(text(SET_DRIFT))),
            ]
    finally:
        await engine.dispose()


async def test_batches_make_the_graph_that_one_document_at_a_time_makes(
    database_url: str, new_database: Callable[[], Awaitable[str]], caplog: pytest.LogCaptureFixture
) -> None:
    documents = _mixed()
    one_by_one = await import_raw(database_url, documents)
    assert one_by_one.failed == 2, one_by_one.errors
    assert one_by_one.outcomes["updated"] >= 8
    expected = await natural_snapshot(database_url)

    batched_url = await new_database()
    batched = await import_raw(batched_url, documents, batch_size=16, jobs=2)
    assert _comparable(batched) == _comparable(one_by_one)
    assert await natural_snapshot(batched_url) == expected
    assert await _drift(batched_url) == []
    assert not [r for r in caplog.records if "in halves" in r.getMessage()], "no batch failed"

    stored_url = await new_database()
    refused = await _store_one_by_one(stored_url, documents)
    assert len(refused) == 2
    assert await natural_snapshot(stored_url) == expected


async def test_reimporting_changes_nothing_and_validates_nothing(database_url: str) -> None:
    documents = [
        *corpus_documents(),
        RawDocument("seed", raw=seed_document()),
        *generated_documents(150),
        RawDocument("broken", raw={"title": "not a document", "actors": 3}),
    ]
    await import_raw(database_url, documents, batch_size=16)
    before = await natural_snapshot(database_url)

    prepared = _Counting()
    connection = await connect(database_url)
    try:
        again = await import_items(
            connection, (d.item() for d in documents), prepared, batch_size=16
        )
    finally:
        await connection.close()

    assert again.outcomes == {"unchanged": len(documents) - 1}
    assert again.errors == ["broken: actors: Input should be a valid list (got 3)"]
    assert await natural_snapshot(database_url) == before
    assert prepared.documents == 1  # the broken one: every other input is known


class _Counting(InProcess):
    """Prepares in this process and counts the documents it was given."""

    documents = 0

    def submit(self, items: Sequence[Item]) -> Any:
        self.documents += len(items)
        return super().submit(items)


async def test_an_input_stored_before_is_prepared_when_its_article_changed_since(
    database_url: str,
) -> None:
    original = corpus_documents()[0]
    changed = copy.deepcopy(original.raw)
    changed["title"] = "Changed"
    await import_raw(database_url, [original])
    # in one batch: the article takes other content, then the original's again
    summary = await import_raw(
        database_url, [RawDocument("changed", raw=changed), original], batch_size=10
    )
    assert summary.outcomes == {"updated": 2}
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            title = await connection.scalar(text("SELECT title FROM article"))
    finally:
        await engine.dispose()
    assert title == original.raw["title"]


async def test_a_document_the_database_refuses_is_found_and_the_rest_lands(
    database_url: str,
) -> None:
    documents = generated_documents(40)
    documents[17].raw["url"] = _too_long_for_an_index()
    summary = await import_raw(database_url, documents, batch_size=16)

    assert summary.failed == 1
    assert summary.outcomes == {"created": 39}
    [error] = summary.errors
    assert error.startswith("gen 17: the database refused it: index row")
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM article")) == 39
    finally:
        await engine.dispose()
    assert await _drift(database_url) == []


async def test_the_batch_after_one_that_failed_is_planned_again(
    database_url: str, new_database: Callable[[], Awaitable[str]], caplog: pytest.LogCaptureFixture
) -> None:
    # the second batch is planned over what the first writes, which fails and is split:
    # what the second took from it (actors, events, their ids) was never written
    documents = generated_documents(32)
    documents[3].raw["url"] = _too_long_for_an_index()
    with caplog.at_level("INFO", logger="newsgraph.ingest.bulk.runner"):
        summary = await import_raw(database_url, documents, batch_size=16)
    assert summary.failed == 1
    assert summary.outcomes == {"created": 31}
    # the first batch's own plan met the bad document; the second was planned after it
    assert len([r for r in caplog.records if "planned again" in r.getMessage()]) == 1

    one_by_one_url = await new_database()
    await import_raw(one_by_one_url, documents)
    assert await natural_snapshot(database_url) == await natural_snapshot(one_by_one_url)
    assert await _drift(database_url) == []


async def test_a_later_batch_finds_stored_actors_by_every_name_and_key(database_url: str) -> None:
    def document(number: int, actors: list[dict[str, Any]]) -> RawDocument:
        raw = {
            "title": f"Story {number}",
            "body": f"Story {number} names its actors.",
            "source": {"name": "Wire", "domain": "wire.example"},
            "actors": actors,
        }
        return RawDocument(f"doc {number}", raw=raw)

    fund = {"name": "International Monetary Fund", "aliases": ["IMF"], "kind": "organization"}
    stored = [
        document(1, [fund, {"name": "Jane Roe", "key": "roe", "kind": "person"}]),
        document(2, [{"name": "Fed", "kind": "organization"}]),
    ]
    later = [
        document(3, [{"name": "IMF", "kind": "organization"}]),  # a stored alias as name
        document(4, [{"name": "Federal Reserve", "aliases": ["Fed"], "kind": "organization"}]),
        document(5, [{"name": "J. Roe", "key": "roe", "kind": "person"}]),  # by key alone
    ]
    await import_raw(database_url, stored, batch_size=2)
    summary = await import_raw(database_url, later, batch_size=3)
    assert summary.outcomes == {"created": 3}
    assert summary.counts["actors_created"] == 0
    names = [row[1] for row in (await natural_snapshot(database_url))["actor"]]
    assert sorted(names) == ["Fed", "International Monetary Fund", "Jane Roe"]


@pytest.mark.parametrize("fault", ["invalid", "refused by the database"])
async def test_strict_writes_nothing_when_any_document_is_bad(
    database_url: str, fault: str
) -> None:
    documents = generated_documents(40)
    if fault == "invalid":
        documents[30].raw["actors"][0]["kind"] = "celebrity"
    else:
        documents[30].raw["url"] = _too_long_for_an_index()
    connection = await connect(database_url)
    try:
        summary = await import_items(
            connection, (d.item() for d in documents), InProcess(), batch_size=8, strict=True
        )
    finally:
        await connection.close()

    assert not summary.written
    assert summary.failed == 1
    assert summary.errors[0].startswith("gen 30: ")
    assert summary.outcomes == {}
    assert "nothing was written" in summary.line()
    assert (await natural_snapshot(database_url))["article"] == []


async def test_refusals_keep_their_place_in_order(database_url: str) -> None:
    items = [
        Item("a.jsonl: document 1 (line 1)", error="invalid JSON at column 3: Expecting value"),
        corpus_documents()[0].item(),
        Item("a.jsonl: document 3 (line 4)", document=b'{"title": "x", "actors": 3}'),
    ]
    reported: list[Refusal] = []
    connection = await connect(database_url)
    try:
        summary = await import_items(connection, items, InProcess(), progress=_Reported(reported))
    finally:
        await connection.close()
    assert summary.outcomes == {"created": 1}
    assert [str(r) for r in reported] == [
        "a.jsonl: document 1 (line 1): invalid JSON at column 3: Expecting value",
        "a.jsonl: document 3 (line 4): actors: Input should be a valid list (got 3)",
    ]


class _Reported:
    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals

    def advance(self, documents: int, size: int) -> None:
        pass

    def refused(self, refusal: Refusal) -> None:
        self.refusals.append(refusal)


def test_the_summary_line() -> None:
    summary = ImportSummary(documents=3, failed=1, seconds=2.0)
    summary.outcomes.update(created=1, unchanged=1)
    summary.counts.update(actors_created=4, events_updated=0)
    assert summary.line() == (
        "3 documents: 1 created, 0 updated, 1 unchanged, 1 refused; 4 actors created; "
        "2.0 s, 2 documents/s"
    )
    summary.written = False
    assert summary.line().endswith("nothing was written (--strict: every document must be valid)")


def test_progress_off_a_terminal_is_log_lines(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)
    errors = io.StringIO()
    with (
        caplog.at_level("INFO", logger="newsgraph.import"),
        LogProgress(1000, stream=errors) as report,
    ):
        report.advance(10, 250)
        report.refused(Refusal("f.jsonl: document 3 (line 3)", "title: must not be empty"))
        report.advance(30, 750)
    lines = [vars(r) for r in caplog.records if r.name == "newsgraph.import"]
    assert [(line["documents"], line["percent"]) for line in lines] == [(10, 25.0), (40, 100.0)]
    assert "seconds_left" in lines[0]
    assert errors.getvalue() == "error: f.jsonl: document 3 (line 3): title: must not be empty\n"
