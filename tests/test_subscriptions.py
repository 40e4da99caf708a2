"""Subscriptions end to end: a real server on a socket, graphql-transport-ws clients,
writes through the API, the bulk import and plain SQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from newsgraph.db.embedded import EmbeddedPostgres
from newsgraph.db.engine import make_sessionmaker
from newsgraph.db.migrate import upgrade
from newsgraph.http.live import LiveView
from newsgraph.ingest.files import RawDocument
from newsgraph.live.feed import APPLICATION_NAME, ChangeFeed
from newsgraph.live.positions import START
from newsgraph.live.retention import Pruner
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import make_schema
from newsgraph.server import create_app
from newsgraph.settings import Settings
from tests.helpers import create_key, engine_for, import_raw
from tests.helpers import small_document as document
from tests.live import free_port, serving
from tests.wsclient import graphql_ws

ARTICLES = """
subscription ($filter: ArticleFilter, $after: String) {
  articleAdded(filter: $filter, after: $after) { cursor node { id title source { name } } }
}
"""


@dataclass
class Server:
    """A live server: its base URL and its app (to see its listener)."""

    url: str
    app: Starlette

    @property
    def feed(self) -> ChangeFeed:
        """The server's change listener (it exists once something subscribed)."""
        feed: ChangeFeed | None = self.app.state.runtime._feed
        assert feed is not None
        return feed

    async def subscribed(self, count: int) -> None:
        """Waits until the server runs `count` subscriptions (so a write after this is
        one they must receive)."""
        for _ in range(400):
            feed = self.app.state.runtime._feed
            if feed is not None and feed.subscribers == count and feed.position is not None:
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"the server never ran {count} subscriptions")


def serve(database_url: str, **settings: Any) -> Any:
    """A live server on `database_url` (a context manager giving a `Server`)."""
    settings = {"rate_limit": 0, "pool_size": 2} | settings
    app = create_app(Settings(database_url=database_url, **settings))

    @contextmanager
    def running() -> Iterator[Server]:
        with serving(app) as url:
            yield Server(url, app)

    return running()


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    """A live server on this test's database."""
    with serve(database_url) as running:
        yield running


