"""Every GraphQL error leaves with `extensions.code`; internal details stay inside.

Errors newsgraph raises on purpose (`InputError` and its kin) keep their message and get
`BAD_USER_INPUT`, `UNAUTHENTICATED` or `FORBIDDEN`; parse and validation errors keep
theirs too (`GRAPHQL_VALIDATION_FAILED`), as do errors coded where they were raised
(the guards' `QUERY_TOO_COMPLEX`, `RATE_LIMITED`). A database that cannot be reached
is `SERVICE_UNAVAILABLE`, a statement past `statement_timeout` is `TIMEOUT`: the HTTP
layer turns both into statuses a client can retry on. Anything else is a bug: it is
logged with a request id and, unless debug is on, the client sees only
"Unexpected error." with that id. On a public server, "Did you mean …?" suggestions are
cut from every message, so error messages do not reveal the schema.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from newsgraph.db.failures import (
    RETRYABLE_SQLSTATES,
    database_message,
    is_invalid_value,
    is_timeout,
    is_unavailable,
    sqlstate,
)
from newsgraph.errors import AuthenticationError, InputError, PermissionDeniedError

__all__ = ["ErrorCodes"]

logger = logging.getLogger("newsgraph.graphql")

_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")
_DELIBERATE = (
    (InputError, "BAD_USER_INPUT"),
    (AuthenticationError, "UNAUTHENTICATED"),
    (PermissionDeniedError, "FORBIDDEN"),
    (GraphQLError, "BAD_USER_INPUT"),
)


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error and masks unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        settings = getattr(self.execution_context.context, "settings", None)
        debug = bool(getattr(settings, "debug", False))
        public = bool(getattr(settings, "public", False))
        result.errors = [self._coded(error, debug) for error in result.errors]
        if public:
            for error in result.errors:
                error.message = _SUGGESTION.sub("", error.message)

    def _coded(self, error: GraphQLError, debug: bool) -> GraphQLError:
        original = error.original_error
        if original is None:
            return _with_code(error, "GRAPHQL_VALIDATION_FAILED")
        for kind, code in _DELIBERATE:
            if isinstance(original, kind):
                return _with_code(error, code)
        if is_timeout(original):
            return _replaced(
                error,
                "a database statement ran longer than the statement timeout "
                "(NEWSGRAPH_STATEMENT_TIMEOUT): ask for less, or narrow the filter",
                "TIMEOUT",
            )
        if is_invalid_value(original):
            return _replaced(
                error, f"PostgreSQL refused a value: {database_message(original)}", "BAD_USER_INPUT"
            )
        if sqlstate(original) in RETRYABLE_SQLSTATES:  # still colliding after every retry
            return _replaced(
                error,
                "the write kept colliding with concurrent writes to the same rows; "
                "nothing was written: send it again",
                "CONFLICT",
            )
        if is_unavailable(original):
            logger.warning(
                "database unavailable", extra={"error": f"{type(original).__name__}: {original}"}
            )
            return _replaced(
                error, "the database is unavailable; retry in a few seconds", "SERVICE_UNAVAILABLE"
            )
        request_id = uuid.uuid4().hex[:16]
        logger.error(
            "resolver failed",
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id, "path": error.path},
        )
        message = str(original) if debug else "Unexpected error."
        masked = GraphQLError(message, nodes=error.nodes, path=error.path, original_error=None)
        return _with_code(masked, "INTERNAL", request_id=request_id)


def _replaced(error: GraphQLError, message: str, code: str) -> GraphQLError:
    replaced = GraphQLError(message, nodes=error.nodes, path=error.path, original_error=None)
    return _with_code(replaced, code)


def _with_code(error: GraphQLError, code: str, **extra: str) -> GraphQLError:
    extensions = dict(error.extensions or {})
    extensions.setdefault("code", code)
    extensions.update(extra)
    error.extensions = extensions
    return error
