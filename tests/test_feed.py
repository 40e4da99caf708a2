"""The listener's fan-out: one batch of changes costs the same statements whatever the
number of subscribers and filters."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from newsgraph.db.driver import connect
from newsgraph.db.engine import make_sessionmaker
from newsgraph.ingest.files import RawDocument
from newsgraph.live.feed import ChangeFeed
from newsgraph.live.subscribers import Subscriber
from newsgraph.resolvers.filters import ARTICLE_FILTER
from newsgraph.schema.inputs import ArticleFilter
from tests.helpers import engine_for, import_raw, recording, small_document


async def test_a_batch_costs_two_statements_for_any_number_of_subscribers(
    database_url: str,
) -> None:
    engine = engine_for(database_url)
    feed = ChangeFeed(
        database_url,
        make_sessionmaker(engine),
        retention=3600,
        max_subscribers=100,
        queue_limit=100,
    )
    # the three sources the documents below are published by get ids 1, 2, 3
    filters = [
        ARTICLE_FILTER.of_input(ArticleFilter(source_id=f"U291cmNlOj{n}="))  # type: ignore[arg-type]
        for n in ("E", "I", "M")
    ]
    subscribers: list[Subscriber] = []
    try:
        async with AsyncExitStack() as stack:
            for number in range(30):  # 10 without a filter, 20 over three filters
                bound = None if number < 10 else filters[number % 3]
                subscribers.append(
                    await stack.enter_async_context(feed.subscribe("article", bound=bound))
                )
            documents = [
                RawDocument(f"d{n}", raw=small_document(n, source=f"Source{n}")) for n in range(3)
            ]
            with recording(engine) as statements:
                await import_raw(database_url, documents, batch_size=3)
                deliveries = [await asyncio.wait_for(s.next(), 20) for s in subscribers[:10]]
                for subscriber in subscribers[10:]:
                    await asyncio.wait_for(subscriber.next(), 20)
    finally:
        await feed.stop()
        await engine.dispose()
    assert [d.row.title for d in deliveries[:1]] == ["Story number 0"]
    # the rows of the batch, and every filter at once
    selects = [s for s in statements.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, statements.statements


async def test_a_change_committed_late_is_neither_lost_nor_out_of_order(
    database_url: str,
) -> None:
    """T1 writes first, T2 second; T2 commits first. A reader going by ids alone would
    deliver T2's change and skip T1's when it commits; the feed holds T2's back until T1
    has ended, then delivers both in the log's order."""
    engine = engine_for(database_url)
    feed = ChangeFeed(
        database_url, make_sessionmaker(engine), retention=3600, max_subscribers=10, queue_limit=10
    )
    first, second = await connect(database_url), await connect(database_url)
    insert = (
        "INSERT INTO article (source_id, title, body, content_hash) "
        "VALUES ((SELECT id FROM source LIMIT 1), $1, 'Body.', md5($1))"
    )
    try:
        await import_raw(database_url, [RawDocument("s", raw=small_document(0))])
        async with feed.subscribe("article") as subscriber:
            one, two = first.transaction(), second.transaction()
            await one.start()
            await first.execute(insert, "written first")
            await two.start()
            await second.execute(insert, "written second")
            await two.commit()
            waiting = asyncio.ensure_future(subscriber.next())
            done, _ = await asyncio.wait([waiting], timeout=1.5)
            assert not done  # held back while an older transaction runs
            await one.commit()
            got = [(await asyncio.wait_for(waiting, 20)).row.title]
            got.append((await asyncio.wait_for(subscriber.next(), 20)).row.title)
    finally:
        await first.close()
        await second.close()
        await feed.stop()
        await engine.dispose()
    assert got == ["written first", "written second"]
