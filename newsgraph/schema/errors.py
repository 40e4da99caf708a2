"""Every GraphQL error leaves with `extensions.code`; internal details stay inside.

Errors newsgraph raises on purpose (`InputError` and its kin) keep their message and get
`BAD_USER_INPUT`; parse and validation errors keep theirs too (`GRAPHQL_VALIDATION_FAILED`).
Anything else is a bug or an outage: it is logged with a request id and, unless debug is
on, the client sees only "Unexpected error." with that id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from newsgraph.errors import InputError, PermissionDeniedError

__all__ = ["ErrorCodes"]

logger = logging.getLogger("newsgraph.graphql")


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error and masks unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        settings = getattr(self.execution_context.context, "settings", None)
        debug = bool(getattr(settings, "debug", False))
        result.errors = [self._coded(error, debug) for error in result.errors]

    def _coded(self, error: GraphQLError, debug: bool) -> GraphQLError:
        original = error.original_error
        if original is None:
            return _with_code(error, "GRAPHQL_VALIDATION_FAILED")
        if isinstance(original, InputError):
            return _with_code(error, "BAD_USER_INPUT")
        if isinstance(original, PermissionDeniedError):
            return _with_code(error, "FORBIDDEN")
        if isinstance(original, GraphQLError):
            return _with_code(error, "BAD_USER_INPUT")
        request_id = uuid.uuid4().hex[:16]
        logger.error(
            "resolver failed",
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id, "path": error.path},
        )
        message = str(original) if debug else "Unexpected error."
        masked = GraphQLError(message, nodes=error.nodes, path=error.path, original_error=None)
        return _with_code(masked, "INTERNAL", request_id=request_id)


def _with_code(error: GraphQLError, code: str, **extra: str) -> GraphQLError:
    extensions = dict(error.extensions or {})
    extensions.setdefault("code", code)
    extensions.update(extra)
    error.extensions = extensions
    return error
