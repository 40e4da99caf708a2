"""Runs a query's resolvers on the read replica's session when its request reads from one
(`http.replicas`), and marks requests that ran a mutation, so that the key's next reads
go to the primary.

The compiled path needs nothing from here: its reader is chosen with the request's
context. Resolvers, the disclaimers' statement included, read `context.session`: for a
query it is swapped for a replica session for the time of execution, and the primary's
is back afterwards (the endpoint closes it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from newsgraph.resolvers.context import RequestContext

__all__ = ["ReadRouting"]


class ReadRouting(SchemaExtension):
    """A query's session on the replica (when the request reads there); a mutation noted."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        operation = self.execution_context.operation_type
        if not isinstance(context, RequestContext):
            yield
            return
        if operation is OperationType.MUTATION:
            context.wrote = True
            yield
            return
        if operation is not OperationType.QUERY or context.read_sessions is None:
            yield
            return
        primary = context.session
        context.session = context.read_sessions()
        try:
            yield
        finally:
            replica, context.session = context.session, primary
            await replica.close()
