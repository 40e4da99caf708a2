"""Strawberry's `ParserCache`, with syntax errors kept inside the operation.

`ParserCache` parses in its `on_parse` hook, outside the `try` in which Strawberry turns a
syntax error into a result; the error then escapes every `on_operation` hook, so it
leaves uncoded and past the masking. Here a document that does not parse is left to
Strawberry's own parse, which reports the same error as a result, inside the operation.
Only failing documents are parsed twice; the token limit bounds how long that takes.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import ParserCache

__all__ = ["ContainedParserCache"]


class ContainedParserCache(ParserCache):
    """Caches parsed documents; a syntax error is reported by Strawberry's parse."""

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        try:
            execution_context.graphql_document = self.cached_parse_document(
                execution_context.query, **execution_context.parse_options
            )
        except GraphQLError:
            execution_context.graphql_document = None
        yield
