"""Every check a request passes before its first SQL statement, as one schema extension.

Parse: the document is parsed once per distinct text (bounded cache) and refused above
`max_tokens`. Validate: its shape (depth, aliases, directives) is checked before the
GraphQL rules run, so an abusive document gets one error rather than one per alias; the
rules' verdicts are cached per document, and identical errors are reported once.
Execute: a mutation needs the `write` scope, the node estimate must stay within
`max_nodes`, and the caller's rate budget pays the query's cost. Limits come from the
request's settings, so one schema serves differently configured apps.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    parse,
    specified_rules,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from newsgraph.access.scopes import Scope
from newsgraph.errors import InputError
from newsgraph.limits.cost import estimate
from newsgraph.limits.rate import RateLimiter
from newsgraph.limits.shape import measure
from newsgraph.resolvers.context import RequestContext
from newsgraph.settings import Settings

__all__ = ["Guards", "coded_error"]

# Parsing and validating the same document again costs more than executing a small
# query; both caches are bounded so a stream of distinct documents cannot grow them.
CACHE_SIZE = 1024
_PUBLIC_RULES = (*specified_rules, NoSchemaIntrospectionCustomRule)


def coded_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    """A GraphQL error that already carries its `extensions.code`."""
    return GraphQLError(message, extensions={"code": code, **extensions})


@lru_cache(maxsize=CACHE_SIZE)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


@lru_cache(maxsize=CACHE_SIZE)
def _validate(schema: GraphQLSchema, document: DocumentNode, public: bool) -> list[GraphQLError]:
    errors = validate(schema, document, _PUBLIC_RULES if public else specified_rules)
    return _once_each(errors)


def _once_each(errors: list[GraphQLError]) -> list[GraphQLError]:
    """One error per distinct message, with the locations of all its repeats."""
    by_message: dict[str, list[GraphQLError]] = {}
    for error in errors:
        by_message.setdefault(error.message, []).append(error)
    return [
        repeats[0]
        if len(repeats) == 1
        else GraphQLError(message, nodes=[node for e in repeats for node in e.nodes or ()])
        for message, repeats in by_message.items()
    ]


# Documents come from the bounded parse cache, one object per distinct text, so a
# repeated query is measured once (nodes hash by identity).
_measure = lru_cache(maxsize=CACHE_SIZE)(measure)


def _shape_errors(document: DocumentNode, settings: Settings) -> list[GraphQLError]:
    shape = _measure(document)
    checks = (
        ("depth", shape.depth, settings.max_depth, "NEWSGRAPH_MAX_DEPTH", "nests"),
        ("aliases", shape.aliases, settings.max_aliases, "NEWSGRAPH_MAX_ALIASES", "has"),
        (
            "directives",
            shape.directives,
            settings.max_directives,
            "NEWSGRAPH_MAX_DIRECTIVES",
            "has",
        ),
    )
    for what, value, limit, variable, verb in checks:
        if value > limit:
            amount = f"{value} levels deep" if what == "depth" else f"{value} {what}"
            return [
                coded_error(
                    f"the document {verb} {amount}; the limit is {limit} ({variable})",
                    "QUERY_TOO_COMPLEX",
                    limit=limit,
                    actual=value,
                )
            ]
    return []


class Guards(SchemaExtension):
    """Parse and validate with limits and caches; gate execution on scope, size and rate."""

    @property
    def _context(self) -> RequestContext:
        context = self.execution_context.context
        assert isinstance(context, RequestContext), "newsgraph runs with a RequestContext"
        return context

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        if execution_context.query is not None:
            max_tokens = self._context.settings.max_tokens
            try:
                execution_context.graphql_document = _parse(execution_context.query, max_tokens)
            except GraphQLSyntaxError as error:
                if "tokens" not in error.message or "Parsing aborted" not in error.message:
                    raise
                raise coded_error(
                    f"the document has more than {max_tokens} tokens (NEWSGRAPH_MAX_TOKENS): "
                    "send a smaller query",
                    "QUERY_TOO_COMPLEX",
                    limit=max_tokens,
                ) from None
        yield

    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        document = execution_context.graphql_document
        assert document is not None
        settings = self._context.settings
        execution_context.pre_execution_errors = _shape_errors(document, settings) or _validate(
            execution_context.schema._schema, document, settings.public
        )
        yield

    def on_execute(self) -> Iterator[None]:
        error = self._refusal()
        if error is not None:
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
        yield

    def _refusal(self) -> GraphQLError | None:
        """Why this operation may not run (None: it may)."""
        execution_context = self.execution_context
        context = self._context
        settings = context.settings
        if execution_context.operation_type == OperationType.MUTATION and not context.caller.may(
            Scope.WRITE
        ):
            if context.caller.authenticated:
                return coded_error(
                    f"API key {context.caller.key_name!r} may only read: mutations need a key "
                    "with the write scope (`newsgraph keys create --scope write`)",
                    "FORBIDDEN",
                )
            return coded_error(
                "mutations need an API key with the write scope: send "
                "`Authorization: Bearer <key>` (`newsgraph keys create --scope write`)",
                "UNAUTHENTICATED",
            )
        assert execution_context.graphql_document is not None
        try:
            found = estimate(
                execution_context.schema._schema,
                execution_context.graphql_document,
                execution_context.operation_name,
                execution_context.variables,
            )
        except InputError as error:
            return coded_error(str(error), "BAD_USER_INPUT")
        if found.nodes > settings.max_nodes:
            return coded_error(
                f"the query may return up to {found.nodes:,} nodes; the limit is "
                f"{settings.max_nodes:,} (NEWSGRAPH_MAX_NODES): ask for smaller pages",
                "QUERY_TOO_COMPLEX",
                limit=settings.max_nodes,
                actual=found.nodes,
            )
        limiter = context.rate_limiter
        wait = limiter.spend(context.caller.client, found.cost) if limiter else None
        if wait is not None:
            retry_after = RateLimiter.retry_after(wait)
            return coded_error(
                f"rate limit exceeded: this query costs {found.cost} points and the budget is "
                f"{settings.rate_limit} points per minute; retry in {retry_after} s",
                "RATE_LIMITED",
                retryAfter=retry_after,
                cost=found.cost,
            )
        return None
