"""`extensions.disclaimers`: every response carries the disclaimers of the sources it used.

Resolvers note each row they hand out (`RequestContext.reach`); after execution this
extension finds, in one statement, the distinct sources behind those rows and adds one
entry per source to the response: `{source: {id, name, domain}, heading, text}`, in
source order. A frontend that renders any of the data holds the disclaimers with it,
whether or not the query asked for a disclaimer field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from strawberry import relay
from strawberry.extensions import SchemaExtension

from newsgraph.db.provenance import sources_behind
from newsgraph.resolvers.context import RequestContext

__all__ = ["Disclaimers"]


class Disclaimers(SchemaExtension):
    """Adds the disclaimers of every source a response reached to its extensions."""

    entries: Any = None  # a list of entries, or the compiled statement's JSON

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, RequestContext) and context.compiled:
            self.entries = context.compiled_disclaimers  # built by the compiled statement
            return
        if not isinstance(context, RequestContext) or not context.reached:
            self.entries = None
            return
        reached = context.reached
        rows = await context.run(
            sources_behind,
            source_ids=reached.source_ids,
            article_ids=reached.article_ids,
            claim_ids=reached.claim_ids,
            event_ids=reached.event_ids,
            actor_ids=reached.actor_ids,
        )
        self.entries = [
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

    def get_results(self) -> dict[str, Any]:
        return {"disclaimers": self.entries} if self.entries is not None else {}
