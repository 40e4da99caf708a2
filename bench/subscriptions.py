"""Subscription fan-out: many subscribers on one server process, a steady write rate.

    .venv/bin/python bench/subscriptions.py [--subscribers 1000] [--rate 50] [--seconds 10]
                                            [--sources 1] [--per-connection 1]
    .venv/bin/python bench/subscriptions.py --bare [--subscribers 1000]

Starts one server process (uvicorn, as `newsgraph serve` runs it) on NEWSGRAPH_DATABASE_URL's
database (a scratch one: the script creates its tables) or an embedded PostgreSQL in a
temporary directory; connects `--subscribers` graphql-transport-ws clients, each running
`articleAdded` (with `--sources` > 1, subscriber i filters on source i mod N, so a write
reaches subscribers/N of them; `--per-connection` subscriptions share one WebSocket); then
inserts `--rate` articles a second for `--seconds`,
each in its own transaction. Prints, as JSON: delivery latency from commit to receipt
(p50/p99, ms), messages delivered and lost, the server's memory per idle subscriber
(RSS growth while they connected, divided by their number), its CPU use during the
writes (share of one core) and the subscribers' process's (all in one asyncio loop).

`--bare` measures the floor under the memory figure: the same uvicorn serving an ASGI app
that only acknowledges graphql-transport-ws connections, its RSS growth per idle
connection.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from websockets.asyncio.client import connect

from newsgraph.db.connect import database_url
from newsgraph.db.driver import driver_dsn
from newsgraph.db.migrate import upgrade
from newsgraph.settings import load_settings

QUERY = """subscription ($filter: ArticleFilter) {
  articleAdded(filter: $filter) { cursor node { id title publishedAt source { name } } }
}"""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def _connection(
    url: str, sources: list[int | None], ready: asyncio.Event, received: list[tuple[str, float]]
) -> None:
    """One WebSocket running one subscription per entry of `sources` (a source id to
    filter on, or None)."""
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as socket:  # type: ignore[list-item]
        await socket.send('{"type":"connection_init","payload":{}}')
        await socket.recv()
        for number, source_id in enumerate(sources):
            variables = {"filter": {"sourceId": _global("Source", source_id)}} if source_id else {}
            payload = {"query": QUERY, "variables": variables}
            message = {"id": str(number), "type": "subscribe", "payload": payload}
            await socket.send(orjson.dumps(message).decode())
        ready.set()
        async for raw in socket:
            message = orjson.loads(raw)
            if message["type"] == "ping":
                await socket.send('{"type":"pong"}')
            elif message["type"] == "next" and message["payload"].get("data"):
                title = message["payload"]["data"]["articleAdded"]["node"]["title"]
                received.append((title, time.time()))
            else:  # an error (SUBSCRIBER_TOO_SLOW when the server cannot keep up), or the end
                errors = message.get("payload", {}).get("errors") or [{}]
                code = errors[0].get("extensions", {}).get("code", message["type"])
                received.append((f"ended:{code}", time.time()))


def _global(type_name: str, row_id: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


async def _settle(count: int) -> None:
    """Time for the server to start the last subscriptions it was sent."""
    await asyncio.sleep(max(2.0, count / 200))


def _uvicorn(
    app: list[str], port: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The server process, with the WebSocket options `newsgraph serve` uses (no
    compression unless NEWSGRAPH_WS_COMPRESSION asks for it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *app, "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--ws-max-queue", "1024", "--ws-per-message-deflate", "false"],
        env=env,
    )  # fmt: skip


async def measure(
    url: str, subscribers: int, rate: int, seconds: int, sources: int, per_connection: int
) -> dict[str, Any]:
    upgrade(url)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "NEWSGRAPH_DATABASE_URL": url,
        "NEWSGRAPH_RATE_LIMIT": "0",
        "NEWSGRAPH_LOG_LEVEL": "WARNING",
        "NEWSGRAPH_SUBSCRIPTIONS_PER_CONNECTION": "1000",
    }
    server = _uvicorn(
        ["--factory", "newsgraph.server:create_app_from_environment"], port, environment
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)  # noqa: ASYNC210 - before measuring
                break
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        database = await asyncpg.connect(driver_dsn(url))
        source_ids = [
            await database.fetchval(
                "INSERT INTO source (name, domain) VALUES ($1, $2) RETURNING id",
                f"Source {n}",
                f"s{n}.example",
            )
            for n in range(max(sources, 1))
        ]
        received: list[tuple[str, float]] = []
        ws_url = base.replace("http", "ws") + "/graphql"
        # one subscriber first: the listener starts, the app is warm; then measure the rest
        first = asyncio.Event()
        wanted = [None if sources <= 1 else source_ids[i % sources] for i in range(subscribers)]
        tasks = [asyncio.create_task(_connection(ws_url, wanted[:1], first, received))]
        await first.wait()
        await asyncio.sleep(1)
        rss_before = _rss_kib(server.pid)
        for index in range(1, subscribers, per_connection):
            ready = asyncio.Event()
            batch = wanted[index : index + per_connection]
            tasks.append(asyncio.create_task(_connection(ws_url, batch, ready, received)))
            await ready.wait()
        await _settle(subscribers)
        rss_after = _rss_kib(server.pid)
        # The clients' objects out of this process's garbage collector: a full collection
        # over a thousand connections pauses this loop for a tenth of a second, which would
        # count as the server's latency.
        gc.collect()
        gc.freeze()
        committed: dict[str, float] = {}
        cpu_before, wall_before = _cpu_seconds(server.pid), time.monotonic()
        client_before = time.process_time()
        interval = 1 / rate
        start = time.monotonic()
        for n in range(rate * seconds):
            title = f"bench article {n}"
            source = source_ids[n % len(source_ids)]
            await database.execute(
                "INSERT INTO article (source_id, title, body, content_hash, published_at, "
                "published_precision) VALUES ($1, $2, 'A bench article.', md5($2), now(), 'day')",
                source,
                title,
            )
            committed[title] = time.time()
            delay = start + (n + 1) * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await asyncio.sleep(3)  # the last messages
        wall = time.monotonic() - wall_before
        cpu = (_cpu_seconds(server.pid) - cpu_before) / wall
        client_cpu = (time.process_time() - client_before) / wall
        for task in tasks:
            task.cancel()
        await database.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    ended = Counter(
        title.removeprefix("ended:") for title, _ in received if title.startswith("ended:")
    )
    expected_per_write = subscribers if sources <= 1 else subscribers / sources
    latencies = sorted(
        (at - committed[title]) * 1000 for title, at in received if title in committed
    )
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "subscribers": subscribers,
        "subscriptions_per_connection": per_connection,
        "sources": sources,
        "writes_per_s": rate,
        "seconds": seconds,
        "messages_expected": round(expected_per_write * len(committed)),
        "messages_delivered": len(latencies),
        "subscriptions_ended": dict(ended),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p99_ms": round(quantiles[98], 1),
        "memory_per_idle_subscriber_kib": round(
            (rss_after - rss_before) / max(subscribers - 1, 1), 1
        ),
        "server_cpu_share_of_one_core": round(cpu, 2),
        # the subscribers' process: when it nears 1.0, the clients are what is measured
        "clients_cpu_share_of_one_core": round(client_cpu, 2),
    }


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that accepts graphql-transport-ws connections, acknowledges
    `connection_init` and does nothing else: what uvicorn alone keeps per connection."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
    else:
        await receive()
        await send({"type": "websocket.accept", "subprotocol": "graphql-transport-ws"})
        while (message := await receive())["type"] != "websocket.disconnect":
            if "connection_init" in (message.get("text") or ""):
                await send({"type": "websocket.send", "text": '{"type":"connection_ack"}'})


async def measure_bare(connections: int) -> dict[str, Any]:
    """The server's memory per idle connection when the app is `bare_app`, run as the
    measured server is (same uvicorn, same WebSocket options)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _uvicorn(["--app-dir", str(Path(__file__).parent), "subscriptions:bare_app"], port)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base, timeout=1)  # noqa: ASYNC210 - before measuring
                break
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        received: list[tuple[str, float]] = []
        ws_url = base.replace("http", "ws") + "/"
        tasks = []
        for number in range(connections):
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(_connection(ws_url, [], ready, received)))
            await ready.wait()
            if number == 0:
                await asyncio.sleep(1)
                rss_before = _rss_kib(server.pid)
        await _settle(connections)
        rss_after = _rss_kib(server.pid)
        for task in tasks:
            task.cancel()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "connections": connections,
        "memory_per_idle_connection_kib": round(
            (rss_after - rss_before) / max(connections - 1, 1), 1
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--sources", type=int, default=1)
    parser.add_argument("--per-connection", type=int, default=1)
    parser.add_argument(
        "--bare",
        action="store_true",
        help="uvicorn's own memory per idle WebSocket: a bare ASGI app, no newsgraph",
    )
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(asyncio.run(measure_bare(args.subscribers))))
        return
    with (
        tempfile.TemporaryDirectory() as scratch,
        database_url(load_settings(data_dir=Path(scratch))) as url,
    ):
        result = asyncio.run(
            measure(
                url, args.subscribers, args.rate, args.seconds, args.sources, args.per_connection
            )
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
