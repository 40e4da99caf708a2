"""Every GraphQL error leaves with `extensions.code`; internal details stay inside.

`ErrorCodes` codes each error from the one table in `newsgraph.errors`: errors raised on
purpose (`InputError`, `AuthenticationError`, the limits' `QueryTooComplexError`, ...)
keep their message and get their code and extensions; database failures are first
turned into what they mean for a client (`db.failures.as_newsgraph_error`); parse and
validation errors get `GRAPHQL_PARSE_FAILED` and `GRAPHQL_VALIDATION_FAILED`. A document
over a limit gets only that error (not one more per alias or directive), and identical
validation errors are reported once, with all their locations.

`MaskInternalErrors` is Strawberry's `MaskErrors` for what is left, the bugs: logged with
the request id the client sees, answered "Unexpected error." outside debug mode.

`OperationChoice` refuses a document holding several operations when the request does
not name one: the GraphQL spec requires it, and Strawberry would run the first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from strawberry.extensions import MaskErrors, SchemaExtension

from newsgraph.db.failures import as_newsgraph_error
from newsgraph.errors import NewsgraphError, QueryTooComplexError, RequestError, answer_for
from newsgraph.limits.rules import token_limit_reached
from newsgraph.resolvers.context import RequestContext

__all__ = [
    "ErrorCodes",
    "MaskInternalErrors",
    "OperationChoice",
    "coded",
    "graphql_error",
    "with_code",
]

logger = logging.getLogger("newsgraph.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL"


def graphql_error(error: NewsgraphError, *, nodes: Any = None, path: Any = None) -> GraphQLError:
    """A GraphQL error standing for `error` (`ErrorCodes` codes it)."""
    return GraphQLError(str(error), nodes=nodes, path=path, original_error=error)


def with_code(error: GraphQLError) -> GraphQLError:
    """A copy of `error` with its code: validation errors come from a cache shared by
    every request, so they are never changed in place."""
    original = error.original_error
    extra: dict[str, Any] = {}
    if original is not None:
        code = answer_for(original).code
        if isinstance(original, NewsgraphError):
            extra = dict(original.extensions)
    elif error.path is not None:
        code = INTERNAL  # raised by execution itself: a null in a non-null field
    elif isinstance(error, GraphQLSyntaxError):
        code = PARSE_FAILED
    else:
        code = VALIDATION_FAILED  # the document, or the variables, do not fit the schema
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions={"code": code, **extra, **(error.extensions or {})},
    )


def _translated(error: GraphQLError, max_tokens: int, query: str | None) -> GraphQLError:
    """`error` with its cause as the typed error it means, when it means one."""
    original = error.original_error
    if original is None:
        if query is not None and token_limit_reached(query, max_tokens, error):
            limit = QueryTooComplexError(
                f"the document has more than {max_tokens} tokens (NEWSGRAPH_MAX_TOKENS): "
                "send a smaller query",
                limit=max_tokens,
            )
            return GraphQLError(str(limit), nodes=error.nodes, original_error=limit)
        return error
    typed = as_newsgraph_error(original)
    if typed is None or typed is original:
        return error
    return GraphQLError(str(typed), nodes=error.nodes, path=error.path, original_error=typed)


def _once_each(errors: list[GraphQLError]) -> list[GraphQLError]:
    """One validation error per distinct message, with the locations of all its repeats."""
    by_message: dict[str, list[GraphQLError]] = {}
    for error in errors:
        by_message.setdefault(error.message, []).append(error)
    return [
        repeats[0]
        if len(repeats) == 1
        else GraphQLError(message, nodes=[node for e in repeats for node in e.nodes or ()])
        for message, repeats in by_message.items()
    ]


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` (and the error's own extensions) to every error."""

    def __init__(self, *, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = coded(result.errors, self.max_tokens, self.execution_context.query)


def coded(errors: list[GraphQLError], max_tokens: int, query: str | None) -> list[GraphQLError]:
    """The errors of one result as a client gets them, each with its code."""
    errors = [_translated(error, max_tokens, query) for error in errors]
    limits = [e for e in errors if isinstance(e.original_error, QueryTooComplexError)]
    if limits:
        errors = limits[:1]
    elif all(e.original_error is None for e in errors):
        errors = _once_each(errors)
    return [with_code(error) for error in errors]


class MaskInternalErrors(MaskErrors):
    """Strawberry's masking for errors nobody raised on purpose: the client gets a
    request id, the log gets the traceback under the same id."""

    def __init__(self, *, debug: bool, max_tokens: int) -> None:
        super().__init__(should_mask_error=_is_internal)
        self.debug = debug
        self.max_tokens = max_tokens

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """A subscription's results leave one by one, before `ErrorCodes` sees the
        operation end: each is coded here, then masked."""
        if getattr(result, "errors", None):
            result.errors = coded(result.errors, self.max_tokens, self.execution_context.query)
        yield from super().on_stream_result(result)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = context.request_id if isinstance(context, RequestContext) else None
        original = error.original_error
        logger.error(
            "resolver failed",
            exc_info=(type(original), original, original.__traceback__) if original else None,
            extra={"request_id": request_id, "path": error.path},
        )
        message = str(original) if self.debug and original else self.error_message
        return GraphQLError(
            message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": INTERNAL, "request_id": request_id},
        )


def _is_internal(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") == INTERNAL


class OperationChoice(SchemaExtension):
    """Refuses a document with several operations and no `operationName`."""

    def on_operation(self) -> Iterator[None]:
        # Before parsing, `operation_name` is the name the request gave (or None).
        self.named = self.execution_context.operation_name is not None
        yield

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and not self.named:
            names = [
                d.name.value if d.name else "(anonymous)"
                for d in document.definitions
                if isinstance(d, OperationDefinitionNode)
            ]
            if len(names) > 1:
                refusal = RequestError(
                    f"the document holds {len(names)} operations ({', '.join(names)}): "
                    "pass `operationName` to say which one to run"
                )
                self.execution_context.pre_execution_errors = [graphql_error(refusal)]
        yield
