"""Per-request measurements: how many SQL statements a request sent, and how long it took.

The engine's `before_cursor_execute` event increments the counter of the request
that is current in this context (a `ContextVar`), so concurrent requests never mix.
Each request is measured once, into a `RequestRecord` that the log line is written
from and that observers (the Prometheus metrics, `newsgraph.metrics`) receive as is, so
the log and the metrics never disagree about a request.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import Pool, QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "PoolUsage",
    "PoolWatch",
    "RequestLogMiddleware",
    "RequestObserver",
    "RequestRecord",
    "StatementCounter",
    "count_statement",
    "count_statements",
    "use_counter",
]

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


def count_statement() -> None:
    """Count one statement sent past SQLAlchemy (a compiled read on asyncpg)."""
    _count()


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


@dataclass(frozen=True)
class PoolUsage:
    """The connection pool at one moment. `in_use`, `idle` and `size` are None for a pool
    that keeps no connections (a `NullPool` an embedding application passed in)."""

    in_use: int | None
    idle: int | None
    size: int | None
    waiting: int


class PoolWatch:
    """Counts the sessions waiting for a database connection, and reads the pool's own
    counts when asked.

    SQLAlchemy's pool says how many connections are checked out but not how many callers
    wait for one. A session asks the pool for its connection right after it begins its
    transaction, and SQLAlchemy reports both moments as public session events:
    `after_transaction_create` (a root transaction, no connection yet) and `after_begin`
    (the connection is there). Between the two a session waits: for a free connection,
    or while a new one is opened and a pooled one is pinged. (A transaction begun
    explicitly, `session.begin()`, counts from there to its first statement, which in
    newsgraph's code follows at once.) The events are registered on a session class of
    this watch's own, so several apps in one process never mix.
    """

    def __init__(self) -> None:
        # weak: a session dropped without being closed must not be counted forever
        self._waiting: weakref.WeakSet[SessionTransaction] = weakref.WeakSet()
        self._pool: Pool | None = None

    def watch(
        self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> async_sessionmaker[AsyncSession]:
        """Make `sessionmaker`'s sessions report their wait; `engine` is the pool to read."""
        self._pool = engine.pool
        watched = type("WatchedSession", (Session,), {"__doc__": "A session whose wait counts."})
        event.listen(watched, "after_transaction_create", self._transaction_created)
        event.listen(watched, "after_begin", self._connected)
        event.listen(watched, "after_transaction_end", self._transaction_ended)
        sessionmaker.configure(sync_session_class=watched)
        return sessionmaker

    def usage(self) -> PoolUsage:
        """The pool's counts now (zeros before the engine started)."""
        pool = self._pool
        if pool is None:
            return PoolUsage(in_use=0, idle=0, size=0, waiting=0)
        if isinstance(pool, QueuePool):
            return PoolUsage(
                in_use=pool.checkedout(),
                idle=pool.checkedin(),
                size=pool.size(),
                waiting=len(self._waiting),
            )
        return PoolUsage(in_use=None, idle=None, size=None, waiting=len(self._waiting))

    def _transaction_created(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # savepoints and subtransactions reuse the connection
            self._waiting.add(transaction)

    def _connected(self, session: Session, transaction: SessionTransaction, *_: Any) -> None:
        self._waiting.discard(transaction)

    def _transaction_ended(self, session: Session, transaction: SessionTransaction) -> None:
        self._waiting.discard(transaction)  # it never needed a connection, or failed to get one


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


@dataclass(frozen=True)
class RequestRecord:
    """What became of one HTTP request.

    `operation`, `outcome` and `caller` are what the endpoint recorded in the request's
    state (None where it recorded nothing, e.g. a refusal of the transport rules);
    `route_path` is the path inside this app (without the prefix it is mounted under).
    """

    method: str
    path: str
    route_path: str
    status: int
    duration_s: float
    sql_statements: int
    client: str | None
    caller: str | None
    operation: str | None
    outcome: str | None
    request_id: str


RequestObserver = Callable[[RequestRecord], None]


def _route_path(scope: Scope) -> str:
    """The path inside the app: a mount's prefix (`root_path`) taken off where present."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


class RequestLogMiddleware:
    """One structured log line per HTTP request: method, path, status, duration, SQL count,
    the caller (an API key's name, or the client address) once it is known, and the
    request id, which the response carries as `X-Request-ID`. `observers` receive the
    same measurements (`RequestRecord`) once the request is over."""

    def __init__(self, app: ASGIApp, *, observers: Sequence[RequestObserver] = ()) -> None:
        self.app = app
        self.observers = tuple(observers)

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
                state = scope["state"]
                record = RequestRecord(
                    method=scope["method"],
                    path=scope["path"],
                    route_path=_route_path(scope),
                    status=status,
                    duration_s=time.perf_counter() - started,
                    sql_statements=counter.statements,
                    client=scope["client"][0] if scope.get("client") else None,
                    caller=state.get("caller"),
                    operation=state.get("operation"),
                    outcome=state.get("outcome"),
                    request_id=request_id,
                )
                logger.info(
                    "request",
                    extra={
                        "method": record.method,
                        "path": record.path,
                        "status": record.status,
                        "duration_ms": round(record.duration_s * 1000, 2),
                        "sql_statements": record.sql_statements,
                        "client": record.client,
                        "caller": record.caller,
                        "operation": record.operation,
                        "outcome": record.outcome,
                        "request_id": record.request_id,
                    },
                )
                for observe in self.observers:
                    observe(record)
