"""Provenance: `actor_source`/`event_source` and the source sets stay equal to a
recomputation after every write, and `sources_behind` answers what a walk over the link
tables answers.

Each write test ends with `assert_exact`: the tables the triggers keep (migrations 0004
and 0005) against the same aggregates computed afresh: `actor_source`/`event_source`
from `article_actor`, `article_event` and `article`; the source sets from
`actor_source`/`event_source`, with no set left that nothing names. A trigger that
misses a write leaves a difference the test prints.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from newsgraph.db.engine import make_sessionmaker
from newsgraph.db.migrate import downgrade, upgrade
from newsgraph.db.provenance import SourceDisclaimer, sources_behind
from newsgraph.edit.actors import merge_actors
from newsgraph.edit.articles import delete_article
from newsgraph.edit.claims import create_claim
from newsgraph.edit.events import add_participant, remove_participant
from newsgraph.ingest.document import parse_document
from newsgraph.ingest.store import StoreOutcome, store_document
from tests.helpers import CORPUS, corpus_documents, engine_for

# Rows that differ between a provenance table and its recomputation, both ways.
DRIFT = """
WITH expected AS (
    SELECT 'actor' AS kind, l.actor_id AS entity_id, a.source_id, count(*)::int AS articles,
           min(a.id) FILTER (WHERE a.disclaimer_text IS NOT NULL) AS first_disclaimed
    FROM article_actor l JOIN article a ON a.id = l.article_id
    GROUP BY l.actor_id, a.source_id
    UNION ALL
    SELECT 'event', l.event_id, a.source_id, count(*)::int,
           min(a.id) FILTER (WHERE a.disclaimer_text IS NOT NULL)
    FROM article_event l JOIN article a ON a.id = l.article_id
    GROUP BY l.event_id, a.source_id
),
kept AS (
    SELECT 'actor' AS kind, actor_id, source_id, article_count, first_disclaimed_article_id
    FROM actor_source
    UNION ALL
    SELECT 'event', event_id, source_id, article_count, first_disclaimed_article_id
    FROM event_source
)
(SELECT 'missing' AS problem, * FROM expected EXCEPT SELECT 'missing', * FROM kept)
UNION ALL
(SELECT 'extra', * FROM kept EXCEPT SELECT 'extra', * FROM expected)
ORDER BY 1, 2, 3, 4
"""

# Where the source sets differ from the sorted sources of each actor's and event's
# provenance rows, both ways, and sets that no actor or event names.
SET_DRIFT = """
WITH expected AS (
    SELECT 'actor' AS kind, actor_id AS entity_id,
           array_agg(source_id ORDER BY source_id) AS source_ids
    FROM actor_source GROUP BY actor_id
    UNION ALL
    SELECT 'event', event_id, array_agg(source_id ORDER BY source_id)
    FROM event_source GROUP BY event_id
),
kept AS (
    SELECT 'actor' AS kind, m.actor_id, s.source_ids
    FROM actor_source_set m JOIN source_set s ON s.id = m.set_id
    UNION ALL
    SELECT 'event', m.event_id, s.source_ids
    FROM event_source_set m JOIN source_set s ON s.id = m.set_id
)
(SELECT 'set missing' AS problem, * FROM expected EXCEPT SELECT 'set missing', * FROM kept)
UNION ALL
(SELECT 'set extra', * FROM kept EXCEPT SELECT 'set extra', * FROM expected)
UNION ALL
SELECT 'set unused', 'set', s.id, s.source_ids FROM source_set s
WHERE NOT EXISTS (SELECT FROM actor_source_set m WHERE m.set_id = s.id)
  AND NOT EXISTS (SELECT FROM event_source_set m WHERE m.set_id = s.id)
ORDER BY 1, 2, 3
"""

# What `sources_behind` answered before the provenance tables: every article behind an
# actor or event found by walking the link tables.
WALK = text(
    """
WITH reached_article AS (
    SELECT id FROM article WHERE id = ANY(:article_ids)
    UNION SELECT article_id FROM claim WHERE id = ANY(:claim_ids)
    UNION SELECT article_id FROM article_event WHERE event_id = ANY(:event_ids)
    UNION SELECT article_id FROM article_actor WHERE actor_id = ANY(:actor_ids)
)
SELECT s.id, s.name, s.domain,
       coalesce(s.disclaimer_heading, own.disclaimer_heading),
       coalesce(s.disclaimer_text, own.disclaimer_text)
