"""The short path: a known operation answered by its statement, without Strawberry's
per-request machinery.

An operation the whole pipeline once accepted and compiled (`compile.known`) has nothing
left to check but what depends on the request's values: its variables (coerced by
graphql-core, as always), its node estimate and page sizes, the caller's rate budget.
Those are checked here by the same functions the schema's extensions use, the statement
runs, and the JSON PostgreSQL built is the answer. Whatever is not plainly fine (a page
size out of range, an invalid variable, a value the resolvers would refuse) goes the long
way, where the error is worded as always; the answers of both ways are the same. With
tracing on, every request goes the long way, so that its GraphQL spans are recorded.
"""

from __future__ import annotations

from strawberry.types import ExecutionResult

from newsgraph.compile.executor import run_statement, statement_for
from newsgraph.errors import QueryTooComplexError, RateLimitedError
from newsgraph.limits.budget import charge, sized
from newsgraph.limits.cost import PageSizeError
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import NewsgraphSchema
from newsgraph.schema.errors import graphql_error, with_code

__all__ = ["Shortcut"]


class Shortcut:
    """Answers known operations of `schema` directly."""

    def __init__(self, schema: NewsgraphSchema) -> None:
        self.schema = schema
        self.enabled = not schema.settings.otel

    async def answer(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
        context: RequestContext,
    ) -> ExecutionResult | None:
        """The operation's result, or None when it must go the long way."""
        known = self.schema.known.get(query, operation_name) if self.enabled else None
        if known is None:
            return None
        graphql_schema = self.schema.graphql_schema
        found = statement_for(
            graphql_schema,
            self.schema.statements,
            query,
            known.document,
            known.operation,
            variables,
        )
        if found is None:
            return None
        name = known.operation.name.value if known.operation.name else None
        try:
            estimate = sized(
                graphql_schema,
                known.document,
                name,
                variables,
                max_nodes=self.schema.settings.max_nodes,
            )
        except (PageSizeError, QueryTooComplexError):
            return None
        try:
            charge(context.rate_limiter, context.caller.client, estimate)
        except RateLimitedError as refusal:
            return ExecutionResult(data=None, errors=[with_code(graphql_error(refusal))])
        context.charged = True
        result = await run_statement(*found, context)
        if result is None:
            return None
        if result.errors:
            result.errors = [with_code(error) for error in result.errors]
        disclaimers = context.compiled_disclaimers
        result.extensions = {} if disclaimers is None else {"disclaimers": disclaimers}
        return result
