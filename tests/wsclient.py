"""A small graphql-transport-ws client for the subscription tests (the protocol of the
`graphql-ws` library Apollo Client and urql use)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class GraphQLWebSocket:
    """One connection: `subscribe` sends an operation, `receive` the next message of it."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self._ids = itertools.count(1)
        self._queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            message = orjson.loads(raw)
            if message["type"] == "ping":
                await self.socket.send(orjson.dumps({"type": "pong"}).decode())
            elif "id" in message:
                self._queues.setdefault(message["id"], asyncio.Queue()).put_nowait(message)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """Starts an operation; its id."""
        operation = str(next(self._ids))
        self._queues.setdefault(operation, asyncio.Queue())
        payload = {"query": query, "variables": variables or {}}
        await self.socket.send(
            orjson.dumps({"id": operation, "type": "subscribe", "payload": payload}).decode()
        )
        return operation

    async def receive(self, operation: str) -> dict[str, Any]:
        """The operation's next message (`next`, `error` or `complete`), within 20 s."""
        async with asyncio.timeout(20):
            return await self._queues[operation].get()

    async def payloads(self, operation: str, count: int) -> list[dict[str, Any]]:
        """The payloads of the operation's next `count` messages, all `next`."""
        found = []
        for _ in range(count):
            message = await self.receive(operation)
            assert message["type"] == "next", message
            found.append(message["payload"])
        return found

    async def complete(self, operation: str) -> None:
        """Ends an operation from the client's side."""
        await self.socket.send(orjson.dumps({"id": operation, "type": "complete"}).decode())

    def pending(self, operation: str) -> int:
        """Messages of the operation received and not read yet."""
        return self._queues[operation].qsize()


@asynccontextmanager
async def graphql_ws(
    url: str, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[GraphQLWebSocket]:
    """A connection to `url` (http:// or ws://), initialised with `payload`."""
    ws_url = url.replace("http://", "ws://", 1)
    async with connect(ws_url, subprotocols=[PROTOCOL], additional_headers=headers) as socket:  # type: ignore[list-item]
        await socket.send(
            orjson.dumps({"type": "connection_init", "payload": payload or {}}).decode()
        )
        ack = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        client = GraphQLWebSocket(socket)
        try:
            yield client
        finally:
            client._reader.cancel()
