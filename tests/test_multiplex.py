"""Shared subscriptions: one execution per distinct document, results to every member,
each member with its own bounded queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from strawberry.types import ExecutionResult

from newsgraph.http.multiplex import Multiplexer, shared_key

SUBSCRIPTION = "subscription { articleAdded { cursor node { id } } }"


class Source:
    """An execution: results put in by the test; counts starts and closes."""

    def __init__(self) -> None:
        self.results: asyncio.Queue[Any] = asyncio.Queue()
        self.started = 0
        self.closed = 0

    async def start(self) -> AsyncGenerator[Any, None]:
        self.started += 1
        return self._stream()

    async def _stream(self) -> AsyncGenerator[Any, None]:
        try:
            while True:
                yield await self.results.get()
        finally:
            self.closed += 1


def result(n: int) -> ExecutionResult:
    return ExecutionResult(
        data={"articleAdded": {"cursor": f"c{n}", "node": {"id": n}}}, errors=None
    )


async def test_members_share_one_execution() -> None:
    source = Source()
    mux = Multiplexer(queue_limit=10)
    key = shared_key(SUBSCRIPTION, None, None)
    first = mux.join(key, source.start)
    second = mux.join(key, source.start)
    waiting = [asyncio.ensure_future(anext(first)), asyncio.ensure_future(anext(second))]
    await asyncio.sleep(0)
    source.results.put_nowait(result(1))
    got = await asyncio.gather(*waiting)
    assert got[0] is got[1]
    assert source.started == 1
    assert mux.groups == 1
    await first.aclose()
    assert source.closed == 0  # the other member still runs it
    await second.aclose()
    await asyncio.sleep(0)
    assert source.closed == 1
    assert mux.groups == 0


async def test_a_slow_member_is_ended_alone() -> None:
    source = Source()
    mux = Multiplexer(queue_limit=2)
    key = shared_key(SUBSCRIPTION, None, None)
    slow = mux.join(key, source.start)
    quick = mux.join(key, source.start)
    got = []
    for n in range(1, 5):  # the quick one reads each result as it comes
        waiting = asyncio.ensure_future(anext(quick))
        await asyncio.sleep(0)
        source.results.put_nowait(result(n))
        got.append(await waiting)
    assert [r.data["articleAdded"]["cursor"] for r in got] == ["c1", "c2", "c3", "c4"]
    ended = await anext(slow)  # it never read: three results did not fit in two places
    assert ended.data is None
    (error,) = ended.errors
    assert error.extensions == {"code": "SUBSCRIBER_TOO_SLOW", "limit": 2}
    await slow.aclose()
    await quick.aclose()


def test_what_is_shared() -> None:
    assert shared_key(SUBSCRIPTION, {"a": 1, "b": 2}, None) == shared_key(
        SUBSCRIPTION, {"b": 2, "a": 1}, None
    )
    assert shared_key(SUBSCRIPTION, {"a": 1}, None) != shared_key(SUBSCRIPTION, {"a": 2}, None)
    resuming = "subscription ($c: String) { articleAdded(after: $c) { cursor } }"
    assert shared_key(resuming, {"c": "x"}, None) is None
    assert shared_key(resuming, {"c": None}, None) is not None  # from now on: shared
    assert shared_key('subscription { articleAdded(after: "x") { cursor } }', None, None) is None
    nested = "subscription { articleAdded { node { claims(after: $c) { totalCount } } } }"
    assert shared_key(nested, {"c": "y"}, None) is not None  # a page's cursor, not a resume
    assert shared_key("{ articles { totalCount } }", None, None) is None
    assert shared_key("subscription {", None, None) is None