FROM source s
LEFT JOIN LATERAL (
    SELECT a.disclaimer_heading, a.disclaimer_text
    FROM article a JOIN reached_article r ON r.id = a.id
    WHERE s.disclaimer_text IS NULL AND a.source_id = s.id AND a.disclaimer_text IS NOT NULL
    ORDER BY a.id LIMIT 1
) own ON true
WHERE s.id = ANY(:source_ids)
   OR EXISTS (SELECT FROM article a JOIN reached_article r ON r.id = a.id WHERE a.source_id = s.id)
ORDER BY s.id
"""
).bindparams(
    *(
        bindparam(name, type_=ARRAY(BigInteger))
        for name in ("source_ids", "article_ids", "claim_ids", "event_ids", "actor_ids")
    )
)


async def set_drift(session: AsyncSession | AsyncConnection) -> list[tuple[Any, ...]]:
    """Where the source sets and a recomputation from the provenance tables disagree."""
    return [tuple(row) for row in (await session.execute(text(SET_DRIFT))).all()]


async def drift(session: AsyncSession | AsyncConnection) -> list[tuple[Any, ...]]:
    """Where the provenance tables or the source sets and a recomputation disagree."""
    provenance = [tuple(row) for row in (await session.execute(text(DRIFT))).all()]
    return provenance + await set_drift(session)


async def assert_exact(session: AsyncSession | AsyncConnection) -> None:
    """The provenance tables and the source sets hold exactly what the base tables say,
    and something."""
    assert await drift(session) == []
    kept = await session.scalar(
        text(
            "SELECT (SELECT count(*) FROM actor_source) + (SELECT count(*) FROM event_source)"
            " + (SELECT count(*) FROM actor_source_set) + (SELECT count(*) FROM event_source_set)"
        )
    )
    assert kept, "nothing to compare: the data under test has no links"


async def sets_of(
    session: AsyncSession | AsyncConnection, mapping: str = "actor_source_set"
) -> list[tuple[int, list[int]]]:
    """Each actor (or event) with the source ids of its set."""
    rows = await session.execute(
        text(
            f"SELECT m.{mapping.split('_')[0]}_id, s.source_ids "
            f"FROM {mapping} m JOIN source_set s ON s.id = m.set_id ORDER BY 1"
        )
    )
    return [(int(entity), list(sources)) for entity, sources in rows.all()]


async def scalars(session: AsyncSession, statement: str, **params: Any) -> list[Any]:
    return list((await session.scalars(text(statement), params)).all())


async def first_disclaimed(session: AsyncSession, article_id: int) -> int:
    """How many provenance rows name this article as their first disclaimed one."""
    return int(
        await session.scalar(
            text(
                "SELECT (SELECT count(*) FROM actor_source WHERE first_disclaimed_article_id = :a)"
                " + (SELECT count(*) FROM event_source WHERE first_disclaimed_article_id = :a)"
            ),
            {"a": article_id},
        )
        or 0
    )


async def article_id(session: AsyncSession, url_part: str) -> int:
    found = await scalars(session, "SELECT id FROM article WHERE url LIKE :u", u=f"%{url_part}%")
    assert len(found) == 1
    return int(found[0])


async def actor_id(session: AsyncSession, name: str) -> int:
    found = await scalars(session, "SELECT id FROM actor WHERE name = :n", n=name)
    assert len(found) == 1
    return int(found[0])


# --- every kind of write ------------------------------------------------------------------


async def test_ingest_fills_the_provenance_tables(corpus: AsyncSession) -> None:
    await assert_exact(corpus)
    # Trump is mentioned by several publishers: one row per (actor, source)
    trump = await actor_id(corpus, "Donald Trump")
    sources = await scalars(
        corpus, "SELECT source_id FROM actor_source WHERE actor_id = :a", a=trump
    )
    assert len(sources) > 1
    assert dict(await sets_of(corpus))[trump] == sorted(sources)


async def test_storing_the_same_document_again_changes_nothing(corpus: AsyncSession) -> None:
    before = (await corpus.execute(text("SELECT * FROM actor_source ORDER BY 1, 2"))).all()
    raw = corpus_documents()[0]
    result = await store_document(corpus, parse_document(raw.raw, raw.where))
    assert result.outcome is StoreOutcome.UNCHANGED
    assert (await corpus.execute(text("SELECT * FROM actor_source ORDER BY 1, 2"))).all() == before


async def test_changed_content_at_the_same_url_moves_the_provenance(corpus: AsyncSession) -> None:
    document = json.loads((CORPUS / "01-wire-london-talks.json").read_text())
    document["source"] = {
        "name": "TokenWatch",
        "domain": "tokenwatch.example",
        "disclaimer": {"heading": "Note", "text": "An own block."},
    }
    document["title"] = "London talks, seen from elsewhere"
    document["actors"] = [a for a in document["actors"] if a["name"] != "Xi Jinping"]
    document["events"] = [e for e in document["events"] if e["title"] != "Trump-Xi phone call"]
    for event in document["events"]:
        event["caused_by"] = []
    result = await store_document(corpus, parse_document(document, "changed"))
    assert result.outcome is StoreOutcome.UPDATED
    await assert_exact(corpus)
    wire = await scalars(
        corpus,
        "SELECT count(*) FROM actor_source JOIN source s ON s.id = source_id "
        "WHERE s.domain = 'globalwire.example'",
    )
    assert wire == [0]  # Global Wire's only article now belongs to TokenWatch


async def test_merging_actors_moves_their_sources(corpus: AsyncSession) -> None:
    # Bessent and the U.S. share articles (the merge adds up mention counts there) and
    # each has articles of its own.
    into, merged = await actor_id(corpus, "Scott Bessent"), await actor_id(corpus, "United States")
    shared = await scalars(
        corpus,
        "SELECT article_id FROM article_actor WHERE actor_id = :a "
        "INTERSECT SELECT article_id FROM article_actor WHERE actor_id = :b",
        a=into,
        b=merged,
    )
    assert shared
    await merge_actors(corpus, into, merged)
    await assert_exact(corpus)
    assert await scalars(corpus, "SELECT 1 FROM actor_source WHERE actor_id = :m", m=merged) == []


async def test_deleting_an_article_takes_out_its_links(corpus: AsyncSession) -> None:
    # A second TokenWatch article on the same actors and events: deleting the first one
    # leaves their rows with one article, and the second as their first disclaimed one.
    tokenwatch = await article_id(corpus, "tokenwatch.example")
    document = json.loads((CORPUS / "04-tokenwatch-top-disclaimer.json").read_text())
    document["url"] += "-follow-up"
    document["title"] = "Rare earths and chips, a follow-up"
    await store_document(corpus, parse_document(document, "follow-up"))
    shared = await scalars(
        corpus,
        "SELECT count(*) FROM actor_source "
        "WHERE first_disclaimed_article_id = :a AND article_count > 1",
        a=tokenwatch,
    )
    assert shared[0] > 0
    await delete_article(corpus, tokenwatch)
    await assert_exact(corpus)
    assert await first_disclaimed(corpus, tokenwatch) == 0


async def test_claims_and_participants_leave_it_exact(corpus: AsyncSession) -> None:
    article = await article_id(corpus, "lawjournal.example")
    trump, xi = await actor_id(corpus, "Donald Trump"), await actor_id(corpus, "Xi Jinping")
    event = (
        await scalars(corpus, "SELECT event_id FROM article_event WHERE article_id = :a", a=article)
    )[0]
    await create_claim(
        corpus,
        article,
        {"text": "A new claim.", "kind": "statement"},
        claimant_id=xi,
        about_ids=[trump],
        event_id=event,
    )
    await add_participant(corpus, event, xi, "observer")
    await assert_exact(corpus)
    await remove_participant(corpus, event, xi)
    await assert_exact(corpus)


async def test_an_article_that_changes_source_or_disclaimer_in_sql(corpus: AsyncSession) -> None:
    tokenwatch = await article_id(corpus, "tokenwatch.example")
    herald = await article_id(corpus, "dailyherald.example")
    await corpus.execute(
        text(
            "UPDATE article SET source_id = (SELECT source_id FROM article WHERE id = :t) "
            "WHERE id = :h"
        ),
        {"t": tokenwatch, "h": herald},
    )
    await assert_exact(corpus)
    # the herald's article has no block of its own: giving it one, then taking away the
    # TokenWatch article's, moves the first disclaimed article of their shared rows
    await corpus.execute(
        text("UPDATE article SET disclaimer_text = 'A block.' WHERE id = :h"), {"h": herald}
    )
    await assert_exact(corpus)
    await corpus.execute(
        text("UPDATE article SET disclaimer_heading = NULL, disclaimer_text = NULL WHERE id = :t"),
        {"t": tokenwatch},
    )
    await assert_exact(corpus)
    await corpus.execute(text("UPDATE article SET title = title || '.'"))  # neither changes
    await assert_exact(corpus)


async def test_deleting_an_event_cascades_to_its_rows(corpus: AsyncSession) -> None:
    events = await scalars(corpus, "SELECT event_id FROM event_source ORDER BY 1")
    await corpus.execute(text("DELETE FROM event WHERE id = :e"), {"e": events[0]})
    await assert_exact(corpus)
    assert (
        await scalars(corpus, "SELECT 1 FROM event_source WHERE event_id = :e", e=events[0]) == []
    )


async def test_link_rows_moved_in_sql_and_truncated(corpus: AsyncSession) -> None:
    events = await scalars(corpus, "SELECT id FROM event ORDER BY id")
    await corpus.execute(
        text(
            "UPDATE article_event SET event_id = :to WHERE event_id = :from AND article_id NOT IN "
            "(SELECT article_id FROM article_event WHERE event_id = :to)"
        ),
        {"from": events[0], "to": events[-1]},
    )
    await corpus.execute(text("UPDATE article_actor SET mention_count = mention_count + 1"))
    await assert_exact(corpus)
    await corpus.execute(text("TRUNCATE article_actor, article_event"))
    assert await drift(corpus) == []
    assert await scalars(corpus, "SELECT count(*) FROM actor_source") == [0]
    assert await scalars(corpus, "SELECT count(*) FROM source_set") == [0]


async def test_provenance_keys_changed_in_sql(session: AsyncSession) -> None:
    # 0004's triggers only count rows up and down; a statement that changes a key still
    # moves the entities' sets.
    await make_graph(session, random.Random(11))
    before = await sets_of(session), await sets_of(session, "event_source_set")
    await session.execute(text("UPDATE actor_source SET article_count = article_count + 1"))
    assert (await sets_of(session), await sets_of(session, "event_source_set")) == before
    (fresh,) = await scalars(
        session, "INSERT INTO source (name) VALUES ('new ' || md5(random()::text)) RETURNING id"
    )
    (newcomer,) = await scalars(
        session,
        "INSERT INTO actor (name, name_normalized, kind) SELECT n, n, 'person' "
        "FROM (SELECT 'newcomer ' || md5(random()::text) AS n) x RETURNING id",
    )
    actors = await scalars(session, "SELECT DISTINCT actor_id FROM actor_source ORDER BY 1")
    events = await scalars(session, "SELECT DISTINCT event_id FROM event_source ORDER BY 1")
    await session.execute(
        text(  # every actor's lowest source row moves to a new source
            "UPDATE actor_source x SET source_id = :fresh WHERE x.source_id = "
            "(SELECT min(y.source_id) FROM actor_source y WHERE y.actor_id = x.actor_id)"
        ),
        {"fresh": fresh},
    )
    await session.execute(
        text("UPDATE actor_source SET actor_id = :to WHERE actor_id = :from"),
        {"from": actors[0], "to": newcomer},
    )
    await session.execute(
        text(
            "UPDATE event_source SET source_id = :fresh WHERE event_id = :e AND source_id = "
            "(SELECT min(source_id) FROM event_source WHERE event_id = :e)"
        ),
        {"fresh": fresh, "e": events[0]},
    )
    assert await set_drift(session) == []
    assert [a for a, _ in await sets_of(session)] == [*actors[1:], newcomer]
    assert fresh in dict(await sets_of(session, "event_source_set"))[events[0]]


async def test_truncating_a_provenance_table(session: AsyncSession) -> None:
    await make_graph(session, random.Random(12))
    events = await sets_of(session, "event_source_set")
    actors_only = await scalars(
        session,
        "SELECT count(*) FROM source_set s WHERE NOT EXISTS "
        "(SELECT FROM event_source_set m WHERE m.set_id = s.id)",
    )
    assert actors_only[0] > 0
    await session.execute(text("TRUNCATE actor_source"))
    assert await sets_of(session) == []
    assert await sets_of(session, "event_source_set") == events
    assert await set_drift(session) == []  # the sets only actors named are gone


async def test_a_bulk_copy_of_link_rows(session: AsyncSession) -> None:
    await make_graph(session, random.Random(7), links=0)
    articles = await scalars(session, "SELECT id FROM article ORDER BY id")
    actors = await scalars(session, "SELECT id FROM actor ORDER BY id")
    records = [(a, b, 1) for a in articles for b in actors if (a + b) % 3]
    raw = await (await session.connection()).get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        "article_actor", records=records, columns=["article_id", "actor_id", "mention_count"]
    )
    assert await scalars(session, "SELECT count(*) FROM article_actor") == [len(records)]
    await assert_exact(session)


async def test_random_writes_keep_it_exact(session: AsyncSession) -> None:
    rng = random.Random(20261201)
    await make_graph(session, rng)
    await assert_exact(session)
    done: set[str] = set()
    for step in range(80):
        name, statements, params = await random_write(session, rng)
        for statement in statements:
            await session.execute(text(statement), params)
        problems = await drift(session)
        assert problems == [], f"step {step}: {name} {params}"
        done.add(name)
    assert done == set(writes("article_actor", "actor_id"))


@pytest.mark.parametrize("revision", ["0003_writes_audit", "0004_provenance"])
async def test_the_migration_fills_what_was_there(database_url: str, revision: str) -> None:
    downgrade(database_url, revision)
    engine = engine_for(database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            for raw in corpus_documents():
                await store_document(session, parse_document(raw.raw, raw.where))
        upgrade(database_url)
        async with engine.connect() as connection:
            await assert_exact(connection)
    finally:
        await engine.dispose()


# Actor 1 is mentioned by articles 1 (with a block of its own) and 2 (without) of source
# 1; article 3 (with a block) does not mention it yet.
SETUP = (
    "TRUNCATE source, actor RESTART IDENTITY CASCADE",
    "INSERT INTO source (name) VALUES ('S'), ('T')",
    "INSERT INTO actor (name, name_normalized, kind) VALUES ('A', 'a', 'person')",
    "INSERT INTO article (source_id, title, body, content_hash, disclaimer_text) "
    "VALUES (1, 'x', '', 'x', 'x block'), (1, 'w', '', 'w', NULL), (1, 'y', '', 'y', 'y block')",
    "INSERT INTO article_actor (article_id, actor_id) VALUES (1, 1), (2, 1)",
)
REMOVE_1 = "DELETE FROM article_actor WHERE article_id = 1"
REMOVE_2 = "DELETE FROM article_actor WHERE article_id = 2"
ADD_3 = "INSERT INTO article_actor (article_id, actor_id) VALUES (3, 1)"
MOVE_1 = "UPDATE article SET source_id = 2 WHERE id = 1"
MOVE_3 = "UPDATE article SET source_id = 2 WHERE id = 3"


async def write_concurrently(
    engine: AsyncEngine, setup: Sequence[str], first: str, second: str, *, waits: bool
) -> None:
    """`setup`, then `first` and `second` in two open transactions: with `waits`, the
    second must wait for the first to commit; else it must go through at once."""
    async with engine.begin() as connection:
        for statement in setup:
            await connection.execute(text(statement))
    async with engine.connect() as one, engine.connect() as two:
        await one.begin()
        await one.execute(text(first))
        await two.begin()
        waiting = asyncio.create_task(two.execute(text(second)))
        if waits:
            await asyncio.sleep(0.3)
            assert not waiting.done(), "the second writer should wait for the first"
            await one.commit()
            await waiting
            await two.commit()
        else:
            await asyncio.wait_for(waiting, 5)
            await two.commit()
            await one.commit()


@pytest.mark.parametrize(
    ("first", "second", "row"),
    [
        # the first disclaimed article leaves while another comes, in both orders: the
        # lookup that replaces it must see an insertion committed while it waited
        (REMOVE_1, ADD_3, [(1, 1, 2, 3)]),
        (ADD_3, REMOVE_1, [(1, 1, 2, 3)]),
        # both remaining links go at once: the second must count from the first's result
        (REMOVE_1, REMOVE_2, []),
        # an article moves to another source while a link to it comes or goes: the link
        # must count under the source the article ends up with
        (MOVE_3, ADD_3, [(1, 1, 2, 1), (1, 2, 1, 3)]),
        (ADD_3, MOVE_3, [(1, 1, 2, 1), (1, 2, 1, 3)]),
        (MOVE_1, REMOVE_1, [(1, 1, 1, None)]),
        (REMOVE_1, MOVE_1, [(1, 1, 1, None)]),
    ],
    ids=[
        "removal-then-insertion",
        "insertion-then-removal",
        "two-removals",
        "move-then-insertion",
        "insertion-then-move",
        "move-then-removal",
        "removal-then-move",
    ],
)
async def test_concurrent_writers_of_one_row(
    database_url: str, first: str, second: str, row: list[tuple[int, int, int, int | None]]
) -> None:
    engine = engine_for(database_url)
    try:
        await write_concurrently(engine, SETUP, first, second, waits=True)
        async with engine.connect() as check:
            assert await drift(check) == []
            kept = await check.execute(text("SELECT * FROM actor_source ORDER BY 1, 2"))
            assert [tuple(r) for r in kept] == row
    finally:
        await engine.dispose()


# Actors 2 and 3 are mentioned by no article yet; article 4 is source 2's.
SET_SETUP = (
    *SETUP,
    "INSERT INTO actor (name, name_normalized, kind) VALUES ('B', 'b', 'person'), "
    "('C', 'c', 'person')",
    "INSERT INTO article (source_id, title, body, content_hash) VALUES (2, 'z', '', 'z')",
)


def mention(article: int, actor: int) -> str:
    return f"INSERT INTO article_actor (article_id, actor_id) VALUES ({article}, {actor})"


UNMENTION_1 = "DELETE FROM article_actor WHERE actor_id = 1 AND article_id IN (1, 2)"


@pytest.mark.parametrize(
    ("first", "second", "waits", "sets"),
    [
        # two writers give one actor its first sources: the second must count both
        (mention(1, 2), mention(4, 2), True, [(1, [1]), (2, [1, 2])]),
        (mention(4, 2), mention(1, 2), True, [(1, [1]), (2, [1, 2])]),
        # the actor's last source goes while another comes, in both orders
        (UNMENTION_1, mention(4, 1), True, [(1, [2])]),
        (mention(4, 1), UNMENTION_1, True, [(1, [2])]),
        # two actors get the same new set: one row, found by the second writer
        (mention(4, 2), mention(4, 3), True, [(1, [1]), (2, [2]), (3, [2])]),
        # a set is deleted as its last actor leaves it, while another actor comes to it:
        # the newcomer inserts it again, or the deletion leaves it alone
        (UNMENTION_1, mention(1, 2), True, [(2, [1])]),
        (mention(1, 2), UNMENTION_1, False, [(2, [1])]),
    ],
    ids=[
        "two-first-sources",
        "two-first-sources-reversed",
        "last-source-out-then-another-in",
        "another-in-then-last-source-out",
        "one-new-set-for-two-actors",
        "set-deleted-then-named",
        "set-named-then-deleted",
    ],
)
async def test_concurrent_writers_of_one_actors_sources(
    database_url: str, first: str, second: str, waits: bool, sets: list[tuple[int, list[int]]]
) -> None:
    engine = engine_for(database_url)
    try:
        await write_concurrently(engine, SET_SETUP, first, second, waits=waits)
        async with engine.connect() as check:
            assert await drift(check) == []
            assert await sets_of(check) == sets
    finally:
        await engine.dispose()


# --- sources_behind ------------------------------------------------------------------------


async def walk(session: AsyncSession, **ids: Sequence[int]) -> list[SourceDisclaimer]:
    """The walk's sources that have a disclaimer (the others have no entry to show)."""
    kinds = ("source_ids", "article_ids", "claim_ids", "event_ids", "actor_ids")
    rows = await session.execute(WALK, {kind: list(ids.get(kind, ())) for kind in kinds})
    return [SourceDisclaimer(*row) for row in rows.all() if row[4] is not None]


