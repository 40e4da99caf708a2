"""One write = one transaction, run again when it lost a race with another writer.

Concurrent writers can collide: two ingests insert the same actor (a unique violation),
two merges lock the same rows in different orders (a deadlock), a merge deletes an actor
an ingest was about to reference (a foreign-key violation). Each is resolved by running
the whole transaction again after a short, jittered, growing pause; any other error, or a race
lost `ATTEMPTS` times, propagates and nothing of the transaction remains.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from newsgraph.db.failures import RETRYABLE_SQLSTATES, sqlstate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["ATTEMPTS", "retrying", "write_transaction"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 8
# The pause before attempt n is random in [0, min(_PAUSE_S * 2**n, _MAX_PAUSE_S)):
# colliding writers spread out instead of colliding again in step.
_PAUSE_S = 0.01
_MAX_PAUSE_S = 0.5


async def retrying(attempt: Callable[[], Awaitable[T]], *, before_retry: Callable[[], None]) -> T:
    """Run `attempt` (one whole transaction) until it does not lose a race, `ATTEMPTS` times."""
    for number in range(1, ATTEMPTS + 1):
        try:
            return await attempt()
        except Exception as exc:  # from SQLAlchemy, from asyncpg, or a stale read of ours
            state = sqlstate(exc)
            if state not in RETRYABLE_SQLSTATES or number == ATTEMPTS:
                raise
            logger.info("retrying a write after a conflict", extra={"sqlstate": state})
            before_retry()
            await asyncio.sleep(random.uniform(0, min(_PAUSE_S * 2**number, _MAX_PAUSE_S)))
    raise AssertionError("unreachable: the last attempt returns or raises")


async def write_transaction(
    session: AsyncSession,
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    writer_key_id: int | None = None,
) -> T:
    """Run `work` in a transaction of its own, committed when it returns.

    `writer_key_id` is the API key the rows are stamped with (`WrittenBy`); None leaves
    the stamp empty, as for the command line.
    """
    from sqlalchemy import func, select

    from newsgraph.db.base import WRITER_SETTING

    if session.in_transaction():
        await session.rollback()  # a request's reads so far; a write starts clean

    async def attempt() -> T:
        async with session.begin():
            if writer_key_id is not None:
                await session.execute(
                    select(func.set_config(WRITER_SETTING, str(writer_key_id), True))
                )
            return await work(session)

    return await retrying(attempt, before_retry=session.expunge_all)
