"""The document limits as validation rules, coded so that clients can tell them apart.

Strawberry brings the depth and alias limits (`QueryDepthLimiter`, `MaxAliasesLimiter`)
and the token limit (`MaxTokensLimiter`, enforced by the parser). What it lacks is filled
here: a limit on directives (`max_directives_rule`), `QUERY_TOO_COMPLEX` codes on the
errors of Strawberry's rules (`coded_limit`), and telling the token limit's syntax error
from a plain syntax error (`token_limit_reached`) without reading its message.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    Lexer,
    Source,
    TokenKind,
    TypeInfo,
    ValidationContext,
    ValidationRule,
    Visitor,
    visit,
)

from newsgraph.errors import QueryTooComplexError

__all__ = ["coded_limit", "max_directives_rule", "token_limit_reached"]


def _too_complex(message: str, limit: int, nodes: Any = None, actual: int | None = None) -> Any:
    return GraphQLError(
        message,
        nodes=nodes,
        original_error=QueryTooComplexError(message, limit=limit, actual=actual),
    )


def coded_limit(
    rule: type[ASTValidationRule], *, limit: int, setting: str, advice: str
) -> type[ValidationRule]:
    """`rule` (one of Strawberry's limit rules) with errors that carry their code, the
    setting behind the limit and what to do.

    The wrapped rule sees a validation context of its own whose errors are re-raised
    through this rule's context, coded; it receives every visitor event this rule does,
    so it works whether it checks in its constructor or while the document is visited.
    """

    class CodedLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.inner: ASTValidationRule | None = None
            if not _fragments_defined(context.document):
                return  # Strawberry's rules fail on them; validation reports them anyway

            def report(error: GraphQLError) -> None:
                message = f"{error.message} ({setting}): {advice}"
                context.report_error(_too_complex(message, limit, error.nodes))

            own = ValidationContext(
                context.schema, context.document, TypeInfo(context.schema), report
            )
            self.inner = rule(own)

        def get_enter_leave_for_kind(self, kind: str) -> Any:
            if self.inner is None:
                return super().get_enter_leave_for_kind(kind)
            return self.inner.get_enter_leave_for_kind(kind)

    CodedLimit.__name__ = f"Coded{rule.__name__}"
    return CodedLimit


def _fragments_defined(document: DocumentNode) -> bool:
    """Whether every fragment spread names a fragment the document defines."""
    defined: set[str] = set()
    spread: set[str] = set()

    class Names(Visitor):
        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: object) -> None:
            defined.add(node.name.value)

        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
            spread.add(node.name.value)

    visit(document, Names())
    return spread <= defined


def max_directives_rule(limit: int) -> type[ValidationRule]:
    """A rule refusing documents with more than `limit` directives, with one error for
    the whole document (not one per directive)."""

    class MaxDirectives(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            self.count += 1

        def leave_document(self, node: DocumentNode, *_: object) -> None:
            if self.count > limit:
                self.report_error(
                    _too_complex(
                        f"the document has {self.count} directives; the limit is {limit} "
                        "(NEWSGRAPH_MAX_DIRECTIVES)",
                        limit,
                        actual=self.count,
                    )
                )

    return MaxDirectives


def token_limit_reached(source: str, max_tokens: int, error: GraphQLError) -> bool:
    """Whether the syntax error `error` is the parser stopping at `max_tokens`.

    The parser counts every token it consumes, comments included, and stops at the one
    beyond the limit; a syntax error at or after where that token starts is the limit.
    """
    if not isinstance(error, GraphQLSyntaxError) or not error.positions:
        return False
    beyond = _start_of_token(source, max_tokens + 1)
    return beyond is not None and min(error.positions) >= beyond


def _start_of_token(source: str, number: int) -> int | None:
    """Where token `number` (1-based, comments counted) starts; None when there are fewer
    or the text stops lexing earlier."""
    lexer = Lexer(Source(source))
    counted = 0
    try:
        while True:
            previous = lexer.token
            token = lexer.advance()
            skipped = previous.next
            while skipped is not None and skipped is not token:  # comments between them
                counted += 1
                if counted == number:
                    return skipped.start
                skipped = skipped.next
            if token.kind is TokenKind.EOF:
                return None
            counted += 1
            if counted == number:
                return token.start
    except GraphQLSyntaxError:
        return None