async def test_sources_behind_answers_what_the_walk_answers(session: AsyncSession) -> None:
    rng = random.Random(42)
    await make_graph(session, rng, claims=30)
    every = {
        kind: await scalars(session, f"SELECT id FROM {table} ORDER BY id")
        for kind, table in (
            ("source_ids", "source"),
            ("article_ids", "article"),
            ("claim_ids", "claim"),
            ("event_ids", "event"),
            ("actor_ids", "actor"),
        )
    }
    claims = await session.execute(text("SELECT id, article_id FROM claim"))
    article_of: dict[int, int] = {claim: article for claim, article in claims.all()}
    fallbacks = through_entities = 0
    for _ in range(60):
        reached = {
            kind: rng.sample(ids, min(len(ids), rng.choice([0, 0, 1, 2, 5])))
            for kind, ids in every.items()
        }
        expected = await walk(session, **reached)
        # a reached claim is passed as its article, as the resolvers and compiled reads do
        behind = {kind: ids for kind, ids in reached.items() if kind != "claim_ids"}
        behind["article_ids"] = [
            *reached["article_ids"],
            *(article_of[claim] for claim in reached["claim_ids"]),
        ]
        assert await sources_behind(session, **behind) == expected, reached
        found = sum(1 for row in expected if row.text and row.text.startswith("own"))
        fallbacks += found
        if not (reached["article_ids"] or reached["claim_ids"]):
            through_entities += found
    assert fallbacks > 10  # sources without a disclaimer took an article's block
    assert through_entities > 3  # found through the reached actors' and events' rows alone


