"""The listener: one LISTEN connection per process, reading the change log and fanning
each change out to the subscriptions of this process.

However many clients subscribe, a process holds one connection that listens (plain
asyncpg, as the bulk import uses: SQLAlchemy's pool has no use for a connection that
waits) and loads each batch's rows once, in one statement per topic, and evaluates each
distinct filter once per batch. Subscribers get the rows in memory.

Notifications only wake the listener; what it delivers comes from the log, from the
position it last read. So a lost notification, a lost connection or a restarted
PostgreSQL lose nothing: it reconnects (with backoff), LISTENs again, then reads from
where it was. A poll every `POLL_S` covers a notification that never came (the
transaction that held newer changes back rolled back).

It starts with the first subscription, not with the app: a process nobody subscribes
to opens no connection for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.background import Background
from newsgraph.db.driver import connect
from newsgraph.errors import TooManySubscriptionsError, UnavailableError
from newsgraph.live import log
from newsgraph.live.positions import Position
from newsgraph.live.rows import load_rows, matching_ids
from newsgraph.live.subscribers import Delivery, Subscriber
from newsgraph.resolvers.filters import BoundFilter

__all__ = ["ChangeFeed"]

logger = logging.getLogger("newsgraph.live")

# Seconds between reads when no notification comes, and while newer changes wait on an
# older transaction (which may end by a rollback, without a notification).
POLL_S = 1.0
HELD_POLL_S = 0.05
BATCH = 500
MAX_BACKOFF_S = 5.0
START_TIMEOUT_S = 10.0
# how the listening connection shows in pg_stat_activity
APPLICATION_NAME = "newsgraph listener"


class ChangeFeed:
    """Reads the change log on one listening connection and fans changes out."""

    def __init__(
        self,
        url: str,
        sessions: Callable[[], AsyncSession],
        *,
        retention: float,
        max_subscribers: int,
        queue_limit: int,
    ) -> None:
        self.url = url
        self.sessions = sessions
        self.retention = retention
        self.max_subscribers = max_subscribers
        self.queue_limit = queue_limit
        self.position: Position | None = None
        self.connects = 0  # how many times the listener connected (reconnects + 1)
        self._subscribers: dict[tuple[str, int | None], set[Subscriber]] = {}
        self._count = 0
        self._wake = asyncio.Event()
        self._started = asyncio.Event()
        self._dispatching = asyncio.Lock()
        self._background = Background("newsgraph change feed")

    @property
    def subscribers(self) -> int:
        """Subscriptions this process runs now."""
        return self._count

    async def start(self) -> None:
        """Connects and learns where the log ends, once; later calls return at once."""
        self._background.start(self._run)
        await self._started.wait()

    async def stop(self) -> None:
        """Stops listening (subscriptions still open wait for nothing more)."""
        await self._background.stop()

    @asynccontextmanager
    async def subscribe(
        self, topic: str, *, bound: BoundFilter | None = None, entity_id: int | None = None
    ) -> AsyncIterator[Subscriber]:
        """Registers a subscriber for the block; it receives every change after its
        `start`, the position the feed had read to when it registered."""
        if self._count >= self.max_subscribers:
            raise TooManySubscriptionsError(
                f"this server process runs {self.max_subscribers} subscriptions already "
                "(NEWSGRAPH_SUBSCRIPTIONS_PER_PROCESS): retry later or on another process",
                limit=self.max_subscribers,
            )
        subscriber = Subscriber(topic, self.queue_limit, bound=bound, entity_id=entity_id)
        key = (topic, entity_id)
        self._count += 1
        try:
            try:
                async with asyncio.timeout(START_TIMEOUT_S):
                    await self.start()
            except TimeoutError:
                raise UnavailableError(
                    "subscriptions are unavailable: the change feed cannot reach the "
                    "database; retry in a few seconds"
                ) from None
            async with self._dispatching:  # between two batches: none is half delivered
                assert self.position is not None
                subscriber.start = self.position
                self._subscribers.setdefault(key, set()).add(subscriber)
            yield subscriber
        finally:
            self._count -= 1
            group = self._subscribers.get(key)
            if group is not None:
                group.discard(subscriber)
                if not group:
                    del self._subscribers[key]

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                connection = await connect(self.url, application_name=APPLICATION_NAME)
            except Exception as exc:
                logger.warning("change feed cannot connect (%s); retrying", type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            try:
                await self._listen(connection)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "change feed lost its connection (%s); reconnecting", type(exc).__name__
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
            finally:
                with suppress(Exception):
                    await asyncio.shield(connection.close(timeout=1))

    async def _listen(self, connection: Any) -> None:
        await connection.add_listener(log.CHANNEL, self._notified)
        connection.add_termination_listener(self._notified)
        self.connects += 1
        if self.position is None:
            self.position = await log.tail(connection)
            self._started.set()
        while True:
            self._wake.clear()
            held = await self._read(connection)
            if connection.is_closed():
                raise ConnectionError("the listening connection closed")
            with suppress(TimeoutError):
                async with asyncio.timeout(HELD_POLL_S if held else POLL_S):
                    await self._wake.wait()

    async def _read(self, connection: Any) -> bool:
        """Delivers everything readable after the position; whether more is held back."""
        while True:
            assert self.position is not None
            changes, held = await log.read_finished(connection, self.position, BATCH)
            if changes:
                await self._dispatch(changes)
            if len(changes) < BATCH:
                return held

    async def _dispatch(self, changes: list[log.Change]) -> None:
        """Loads the rows subscribers want once, then pushes to each; the position moves
        past the batch only when all of it was pushed."""
        async with self._dispatching:
            wanted = [
                change
                for change in log.coalesced(changes)
                if self._subscribers.get((change.topic, None))
                or self._subscribers.get((change.topic, change.entity_id))
            ]
            if wanted:
                rows, passed = await self._load(wanted)
                for change in wanted:
                    row = rows[change.topic].get(change.entity_id)
                    if row is None and change.topic != "event":
                        continue  # deleted since: there is nothing left to show
                    delivery = Delivery(change.position, change.op, row)
                    for key in ((change.topic, None), (change.topic, change.entity_id)):
                        for subscriber in self._subscribers.get(key, ()):
                            bound = subscriber.bound
                            if bound is None or change.entity_id in passed[(change.topic, bound)]:
                                subscriber.push(delivery)
            self.position = changes[-1].position

    async def _load(
        self, changes: list[log.Change]
    ) -> tuple[dict[str, dict[int, Any]], dict[tuple[str, BoundFilter], set[int]]]:
        ids: dict[str, set[int]] = {}
        for change in changes:
            ids.setdefault(change.topic, set()).add(change.entity_id)
        # taken before any await: a subscription may end meanwhile
        filters = {
            (topic, subscriber.bound)
            for (topic, _), group in self._subscribers.items()
            for subscriber in group
            if subscriber.bound is not None and topic in ids
        }
        async with self.sessions() as session:
            rows = {
                topic: await load_rows(session, topic=topic, ids=topic_ids)
                for topic, topic_ids in ids.items()
            }
            passed: dict[tuple[str, BoundFilter], set[int]] = {}
            for topic in ids:
                bounds = [bound for of, bound in filters if of == topic and bound is not None]
                found = await matching_ids(session, topic=topic, ids=ids[topic], bounds=bounds)
                passed |= {
                    (topic, bound): row_ids for bound, row_ids in zip(bounds, found, strict=True)
                }
        for topic in ids:
            rows.setdefault(topic, {})
        return rows, passed
