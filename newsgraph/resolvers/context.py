"""The per-request context: one database session, used by one statement at a time.

Strawberry resolves sibling fields concurrently, but an `AsyncSession` must never run
two statements at once. Every statement of a request therefore goes through
`RequestContext.run`, which holds a lock for its duration. DataLoaders live here too,
built per request so no data ever leaks from one request into another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.settings import Settings

__all__ = ["RequestContext", "build_context"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class RequestContext:
    """What every resolver of one request shares."""

    session: AsyncSession
    settings: Settings
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: dict[Any, Any] = field(default_factory=dict)

    async def run(
        self,
        query: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run a query function on the request's session, never beside another one."""
        async with self.lock:
            return await query(self.session, *args, **kwargs)


def build_context(session: AsyncSession, settings: Settings | None = None) -> RequestContext:
    """A context over your own session, for `newsgraph.schema.execute(..., context_value=)`."""
    return RequestContext(session=session, settings=settings or Settings(database_url=None))