async def test_sources_behind_on_the_corpus(corpus: AsyncSession) -> None:
    await corpus.execute(
        text("UPDATE source SET disclaimer_heading = NULL, disclaimer_text = NULL")
    )
    reached = {
        "actor_ids": await scalars(corpus, "SELECT id FROM actor"),
        "event_ids": await scalars(corpus, "SELECT id FROM event"),
    }
    expected = await walk(corpus, **reached)
    assert len(expected) >= 3  # article blocks stand in for their sources
    assert await sources_behind(corpus, **reached) == expected
    assert await sources_behind(corpus) == []


# --- a random graph ------------------------------------------------------------------------


async def make_graph(
    session: AsyncSession,
    rng: random.Random,
    *,
    sources: int = 4,
    articles: int = 40,
    actors: int = 8,
    events: int = 6,
    links: int = 120,
    claims: int = 0,
) -> None:
    """Sources with and without a disclaimer, articles with and without their own."""
    source_ids = await scalars(
        session,
        "INSERT INTO source (name, domain, disclaimer_text) "
        "SELECT 'source ' || g || ' ' || :tag, 'd' || g || '-' || :tag || '.example', "
        "CASE WHEN g % 2 = 0 THEN 'source block ' || g END "
        "FROM generate_series(1, :n) g RETURNING id",
        n=sources,
        tag=str(rng.randrange(10**9)),
    )
    article_ids = []
    for index in range(articles):
        own = rng.random() < 0.5
        article_ids += await scalars(
            session,
            "INSERT INTO article (source_id, title, body, content_hash, disclaimer_heading, "
            "disclaimer_text) VALUES (:s, 't', 'b', md5(random()::text), :h, :d) RETURNING id",
            s=rng.choice(source_ids),
            h=f"own heading {index}" if own and rng.random() < 0.5 else None,
            d=f"own block {index}" if own else None,
        )
    actor_ids = await scalars(
        session,
        "INSERT INTO actor (name, name_normalized, kind) "
        "SELECT 'actor ' || g || md5(random()::text), 'actor ' || g || md5(random()::text), "
        "'person' FROM generate_series(1, :n) g RETURNING id",
        n=actors,
    )
    event_ids = await scalars(
        session,
        "INSERT INTO event (title, title_normalized, kind) "
        "SELECT 'event ' || g, 'event ' || g, 'other' FROM generate_series(1, :n) g RETURNING id",
        n=events,
    )
    for _ in range(links):
        table, column, ids = rng.choice(
            [("article_actor", "actor_id", actor_ids), ("article_event", "event_id", event_ids)]
        )
        await session.execute(
            text(
                f"INSERT INTO {table} (article_id, {column}) VALUES (:a, :e) ON CONFLICT DO NOTHING"
            ),
            {"a": rng.choice(article_ids), "e": rng.choice(ids)},
        )
    for index in range(claims):
        await session.execute(
            text("INSERT INTO claim (article_id, text, kind) VALUES (:a, :t, 'statement')"),
            {"a": rng.choice(article_ids), "t": f"claim {index}"},
        )


