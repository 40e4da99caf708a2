"""Per-request measurements: how many SQL statements a request sent, and how long it took.

The engine's `before_cursor_execute` event increments the counter of the request
that is current in this context (a `ContextVar`), so concurrent requests never mix.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
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


# A request id a client or a proxy sent along is kept when it is short and plain, so
# that one id follows a request through every log; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if _REQUEST_ID.match(given):
                return given
    return uuid.uuid4().hex[:16]


class RequestLogMiddleware:
    """One structured log line per HTTP request: method, path, status, duration, SQL count,
    the caller (an API key's name, or the client address) once it is known, and the
    request id, which the response carries as `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
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
                        "caller": scope["state"].get("caller"),
                        "operation": scope["state"].get("operation"),
                        "outcome": scope["state"].get("outcome"),
                        "request_id": request_id,
                    },
                )
