"""Who may call what: a mutation needs the `write` scope, checked before execution.

The check is on the operation, not on each mutation field: a field's permission runs
only after its arguments are coerced, so an anonymous mutation with a malformed ID was
answered as bad input (200) instead of being refused (401), and it would have been
charged to the rate budget first.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import OperationType, get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from newsgraph.access.scopes import Caller, Scope
from newsgraph.errors import AuthenticationError, NewsgraphError, PermissionDeniedError
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema.errors import graphql_error

__all__ = ["WriteScope", "write_refusal"]


def write_refusal(caller: Caller) -> NewsgraphError | None:
    """Why `caller` may not write (no key: 401; a key that may only read: 403), if so."""
    if caller.may(Scope.WRITE):
        return None
    if caller.authenticated:
        return PermissionDeniedError(
            f"API key {caller.key_name!r} may only read: mutations need a key with the "
            "write scope (`newsgraph keys create --scope write`)"
        )
    return AuthenticationError(
        "mutations need an API key with the write scope: send "
        "`Authorization: Bearer <key>` (`newsgraph keys create --scope write`)"
    )


class WriteScope(SchemaExtension):
    """Refuses a mutation whose caller lacks the write scope; no resolver runs."""

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        document = execution_context.graphql_document
        operation = (
            None
            if document is None
            else get_operation_ast(document, execution_context.operation_name)
        )
        if (
            operation is not None
            and operation.operation is OperationType.MUTATION
            and isinstance(context, RequestContext)
        ):
            refusal = write_refusal(context.caller)
            if refusal is not None:
                # located at the mutation fields it refuses, as a field's own error would be
                fields = list(operation.selection_set.selections)
                execution_context.result = ExecutionResult(
                    data=None, errors=[graphql_error(refusal, nodes=fields)]
                )
        yield
