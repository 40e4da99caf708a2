"""The per-request context: one database session, used by one statement at a time.

Strawberry resolves sibling fields concurrently, but an `AsyncSession` must never run
two statements at once. Every statement of a request therefore goes through
`RequestContext.run`, which holds a lock for its duration. DataLoaders live here too,
built per request so no data ever leaks from one request into another, and so does the
record of which rows the response reached, from which its disclaimers are found.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.access.scopes import Caller
from newsgraph.db import models
from newsgraph.limits.rate import RateLimiter
from newsgraph.settings import Settings

if TYPE_CHECKING:  # the feed reads rows through this module: no import at run time
    from newsgraph.live.feed import ChangeFeed

__all__ = ["Reached", "RequestContext", "StatementReader", "build_context"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Reached:
    """The ids of the rows a response's data came from, by table."""

    source_ids: set[int] = field(default_factory=set)
    # a claim's id is not kept: its article's is (`sources_behind_sql`)
    article_ids: set[int] = field(default_factory=set)
    event_ids: set[int] = field(default_factory=set)
    actor_ids: set[int] = field(default_factory=set)

    def add(self, row: Any) -> None:
        """Note one row (of any model; rows that come from no source are ignored)."""
        match row:
            case models.Source():
                self.source_ids.add(row.id)
            case models.Article():
                self.article_ids.add(row.id)
            case models.Claim():
                self.article_ids.add(row.article_id)
            case models.Event():
                self.event_ids.add(row.id)
            case models.Actor():
                self.actor_ids.add(row.id)
            case models.EventParticipant():
                self.event_ids.add(row.event_id)

    def __bool__(self) -> bool:
        return any(vars(self).values())


class StatementReader(Protocol):
    """Runs a compiled read: its `data` JSON text and its disclaimers JSON text (or None).
    `newsgraph.compile.readers` has the one over HTTP (a pool of asyncpg connections).

    `isolated` says that a failed statement leaves nothing behind (no transaction of the
    request's), so the resolvers can still answer after it.
    """

    isolated: bool

    async def fetch(self, sql: str, arguments: list[Any]) -> tuple[str, str | None]: ...


@dataclass
class RequestContext:
    """What every resolver of one request shares.

    `reader` runs compiled reads (None: on the session); `raw_json` asks for their JSON
    unparsed, to splice into an HTTP body; `compiled` records that the compiled path
    answered, with `compiled_disclaimers` as the statement built them.
    """

    session: AsyncSession
    settings: Settings
    caller: Caller = field(default_factory=Caller.local)
    rate_limiter: RateLimiter | None = None
    # Names the request in the log and in an INTERNAL error's answer (and, over HTTP,
    # in the X-Request-ID response header).
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: dict[Any, Any] = field(default_factory=dict)
    reached: Reached = field(default_factory=Reached)
    reader: StatementReader | None = None
    raw_json: bool = False
    compiled: bool = False
    compiled_disclaimers: Any = None
    charged: bool = False  # the rate budget was charged already (by the short path)
    # the process's change listener, which subscriptions read (None: no subscriptions)
    feed: ChangeFeed | None = None
    # what the subscribers of one change share (its disclaimers by reached rows)
    shared: dict[Any, Any] | None = None
    # the read replica's sessions when this request reads there (`schema.routing`)
    read_sessions: Callable[[], AsyncSession] | None = None
    wrote: bool = False  # a mutation ran: the key's next reads go to the primary

    async def run(
        self,
        query: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run a query function on the request's session, never beside another one.

        A statement is never cancelled half-way: when an error nulls the response,
        graphql-core cancels the sibling resolvers, and a statement cancelled mid-way
        leaves the session's connection unusable for what still runs (the disclaimers).
        The cancelled resolver waits for its statement to end, then gives up.
        """
        async with self.lock:
            statement = asyncio.ensure_future(query(self.session, *args, **kwargs))
            try:
                return await asyncio.shield(statement)
            except asyncio.CancelledError:
                await asyncio.wait([statement])
                if not statement.cancelled():
                    statement.exception()  # the cancelled request takes its error with it
                raise

    async def renew(self) -> None:
        """Start afresh for a subscription's next message: the session gives its
        connection back, loaders forget what they read, nothing is reached yet."""
        async with self.lock:
            await self.session.close()
        self.loaders.clear()
        self.reached = Reached()

    def reach(self, rows: Iterable[Any]) -> None:
        """Note rows whose data goes into the response (for its disclaimers)."""
        for row in rows:
            if row is not None:
                self.reached.add(row)


def build_context(
    session: AsyncSession, settings: Settings | None = None, caller: Caller | None = None
) -> RequestContext:
    """A context over your own session, for `newsgraph.schema.execute(..., context_value=)`.

    Without `caller`, the code runs as `Caller.local()`: it may write, since it holds
    the database session already. No rate limit applies in-process.
    """
    return RequestContext(
        session=session, settings=settings or Settings(), caller=caller or Caller.local()
    )
