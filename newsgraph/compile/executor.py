"""The compiled read path, as the schema extension that answers a query before the
resolvers would.

It runs after every check (limits, validation, the node estimate and the rate budget):
when the operation is a query the compiler can answer, its statement (cached per shape)
is filled with the request's values and run, and its result becomes the operation's
result, so graphql-core's execution is skipped. Over HTTP the JSON PostgreSQL built is
handed on as it is (`orjson.Fragment`), spliced into the response body unparsed;
in-process it is parsed, so `schema.execute` returns the same `data` either way.

Anything the compiler does not answer, or that the resolvers would answer with an error
(a malformed ID, a foreign cursor, an invalid variable), falls back to the resolver path
for the whole operation: both paths answer every query the same, errors included. A
statement that fails for a reason the client should hear (a timeout, the database gone)
is answered with that error.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from newsgraph.compile.arguments import shape_of
from newsgraph.compile.known import KnownOperations
from newsgraph.compile.readers import SessionReader
from newsgraph.compile.statements import CompiledStatement, StatementCache
from newsgraph.compile.values import NotCompilableError
from newsgraph.db.failures import as_newsgraph_error
from newsgraph.errors import InputError, answer_for
from newsgraph.resolvers.context import RequestContext

__all__ = ["CompiledReads", "run_statement", "statement_for"]

logger = logging.getLogger("newsgraph.compile")


class CompiledReads(SchemaExtension):
    """Answers compilable queries with one SQL statement each, and remembers the
    operations it answered (`KnownOperations`) for the short path."""

    def __init__(
        self, graphql_schema: GraphQLSchema, cache: StatementCache, known: KnownOperations
    ) -> None:
        self.graphql_schema = graphql_schema
        self.cache = cache
        self.known = known

    def on_operation(self) -> Iterator[None]:
        # Before parsing, `operation_name` is the name the request gave (or None).
        self.requested = self.execution_context.operation_name
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        document = execution_context.graphql_document
        if (
            execution_context.result is None
            and isinstance(context, RequestContext)
            and document is not None
            and execution_context.operation_type is OperationType.QUERY
        ):
            operation = get_operation_ast(document, execution_context.operation_name)
            found = None
            if operation is not None:
                found = statement_for(
                    self.graphql_schema,
                    self.cache,
                    execution_context.query,
                    document,
                    operation,
                    execution_context.variables,
                )
            if found is not None and operation is not None:
                result = await run_statement(*found, context)
                if result is not None:
                    execution_context.result = result
                    if context.compiled:
                        self.known.remember(
                            execution_context.query, self.requested, document, operation
                        )
        yield


def statement_for(
    graphql_schema: GraphQLSchema,
    cache: StatementCache,
    query: str | None,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    raw_variables: dict[str, Any] | None,
) -> tuple[CompiledStatement, dict[str, Any]] | None:
    """The statement answering `operation` for these variables, and the variables as
    coerced; None when the resolvers answer (invalid variables, nothing compilable)."""
    definitions = operation.variable_definitions or ()
    coerced = get_variable_values(graphql_schema, definitions, raw_variables or {})
    if isinstance(coerced, list):  # the resolvers report invalid variables
        return None
    shape = tuple(
        shape_of(
            coerced.coerced.get(d.variable.name.value),
            coerced.sources[d.variable.name.value].signature.type,
        )
        for d in definitions
    )
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    name = operation.name.value if operation.name else None
    try:
        statement = cache.get((query, name, shape), graphql_schema, fragments, operation, coerced)
    except NotCompilableError:
        return None
    return statement, coerced.coerced


async def run_statement(
    statement: CompiledStatement, variables: dict[str, Any], context: RequestContext
) -> ExecutionResult | None:
    """The operation's result from its statement; None when the resolvers should answer
    (a value they refuse, or, on an isolated connection, an unexpected failure)."""
    try:
        arguments = statement.arguments(variables)
    except (InputError, NotCompilableError):
        return None  # the resolvers word the refusal
    reader = context.reader or SessionReader(context.session, context.lock)
    try:
        data, disclaimers = await reader.fetch(statement.sql, arguments)
    except Exception as exc:
        typed = as_newsgraph_error(exc)
        if typed is not None and answer_for(typed).request_error:
            return _failed(typed)
        if not reader.isolated:  # the session's transaction is aborted: nothing to fall back on
            return _failed(typed or exc)
        if typed is None:
            logger.warning(
                "a compiled read failed; the resolvers answer instead",
                exc_info=exc,
                extra={"request_id": context.request_id},
            )
        return None
    context.compiled = True
    if context.raw_json:
        context.compiled_disclaimers = orjson.Fragment(disclaimers) if disclaimers else None
        return ExecutionResult(data=orjson.Fragment(data), errors=None)  # type: ignore[arg-type]
    context.compiled_disclaimers = orjson.loads(disclaimers) if disclaimers else None
    return ExecutionResult(data=orjson.loads(data), errors=None)


def _failed(error: Exception) -> ExecutionResult:
    """The operation's result when its statement failed (coded and masked as any error)."""
    return ExecutionResult(data=None, errors=[GraphQLError(str(error), original_error=error)])
