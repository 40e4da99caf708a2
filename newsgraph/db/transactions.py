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
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.base import WRITER_SETTING
from newsgraph.db.failures import RETRYABLE_SQLSTATES, sqlstate

__all__ = ["ATTEMPTS", "write_transaction"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 8
# The pause before attempt n is random in [0, min(_PAUSE_S * 2**n, _MAX_PAUSE_S)):
# colliding writers spread out instead of colliding again in step.
_PAUSE_S = 0.01
_MAX_PAUSE_S = 0.5


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
    if session.in_transaction():
        await session.rollback()  # a request's reads so far; a write starts clean
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with session.begin():
                if writer_key_id is not None:
                    await session.execute(
                        select(func.set_config(WRITER_SETTING, str(writer_key_id), True))
                    )
                return await work(session)
        except DBAPIError as exc:
            state = sqlstate(exc)
            if state not in RETRYABLE_SQLSTATES or attempt == ATTEMPTS:
                raise
            logger.info("retrying a write after a conflict", extra={"sqlstate": state})
            session.expunge_all()
            await asyncio.sleep(random.uniform(0, min(_PAUSE_S * 2**attempt, _MAX_PAUSE_S)))
    raise AssertionError("unreachable: the last attempt returns or raises")
