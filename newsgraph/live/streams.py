"""A subscription's messages: what it missed (when it resumes with `after:`), then what
the listener pushes to it, each change once, in the log's order.

Resuming is exact. The subscriber registers with the listener first, at the listener's
position P; the stretch from `after` to P is then read from the log on the request's
session (the primary), and everything after P comes from the listener. A cursor ahead
of P (it came from a process whose listener was quicker) skips what the listener pushes
up to it. A cursor before the pruned horizon cannot be resumed: `CURSOR_EXPIRED`.

Each message starts afresh on the subscription's context (`RequestContext.renew`): no
loader serves a row read for an earlier message, the session gives its connection back
between messages, and the disclaimers are of what this message reached.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from newsgraph.errors import CursorExpiredError, SubscriptionError
from newsgraph.live import log
from newsgraph.live.positions import Position
from newsgraph.live.rows import load_rows, matching_ids
from newsgraph.live.subscribers import Delivery, Subscriber
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.filters import BoundFilter
from newsgraph.resolvers.loaders import prime

__all__ = ["messages"]


async def messages(
    context: RequestContext,
    topic: str,
    *,
    bound: BoundFilter | None = None,
    entity_id: int | None = None,
    after: str | None = None,
) -> AsyncIterator[Delivery]:
    """Every change of `topic` (of one entity, or through a filter) after `after` (else
    from now on), as the subscription's next message: its row primed and reached."""
    feed = context.feed
    if feed is None:
        raise SubscriptionError(
            "subscriptions are served by the newsgraph server (over /graphql), not in-process"
        )
    start = Position.from_cursor(after) if after is not None else None
    async with feed.subscribe(topic, bound=bound, entity_id=entity_id) as subscriber:
        if start is not None:
            expired = await context.run(log.horizon)
            if start < expired:
                raise CursorExpiredError(
                    f"`after`: the change log no longer holds what changed after this "
                    f"cursor (it keeps {feed.retention:g} s, NEWSGRAPH_CHANGE_RETENTION): "
                    "refetch the data, then subscribe without `after`"
                )
            async for delivery in _missed(context, subscriber, start):
                yield await _message(context, subscriber, delivery)
        while True:
            delivery = await subscriber.next()
            if start is not None and delivery.position <= start:
                continue
            yield await _message(context, subscriber, delivery)


async def _message(context: RequestContext, subscriber: Subscriber, delivery: Delivery) -> Delivery:
    await context.renew()
    context.shared = delivery.shared
    if delivery.row is not None:
        prime(context, [delivery.row])
    subscriber.delivered = delivery.position
    return delivery


async def _missed(
    context: RequestContext, subscriber: Subscriber, start: Position
) -> AsyncIterator[Delivery]:
    """The changes between `start` and where the listener took over, page by page."""
    after = start
    while after < subscriber.start:
        changes = await context.run(
            log.changes_between,
            topic=subscriber.topic,
            after=after,
            upto=subscriber.start,
            entity_id=subscriber.entity_id,
        )
        if not changes:
            return
        after = changes[-1].position
        wanted = log.coalesced(changes)
        ids = {change.entity_id for change in wanted}
        rows = await context.run(load_rows, topic=subscriber.topic, ids=ids)
        passed = (
            ids
            if subscriber.bound is None
            else (
                await context.run(
                    matching_ids, topic=subscriber.topic, ids=ids, bounds=[subscriber.bound]
                )
            )[0]
        )
        await context.renew()  # the session let go of its connection before any message
        for change in wanted:
            row = rows.get(change.entity_id)
            if change.entity_id not in passed or (row is None and change.topic != "event"):
                continue
            yield Delivery(change.position, change.op, row)