async def ingest(url: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Stores `doc` through the `ingestArticle` mutation of the server at `url`."""
    mutation = """
      mutation ($input: IngestArticleInput!) {
        ingestArticle(input: $input) { article { id title } created userErrors { message } }
      }
    """
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": mutation, "variables": {"input": {"document": doc}}},
            headers={"authorization": f"Bearer {key}"},
        )
    body: dict[str, Any] = response.json()
    assert body["data"]["ingestArticle"]["userErrors"] == [], body
    article: dict[str, Any] = body["data"]["ingestArticle"]["article"]
    return article


async def test_article_added_sends_each_new_article_with_its_disclaimers(
    server: Server, write_key: str
) -> None:
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(ARTICLES)
        await server.subscribed(1)
        stored = await ingest(server.url, write_key, document(1, disclaimer="Not advice."))
        (payload,) = await ws.payloads(operation, 1)
    edge = payload["data"]["articleAdded"]
    assert edge["node"] == {
        "id": stored["id"],
        "title": "Story number 1",
        "source": {"name": "Wire"},
    }
    assert edge["cursor"]
    (disclaimer,) = payload["extensions"]["disclaimers"]
    assert disclaimer["text"] == "Not advice."


def titles(payloads: list[dict[str, Any]]) -> list[str]:
    return [p["data"]["articleAdded"]["node"]["title"] for p in payloads]


async def test_every_write_path_is_delivered_once_in_order(
    server: Server, database_url: str, write_key: str
) -> None:
    """The per-document ingest, the bulk import (COPY) and plain SQL all reach it."""
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(ARTICLES)
        await server.subscribed(1)
        await ingest(server.url, write_key, document(1))
        await import_raw(database_url, [RawDocument(f"d{n}", raw=document(n)) for n in (2, 3, 4)])
        engine = engine_for(database_url)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO article (source_id, title, body, content_hash) "
                    "SELECT id, 'Story number 5', 'By hand.', md5('5') FROM source LIMIT 1"
                )
            )
        await engine.dispose()
        got = await ws.payloads(operation, 5)
        await asyncio.sleep(0.2)
        assert ws.pending(operation) == 0  # nothing twice
    assert titles(got) == [f"Story number {n}" for n in range(1, 6)]
    cursors = [p["data"]["articleAdded"]["cursor"] for p in got]
    assert len(set(cursors)) == 5


async def test_filters_and_nested_relations(server: Server, write_key: str) -> None:
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(
            """subscription { claimAdded(filter: {kind: QUOTE}) {
                 node { text kind article { title } claimant { name } } } }"""
        )
        await server.subscribed(1)
        doc = document(7)
        doc["actors"] = [{"name": "Ada Quill", "kind": "person"}]
        doc["claims"] = [
            {"text": "Story number 7.", "kind": "statement", "claimant": None},
            {
                "text": "Officials met in London to talk about trade 7.",
                "kind": "quote",
                "claimant": "Ada Quill",
            },
        ]
        await ingest(server.url, write_key, doc)
        (payload,) = await ws.payloads(operation, 1)
    assert payload["data"]["claimAdded"]["node"] == {
        "text": "Officials met in London to talk about trade 7.",
        "kind": "QUOTE",
        "article": {"title": "Story number 7"},
        "claimant": {"name": "Ada Quill"},
    }


async def test_resume_after_a_cursor_gets_exactly_what_was_missed(
    server: Server, write_key: str
) -> None:
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(ARTICLES)
        await server.subscribed(1)
        for n in (1, 2):
            await ingest(server.url, write_key, document(n))
        first = await ws.payloads(operation, 2)
    await server.subscribed(0)
    for n in (3, 4, 5):
        await ingest(server.url, write_key, document(n))
    after = first[0]["data"]["articleAdded"]["cursor"]  # resume after the first one
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(ARTICLES, {"after": after})
        await server.subscribed(1)
        await ingest(server.url, write_key, document(6))
        resumed = await ws.payloads(operation, 5)
        await asyncio.sleep(0.2)
        assert ws.pending(operation) == 0
    assert titles(resumed) == [f"Story number {n}" for n in (2, 3, 4, 5, 6)]
    assert (
        resumed[0]["data"]["articleAdded"]["cursor"] == first[1]["data"]["articleAdded"]["cursor"]
    )


async def test_a_lost_listener_connection_loses_nothing(
    server: Server, database_url: str, write_key: str
) -> None:
    """pg_terminate_backend on the listener, as a PostgreSQL restart would cut it."""
    engine = engine_for(database_url)
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(ARTICLES)
        await server.subscribed(1)
        await ingest(server.url, write_key, document(1))
        await ws.payloads(operation, 1)
        connects = server.feed.connects
        async with engine.begin() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            )
        assert killed == 1
        for n in (2, 3, 4):  # while the listener is away
            await ingest(server.url, write_key, document(n))
        got = await ws.payloads(operation, 3)
        await asyncio.sleep(0.2)
        assert ws.pending(operation) == 0
    await engine.dispose()
    assert titles(got) == [f"Story number {n}" for n in (2, 3, 4)]
    assert server.feed.connects == connects + 1


async def test_a_cursor_older_than_the_log_asks_for_a_refetch(
    server: Server, database_url: str, write_key: str
) -> None:
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(ARTICLES)
        await server.subscribed(1)
        await ingest(server.url, write_key, document(1))
        await ingest(server.url, write_key, document(2))
        first, last = await ws.payloads(operation, 2)
    assert await Pruner(database_url, retention=0).prune() == 2  # all older than 0 s
    async with graphql_ws(f"{server.url}/graphql") as ws:
        cursor = first["data"]["articleAdded"]["cursor"]
        operation = await ws.subscribe(ARTICLES, {"after": cursor})
        message = await ws.receive(operation)
        # the last pruned change is the horizon: after it, nothing is missing
        resumed = await ws.subscribe(ARTICLES, {"after": last["data"]["articleAdded"]["cursor"]})
        await server.subscribed(1)
        await ingest(server.url, write_key, document(3))
        (payload,) = await ws.payloads(resumed, 1)
    assert titles([payload]) == ["Story number 3"]
    assert message["type"] == "next"
    (error,) = message["payload"]["errors"]
    assert error["extensions"]["code"] == "CURSOR_EXPIRED"
    assert "refetch" in error["message"]


async def test_event_changed_follows_edits(server: Server, write_key: str) -> None:
    doc = document(1)
    doc["actors"] = [{"name": "Ada Quill", "kind": "person"}]
    doc["events"] = [{"title": "Trade talks", "kind": "negotiation", "participants": []}]
    stored = await ingest(server.url, write_key, doc)
    async with httpx.AsyncClient(timeout=30) as client:
        found = await client.post(
            f"{server.url}/graphql",
            json={
                "query": "{ events(first: 1) { nodes { id } } actors(first: 1) { nodes { id } } "
                "articles(first: 1) { nodes { id } } }"
            },
        )
    event_id = found.json()["data"]["events"]["nodes"][0]["id"]
    actor_id = found.json()["data"]["actors"]["nodes"][0]["id"]
    article_id = found.json()["data"]["articles"]["nodes"][0]["id"]
    assert stored
    async with graphql_ws(f"{server.url}/graphql") as ws:
        operation = await ws.subscribe(
            """subscription ($id: ID!) { eventChanged(id: $id) { node {
                 status participants { role actor { name } } claims { nodes { text } } } } }""",
            {"id": event_id},
        )
        await server.subscribed(1)
        got = []
        async with httpx.AsyncClient(timeout=30) as client:
            for mutation in (
                "mutation ($id: ID!) { updateEvent(id: $id, input: {status: OCCURRED}) "
                "{ userErrors { message } } }",
                "mutation ($id: ID!, $actor: ID!) { addParticipant(eventId: $id, "
                'actorId: $actor, role: "lead") { userErrors { message } } }',
                "mutation ($id: ID!, $article: ID!) { createClaim(input: {articleId: $article, "
                'text: "Talks went well.", kind: STATEMENT, eventId: $id}) '
                "{ userErrors { message } } }",
            ):
                variables = {"id": event_id, "actor": actor_id, "article": article_id}
                used = {name: value for name, value in variables.items() if f"${name}" in mutation}
                response = await client.post(
                    f"{server.url}/graphql",
                    json={"query": mutation, "variables": used},
                    headers={"authorization": f"Bearer {write_key}"},
                )
                assert "errors" not in response.json(), response.json()
                # a message shows the event as it is when sent: one edit at a time
                got += await ws.payloads(operation, 1)
        first, second, third = got
    assert first["data"]["eventChanged"]["node"]["status"] == "OCCURRED"
    assert first["data"]["eventChanged"]["node"]["participants"] == []
    assert second["data"]["eventChanged"]["node"]["participants"] == [
        {"role": "lead", "actor": {"name": "Ada Quill"}}
    ]
    # a claim about the event changes what a subscriber sees of it
    assert {"text": "Talks went well."} in third["data"]["eventChanged"]["node"]["claims"]["nodes"]


async def test_a_slow_subscriber_is_ended_with_a_coded_error(database_url: str) -> None:
    """Its queue holds `subscription_queue` messages; one more ends it, whatever comes."""
    settings = Settings(database_url=database_url, subscription_queue=2)
    engine = engine_for(database_url)
    feed = ChangeFeed(
        database_url,
        make_sessionmaker(engine),
        retention=settings.change_retention,
        max_subscribers=10,
        queue_limit=settings.subscription_queue,
    )
    context = RequestContext(session=make_sessionmaker(engine)(), settings=settings, feed=feed)
    results = await make_schema(settings).subscribe(ARTICLES, context_value=context)
    try:
        first = asyncio.ensure_future(anext(results))  # the subscription starts, then waits
        for _ in range(400):
            if feed.subscribers:
                break
            await asyncio.sleep(0.025)
        # five articles in one transaction: one batch pushed at once, two fit the queue
        await import_raw(
            database_url, [RawDocument(f"d{n}", raw=document(n)) for n in range(5)], batch_size=5
        )
        result = await asyncio.wait_for(first, 20)
    finally:
        await results.aclose()
        await context.session.close()
        await feed.stop()
        await engine.dispose()
    assert result.data is None
    (error,) = result.errors or []
    assert error.extensions == {"code": "SUBSCRIBER_TOO_SLOW", "limit": 2}
    assert feed.subscribers == 0


async def test_the_change_log_has_one_row_per_change(database_url: str) -> None:
    """Statement-level triggers: a bulk import of five articles in one statement logs
    five rows; importing them again (nothing new) logs nothing; a merge logs the claims
    it moved, an update that changes nothing read logs nothing."""
    engine = engine_for(database_url)

    async def logged() -> list[tuple[str, str]]:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT topic, op FROM change_log ORDER BY xid, id")
            )
            return [(row.topic, row.op) for row in rows]

    docs = [RawDocument(f"d{n}", raw=document(n)) for n in range(5)]
    await import_raw(database_url, docs, batch_size=5)
    assert await logged() == [("article", "insert")] * 5
    await import_raw(database_url, docs, batch_size=5)
    assert len(await logged()) == 5
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE article SET updated_at = now()"))
        await connection.execute(
            text("UPDATE article SET title = title || '!' WHERE id = (SELECT min(id) FROM article)")
        )
    assert (await logged())[5:] == [("article", "update")]
    async with engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM article WHERE id = (SELECT min(id) FROM article)")
        )
    assert (await logged())[6:] == [("article", "delete")]
    await engine.dispose()


async def test_two_server_processes_on_one_database(database_url: str, write_key: str) -> None:
    """A subscriber on one process, writes through the other: each change exactly once,
    in order (resuming from the log's start, so no write races the subscription)."""
    with server_process(database_url) as subscriber_url, server_process(database_url) as writer_url:
        async with graphql_ws(f"{subscriber_url}/graphql") as ws:
            operation = await ws.subscribe(ARTICLES, {"after": START.cursor})
            sent: list[float] = []
            received: list[float] = []
            got: list[dict[str, Any]] = []
            for n in range(10):
                await ingest(writer_url, write_key, document(n))
                sent.append(time.perf_counter())
                got += await ws.payloads(operation, 1)
                received.append(time.perf_counter())
            await asyncio.sleep(0.3)
            assert ws.pending(operation) == 0
    assert titles(got) == [f"Story number {n}" for n in range(10)]
    latencies = sorted(r - s for r, s in zip(received, sent, strict=True))
    print(f"commit -> delivery across processes: median {latencies[5] * 1000:.1f} ms")


@contextmanager
def server_process(database_url: str) -> Iterator[str]:
    """`newsgraph serve` as its own process (uvicorn, one worker): its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "NEWSGRAPH_DATABASE_URL": database_url,
        "NEWSGRAPH_RATE_LIMIT": "0",
        "NEWSGRAPH_POOL_SIZE": "2",
        "NEWSGRAPH_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "newsgraph.server:create_app_from_environment",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_a_server_that_needs_a_read_key_takes_it_in_connection_init(
    database_url: str,
) -> None:
    from websockets.exceptions import ConnectionClosed

    read_key = await create_key(database_url, "reader", "read")
    with serve(database_url, require_read_key=True) as server:
        with pytest.raises((ConnectionClosed, AssertionError)) as refused:
            async with graphql_ws(f"{server.url}/graphql"):
                pass
        if isinstance(refused.value, ConnectionClosed):
            assert refused.value.rcvd is not None
            assert refused.value.rcvd.code == 4403
        async with graphql_ws(
            f"{server.url}/graphql", {"authorization": f"Bearer {read_key}"}
        ) as ws:
            operation = await ws.subscribe(ARTICLES)
            await server.subscribed(1)
            await ws.complete(operation)
            await server.subscribed(0)


async def test_limits_apply_to_subscription_documents(database_url: str) -> None:
    with serve(database_url, max_depth=3, subscriptions_per_connection=1) as server:
        async with graphql_ws(f"{server.url}/graphql") as ws:
            deep = await ws.subscribe(
                "subscription { articleAdded { node { source { articles { nodes { id } } } } } }"
            )
            message = await ws.receive(deep)
            assert message["type"] == "error"
            assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
            await ws.subscribe(ARTICLES)
            await server.subscribed(1)
            second = await ws.subscribe(ARTICLES)
            message = await ws.receive(second)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 1}


async def test_multipart_http_subscriptions(server: Server, write_key: str) -> None:
    """Strawberry's multipart subscriptions (Apollo Client, urql) at the same URL."""
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream(
            "POST",
            f"{server.url}/graphql",
            json={"query": ARTICLES},
            headers={"accept": "multipart/mixed;subscriptionSpec=1.0, application/json"},
        ) as response,
    ):
        assert response.headers["content-type"].startswith("multipart/mixed")
        await server.subscribed(1)
        await ingest(server.url, write_key, document(1, disclaimer="Not advice."))
        text_so_far = ""
        async for chunk in response.aiter_text():
            text_so_far += chunk
            if "Story number 1" in text_so_far:
                break
    assert '"articleAdded"' in text_so_far
    assert "Not advice." in text_so_far  # the message's extensions.disclaimers


async def test_an_idle_connection_that_does_not_answer_pings_is_closed(
    database_url: str,
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    with serve(database_url, ws_ping_interval=0.2) as server:
        async with connect(
            server.url.replace("http", "ws") + "/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        ) as socket:
            await socket.send('{"type": "connection_init", "payload": {}}')
            seen: list[str] = []

            async def read_until_closed() -> None:
                while True:  # never answers a ping
                    seen.append(orjson.loads(await asyncio.wait_for(socket.recv(), 10))["type"])

            with pytest.raises(ConnectionClosed) as closed:
                await read_until_closed()
    assert seen[:2] == ["connection_ack", "ping"]
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


async def test_a_public_server_with_a_manifest_runs_only_its_documents(
    database_url: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(orjson.dumps({"feed": ARTICLES}).decode())
    with serve(database_url, public=True, trusted_documents=manifest) as server:
        async with graphql_ws(f"{server.url}/graphql") as ws:
            unlisted = await ws.subscribe("subscription { claimAdded { cursor } }")
            message = await ws.receive(unlisted)
            assert message["type"] == "error"
            assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
            await ws.subscribe(ARTICLES)
            await server.subscribed(1)


async def test_clients_of_the_same_subscription_share_one_execution(
    server: Server, write_key: str
) -> None:
    async with (
        graphql_ws(f"{server.url}/graphql") as first,
        graphql_ws(f"{server.url}/graphql") as second,
    ):
        one = await first.subscribe(ARTICLES)
        two = await second.subscribe(ARTICLES)
        await server.subscribed(1)
        live: LiveView = server.app.state.live
        for _ in range(400):
            if live.running.count == 2:
                break
            await asyncio.sleep(0.025)
        assert live.multiplexer.groups == 1
        await ingest(server.url, write_key, document(1))
        (a,) = await first.payloads(one, 1)
        (b,) = await second.payloads(two, 1)
        assert server.feed.subscribers == 1  # one execution, one listener subscription
    assert a == b


async def test_the_process_limit_counts_every_connection(database_url: str) -> None:
    with serve(database_url, subscriptions_per_process=1) as server:
        async with (
            graphql_ws(f"{server.url}/graphql") as first,
            graphql_ws(f"{server.url}/graphql") as second,
        ):
            await first.subscribe(ARTICLES)
            await server.subscribed(1)
            refused = await second.subscribe(ARTICLES)
            message = await second.receive(refused)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 1}


async def test_a_postgresql_restart_mid_stream_loses_nothing(tmp_path: Path) -> None:
    """A server of the test's own, stopped and started again while a client subscribes:
    the listener reconnects and reads on from where it was."""
    postgres = EmbeddedPostgres(tmp_path / "pg")
    url = await asyncio.to_thread(postgres.start)
    try:
        await asyncio.to_thread(upgrade, url)
        await import_raw(url, [RawDocument("d1", raw=document(1))])
        with serve(url) as server:
            async with graphql_ws(f"{server.url}/graphql") as ws:
                operation = await ws.subscribe(ARTICLES, {"after": START.cursor})
                (first,) = await ws.payloads(operation, 1)
                await asyncio.to_thread(postgres.stop)
                await asyncio.to_thread(postgres.start)
                await import_raw(url, [RawDocument(f"d{n}", raw=document(n)) for n in (2, 3)])
                got = await ws.payloads(operation, 2)
                await asyncio.sleep(0.3)
                assert ws.pending(operation) == 0
                assert server.feed.connects >= 2
    finally:
        await asyncio.to_thread(postgres.stop)
    assert titles([first, *got]) == [f"Story number {n}" for n in (1, 2, 3)]


async def test_every_member_of_a_shared_subscription_pays_the_budget(database_url: str) -> None:
    """One point a minute: the first subscription spends it, the same one again (which
    would join the first's execution) is refused."""
    with serve(database_url, rate_limit=1) as server:
        async with graphql_ws(f"{server.url}/graphql") as ws:
            await ws.subscribe(ARTICLES)
            await server.subscribed(1)
            again = await ws.subscribe(ARTICLES)
            message = await ws.receive(again)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
