"""`extensions.disclaimers`: every response carries the disclaimers of the sources it used.

Resolvers note each row they hand out (`RequestContext.reach`); after execution this
extension finds, in one statement, the distinct sources behind those rows and adds one
entry per source that has a disclaimer to the response: `{source: {id, name, domain},
heading, text}`, in source id order (`db.provenance.sources_behind`, whose SQL the
compiled path runs inside its statement, so both paths list the same entries). An entry
has the `Disclaimer` type's shape: `text` is never null, a source without a disclaimer
has none. A frontend that renders any of the data holds the disclaimers with it,
whether or not the query asked for a disclaimer field.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from newsgraph.db.provenance import sources_behind
from newsgraph.resolvers.context import RequestContext

__all__ = ["Disclaimers"]


class Disclaimers(SchemaExtension):
    """Adds the disclaimers of every source a response reached to its extensions.

    A subscription sends many results from one execution: each message gets the
    disclaimers of what it reached (its context starts each message with nothing
    reached, `RequestContext.renew`), found when its result is assembled.
    """

    entries: Any = None  # a list of entries, or the compiled statement's JSON
    streaming = False  # a subscription: entries are found per message

    async def on_execute(self) -> AsyncIterator[None]:
        self.streaming = self.execution_context.operation_type is OperationType.SUBSCRIPTION
        yield
        if self.streaming:
            return
        context = self.execution_context.context
        if isinstance(context, RequestContext) and context.compiled:
            self.entries = context.compiled_disclaimers  # built by the compiled statement
            return
        self.entries = await _entries(context)

    async def get_results(self) -> dict[str, Any]:
        if self.streaming:
            self.entries = await _shared_entries(self.execution_context.context)
        return {"disclaimers": self.entries} if self.entries is not None else {}


async def _shared_entries(context: object) -> list[dict[str, Any]] | None:
    """A subscription message's entries, found once for every subscriber of the same
    change that reached the same rows (they read the same committed data)."""
    if not isinstance(context, RequestContext) or context.shared is None or not context.reached:
        return await _entries(context)
    reached = context.reached
    key = tuple(frozenset(ids) for ids in vars(reached).values())
    found = context.shared.get(key)
    if found is None:
        found = context.shared[key] = asyncio.ensure_future(_entries(context))
    return await asyncio.shield(found)


async def _entries(context: object) -> list[dict[str, Any]] | None:
    """The entries for what `context` reached (None when it reached nothing)."""
    if not isinstance(context, RequestContext) or not context.reached:
        return None
    reached = context.reached
    rows = await context.run(
        sources_behind,
        source_ids=reached.source_ids,
        article_ids=reached.article_ids,
        event_ids=reached.event_ids,
        actor_ids=reached.actor_ids,
    )
    return [
        {
            "source": {
                "id": str(relay.GlobalID("Source", str(row.source_id))),
                "name": row.name,
                "domain": row.domain,
            },
            "heading": row.heading,
            "text": row.text,
        }
        for row in rows
    ]
