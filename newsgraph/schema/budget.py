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
from strawberry.types.graphql import OperationType

from newsgraph.errors import QueryTooComplexError, RateLimitedError
from newsgraph.limits.budget import charge, sized
from newsgraph.limits.cost import PageSizeError
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
        if execution_context.result is not None:  # an earlier check refused it
            yield
            return
        refusal = self._refusal()
        if refusal is not None:
            if execution_context.operation_type is OperationType.SUBSCRIPTION:
                # Strawberry starts a subscription whatever `result` says; an error
                # raised here is its answer instead
                raise refusal
            execution_context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    def _refusal(self) -> GraphQLError | None:
        execution_context = self.execution_context
        assert execution_context.graphql_document is not None
        context = execution_context.context
        try:
            found = sized(
                self.graphql_schema,
                execution_context.graphql_document,
                execution_context.operation_name,
                execution_context.variables,
                max_nodes=self.settings.max_nodes,
            )
            if isinstance(context, RequestContext) and not context.charged:
                charge(context.rate_limiter, context.caller.client, found)
        except PageSizeError as error:
            return graphql_error(error, nodes=[error.node], path=error.path)
        except (QueryTooComplexError, RateLimitedError) as error:
            return graphql_error(error)
        return None
