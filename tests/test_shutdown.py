"""Graceful shutdown: requests in flight finish, new ones get 503, then everything stops.

The middleware is tested in process first (deterministic); then `newsgraph serve` is
stopped with SIGTERM while 50 requests wait on a table lock the test holds, so all 50
are in flight for certain when the signal arrives.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx
import psutil
import pytest
from sqlalchemy import text
from starlette.responses import PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

from newsgraph.http.draining import DrainingMiddleware
from tests.helpers import engine_for
from tests.test_serve import QUERY, embedded_data_dir, serving

IN_FLIGHT = 50
CLIENTS = 5  # each keeps IN_FLIGHT / CLIENTS keep-alive connections busy
PROBES = 4  # idle keep-alive connections that send new requests after SIGTERM
PROBE_PATH = "/no-such-page"  # 404 without touching the database; 503 while draining
REFUSED = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)


async def _inner_app(scope: Scope, receive: Receive, send: Send) -> None:
    """An app with a lifespan that answers every request with 200."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    else:
        await PlainTextResponse("ok")(scope, receive, send)


def _assert_refusal(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.headers["connection"] == "close"
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert "shutting down" in error["message"]


async def test_draining_refuses_every_request_but_healthz() -> None:
    middleware = DrainingMiddleware(_inner_app)
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.post("/graphql", json={"query": QUERY})).status_code == 200
        middleware.begin()
        _assert_refusal(await client.post("/graphql", json={"query": QUERY}))
        _assert_refusal(await client.get("/readyz"))
        assert (await client.get("/healthz")).status_code == 200


@asynccontextmanager
async def _lifespan(app: DrainingMiddleware) -> AsyncIterator[None]:
    """Run the app's lifespan as a server does: startup on entry, shutdown on exit."""
    incoming: asyncio.Queue[Message] = asyncio.Queue()
    outgoing: asyncio.Queue[Message] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, incoming.get, outgoing.put))
    await incoming.put({"type": "lifespan.startup"})
    assert (await outgoing.get())["type"] == "lifespan.startup.complete"
    try:
        yield
    finally:
        await incoming.put({"type": "lifespan.shutdown"})
        assert (await outgoing.get())["type"] == "lifespan.shutdown.complete"
        await task


async def test_a_shutdown_signal_starts_the_drain_then_reaches_the_servers_handler() -> None:
    received: list[int] = []

    def servers_handler(number: int, frame: FrameType | None) -> None:
        received.append(number)

    before = signal.signal(signal.SIGTERM, servers_handler)
    try:
        middleware = DrainingMiddleware(_inner_app)
        async with _lifespan(middleware):
            assert not middleware.draining
            signal.raise_signal(signal.SIGTERM)
            assert middleware.draining
            assert received == [signal.SIGTERM], "the server still shuts down as it would"
        assert signal.getsignal(signal.SIGTERM) is servers_handler, "given back at shutdown"
    finally:
        signal.signal(signal.SIGTERM, before)


@dataclass
class Drain:
    """What clients saw when the server was stopped under load."""

    in_flight: list[httpx.Response]
    # per probe connection, in order: an HTTP status, or the name of a refused connection
    after_sigterm: list[list[str]]


async def _probe_until_refused(probe: httpx.AsyncClient) -> list[str]:
    """New requests on a kept-alive connection, one after the other, until refused."""
    seen: list[str] = []
    for _ in range(10_000):
        try:
            response = await probe.get(PROBE_PATH)  # the client's timeout catches a hang
        except REFUSED as exc:
            seen.append(type(exc).__name__)
            return seen
        if response.status_code == 503:
            _assert_refusal(response)
        seen.append(str(response.status_code))
        await asyncio.sleep(0.001)
    pytest.fail(f"the server never stopped taking connections: {seen[-5:]}")


async def _stop_under_load(base: str, process: subprocess.Popen[bytes], database_url: str) -> Drain:
    """SIGTERM while IN_FLIGHT requests wait on a lock; probe; release; collect."""
    engine = engine_for(database_url)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(engine.dispose)
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
            for _ in range(CLIENTS)
        ]
        probes = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=5))
            for _ in range(PROBES)
        ]
        for probe in probes:
            assert (await probe.get(PROBE_PATH)).status_code == 404  # connection now idle
        lock = await stack.enter_async_context(engine.connect())
        await lock.execute(text("LOCK TABLE article IN ACCESS EXCLUSIVE MODE"))
        requests = [
            asyncio.create_task(clients[n % CLIENTS].post("/graphql", json={"query": QUERY}))
            for n in range(IN_FLIGHT)
        ]
        await asyncio.sleep(1)
        assert not any(request.done() for request in requests), "all wait on the lock"

        process.send_signal(signal.SIGTERM)
        after = await asyncio.gather(*(_probe_until_refused(probe) for probe in probes))
        await lock.rollback()  # release: the requests in flight go on and finish
        return Drain(list(await asyncio.gather(*requests)), list(after))


def _assert_every_request_finished(drain: Drain) -> None:
    """All of them, with their data: none cut, none failed."""
    assert len(drain.in_flight) == IN_FLIGHT
    for response in drain.in_flight:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body
        (article,) = body["data"]["articles"]["nodes"]
        assert article["source"]["disclaimer"]["heading"] == "Risk Warning"


def _assert_finished_while_shutting_down(log: str) -> None:
    """The server had every request in hand when it began to shut down."""
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    messages = [record["message"] for record in records]
    finished = [
        index
        for index, record in enumerate(records)
        if record["message"] == "request" and record["path"] == "/graphql"
    ]
    assert len(finished) == IN_FLIGHT
    assert messages.index("Shutting down") < min(finished)


@pytest.mark.slow
def test_sigterm_under_load_finishes_every_request_refuses_new_ones_and_stops_postgres(
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    with embedded_data_dir() as data_dir:
        env = {"NEWSGRAPH_DATA_DIR": str(data_dir), "NEWSGRAPH_POOL_SIZE": "1"}
        with serving(env, log) as (base, process):
            pid_file = (data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()
            postmaster = psutil.Process(int(pid_file[0]))
            url = f"postgresql://postgres@/newsgraph?host={pid_file[4]}"
            drain = asyncio.run(_stop_under_load(base, process, url))
            process.wait(timeout=60)
        assert process.returncode == 0, log.read_text()
        _assert_every_request_finished(drain)
        _assert_finished_while_shutting_down(log.read_text())
        for seen in drain.after_sigterm:
            # nothing sent after the signal is served: a 503, or no connection at all
            assert all(outcome == "503" or not outcome.isdigit() for outcome in seen), seen
        assert not (data_dir / "pgdata" / "postmaster.pid").exists()
        postmaster.wait(timeout=10)  # raises if the embedded server still runs


@pytest.mark.slow
def test_each_worker_drains_itself(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    env = {"NEWSGRAPH_DATABASE_URL": database_url, "NEWSGRAPH_POOL_SIZE": "1"}
    with serving(env, log, "--workers", "2") as (base, process):
        drain = asyncio.run(_stop_under_load(base, process, database_url))
        process.wait(timeout=60)
    assert process.returncode == 0, log.read_text()
    _assert_every_request_finished(drain)
    for seen in drain.after_sigterm:
        assert all(outcome in {"404", "503"} or not outcome.isdigit() for outcome in seen), seen
        # served until its worker hears of the signal (the supervisor relays it within
        # half a second), then refused for good
        served = [outcome == "404" for outcome in seen]
        assert served == sorted(served, reverse=True), seen
    assert any("503" in seen for seen in drain.after_sigterm), drain.after_sigterm
