"""One subscription's place in the listener's fan-out: what it wants and a bounded queue.

The listener pushes without ever waiting for a subscriber, so one slow client cannot
hold up the others; a subscriber whose queue is full is marked overflowed, its queue
dropped, and its subscription ends with `SUBSCRIBER_TOO_SLOW` at its next read, naming
the cursor to resume from. Memory per subscriber stays bounded by the queue's length.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from newsgraph.errors import SubscriberTooSlowError
from newsgraph.live.positions import START, Position
from newsgraph.resolvers.filters import BoundFilter

__all__ = ["Delivery", "Subscriber", "too_slow"]


def too_slow(limit: int, after: str | None) -> SubscriberTooSlowError:
    """The error that ends a subscriber whose queue of `limit` messages overflowed;
    `after`: the cursor of the last message it received, to resume from."""
    return SubscriberTooSlowError(
        f"this subscription fell {limit} messages behind (NEWSGRAPH_SUBSCRIPTION_QUEUE) "
        "and was ended: subscribe again with `after` set to the last cursor received",
        limit=limit,
        after=after,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message's worth: the change's position, and its row (None: deleted).

    One object goes to every subscriber of the change: `shared` holds what they can
    compute once for all (the disclaimers of the same reached rows).
    """

    position: Position
    op: str
    row: Any
    shared: dict[Any, Any] = field(default_factory=dict, compare=False)


@dataclass(eq=False, slots=True)
class Subscriber:
    """What one subscription wants (a topic; one entity, or a filter) and what waits
    for it. `start` is the listener's position when it registered: everything after it
    reaches the queue."""

    topic: str
    limit: int
    bound: BoundFilter | None = None
    entity_id: int | None = None
    start: Position = START
    delivered: Position | None = None
    overflowed: bool = False
    _queue: deque[Delivery] = field(default_factory=deque)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, delivery: Delivery) -> None:
        """Queue a message, or mark the subscriber overflowed when its queue is full."""
        if self.overflowed:
            return
        if len(self._queue) >= self.limit:
            self.overflowed = True
            self._queue.clear()
        else:
            self._queue.append(delivery)
        self._ready.set()

    async def next(self) -> Delivery:
        """The next message, waiting for one; raises once the queue overflowed."""
        while not self._queue:
            if self.overflowed:
                raise too_slow(self.limit, self.delivered.cursor if self.delivered else None)
            self._ready.clear()
            await self._ready.wait()
        delivery = self._queue.popleft()
        self.delivered = delivery.position
        return delivery