def writes(link: str, column: str) -> dict[str, list[str]]:
    """The kinds of write the graph sees, in SQL, on the link table `link`."""
    return {
        "insert links": [
            f"INSERT INTO {link} (article_id, {column}) "
            "SELECT unnest(CAST(:some AS bigint[])), :e ON CONFLICT DO NOTHING"
        ],
        "delete links": [f"DELETE FROM {link} WHERE article_id = ANY(:some) OR {column} = :e"],
        "move links": [
            f"UPDATE {link} SET {column} = :to WHERE {column} = :e AND article_id NOT IN "
            f"(SELECT article_id FROM {link} WHERE {column} = :to)"
        ],
        "merge actors": [  # as newsgraph.edit.actors does it
            "INSERT INTO article_actor (article_id, actor_id, mention_count) "
            "SELECT article_id, :into, mention_count FROM article_actor WHERE actor_id = :merged "
            "ON CONFLICT (article_id, actor_id) DO UPDATE "
            "SET mention_count = article_actor.mention_count + excluded.mention_count",
            "DELETE FROM article_actor WHERE actor_id = :merged",
        ],
        "move articles": ["UPDATE article SET source_id = :s WHERE id = ANY(:some)"],
        "toggle own blocks": [
            "UPDATE article SET disclaimer_heading = NULL, disclaimer_text = "
            "CASE WHEN disclaimer_text IS NULL THEN 'own block ' || id END WHERE id = ANY(:some)"
        ],
        "delete articles": ["DELETE FROM article WHERE id = ANY(:some)"],
        "delete an event": ["DELETE FROM event WHERE id = :event"],
        "new article with a link": [
            "WITH a AS (INSERT INTO article (source_id, title, body, content_hash, "
            "disclaimer_text) VALUES (:s, 't', 'b', md5(random()::text), "
            "CASE WHEN random() < 0.5 THEN 'own block' END) RETURNING id) "
            f"INSERT INTO {link} (article_id, {column}) SELECT a.id, :e FROM a"
        ],
    }


async def random_write(
    session: AsyncSession, rng: random.Random
) -> tuple[str, list[str], dict[str, Any]]:
    """One write, of a random kind, on random rows of the current graph."""
    articles = await scalars(session, "SELECT id FROM article ORDER BY id")
    actors = await scalars(session, "SELECT id FROM actor ORDER BY id")
    events = await scalars(session, "SELECT id FROM event ORDER BY id")
    sources = await scalars(session, "SELECT id FROM source ORDER BY id")
    link, column, entities = rng.choice(
        [("article_actor", "actor_id", actors), ("article_event", "event_id", events)]
    )
    merged, into = rng.sample(actors, 2)
    params: dict[str, Any] = {
        "some": rng.sample(articles, min(len(articles), rng.randint(1, 6))),
        "e": rng.choice(entities),
        "to": rng.choice(entities),
        "s": rng.choice(sources),
        "merged": merged,
        "into": into,
        "event": rng.choice(events),
    }
    kinds = writes(link, column)
    if len(events) <= 2:  # keep some, so that every kind of write stays possible
        del kinds["delete an event"]
    name = rng.choice(sorted(kinds))
    return name, kinds[name], params
