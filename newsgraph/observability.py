"""Per-request measurements: how many SQL statements a request sent, and how long it took.

The engine's `before_cursor_execute` event increments the counter of the request
that is current in this context (a `ContextVar`), so concurrent requests never mix.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestLogMiddleware", "StatementCounter", "count_statements", "use_counter"]

logger = logging.getLogger("newsgraph.request")


@dataclass
class StatementCounter:
    """SQL statements sent so far in one unit of work."""

    statements: int = 0


_current: ContextVar[StatementCounter | None] = ContextVar("newsgraph_statements", default=None)


def _count(*_: Any) -> None:
    counter = _current.get()
    if counter is not None:
        counter.statements += 1


def count_statements(engine: AsyncEngine) -> None:
    """Make `engine` report every statement to the current request's counter (once)."""
    if not event.contains(engine.sync_engine, "before_cursor_execute", _count):
        event.listen(engine.sync_engine, "before_cursor_execute", _count)


@contextmanager
def use_counter(counter: StatementCounter) -> Iterator[StatementCounter]:
    """Count the statements sent inside the block (outside any HTTP request)."""
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)


class RequestLogMiddleware:
    """One structured log line per HTTP request: method, path, status, duration, SQL count,
    and the caller (an API key's name, or the client address) once it is known."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with use_counter(StatementCounter()) as counter:
            try:
                await self.app(scope, receive, send_with_status)
            finally:
                logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "sql_statements": counter.statements,
                        "client": scope["client"][0] if scope.get("client") else None,
                        "caller": scope.get("state", {}).get("caller"),
                    },
                )
