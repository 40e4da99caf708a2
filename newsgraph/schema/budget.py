"""The node estimate and the rate budget: the one check Strawberry has no extension for.

Before execution, the operation's node estimate (`limits.cost`, GitHub's sum over every
connection) must stay within `max_nodes`, and the caller's rate budget pays its cost
(one point per hundred nodes). A page size out of range is found here too, so that no
SQL runs for it; its error points at the field, like any other input error.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from newsgraph.errors import QueryTooComplexError, RateLimitedError
from newsgraph.limits.cost import PageSizeError, estimate
from newsgraph.limits.rate import RateLimiter
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema.errors import graphql_error
from newsgraph.settings import Settings

__all__ = ["NodeBudget"]


class NodeBudget(SchemaExtension):
    """Refuses, before any SQL, an operation too large for `max_nodes` or for the
    caller's remaining rate budget."""

    def __init__(self, settings: Settings, graphql_schema: GraphQLSchema) -> None:
        self.settings = settings
        self.graphql_schema = graphql_schema

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        refusal = self._refusal()
        if refusal is not None:
            execution_context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    def _refusal(self) -> GraphQLError | None:
        execution_context = self.execution_context
        assert execution_context.graphql_document is not None
        try:
            found = estimate(
                self.graphql_schema,
                execution_context.graphql_document,
                execution_context.operation_name,
                execution_context.variables,
            )
        except PageSizeError as error:
            return graphql_error(error, nodes=[error.node], path=error.path)
        max_nodes = self.settings.max_nodes
        if found.nodes > max_nodes:
            return graphql_error(
                QueryTooComplexError(
                    f"the query may return up to {found.nodes:,} nodes; the limit is "
                    f"{max_nodes:,} (NEWSGRAPH_MAX_NODES): ask for smaller pages",
                    limit=max_nodes,
                    actual=found.nodes,
                )
            )
        context = execution_context.context
        limiter = context.rate_limiter if isinstance(context, RequestContext) else None
        if limiter is None:
            return None
        assert isinstance(context, RequestContext)
        wait = limiter.spend(context.caller.client, found.cost)
        if wait is None:
            return None
        retry_after = RateLimiter.retry_after(wait)
        return graphql_error(
            RateLimitedError(
                f"rate limit exceeded: this query costs {found.cost} points and the budget is "
                f"{limiter.per_minute} points per minute; retry in {retry_after} s",
                retry_after=retry_after,
                cost=found.cost,
            )
        )
