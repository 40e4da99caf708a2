"""What newsgraph relies on in Strawberry, checked directly so an upgrade fails here, loudly.

pyproject.toml bounds Strawberry to one minor release. Before widening the bound, run
this file against the new release: each test names the newsgraph code that depends on
the behaviour it checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version

import strawberry
from graphql import GraphQLError, ValidationRule
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionResult

from newsgraph.schema import make_schema
from newsgraph.settings import Settings

TESTED = "0.341."


@strawberry.type
class _Query:
    hello: str = "world"


def test_the_strawberry_release_is_the_one_tested() -> None:
    assert version("strawberry-graphql").startswith(TESTED), (
        "Strawberry changed: run tests/test_strawberry_contract.py and the whole suite "
        "against it, then move TESTED and the bound in pyproject.toml"
    )


def test_the_limit_extensions_expose_their_rules() -> None:
    """newsgraph.schema._validation_rules builds each rule once, from these attributes."""
    for extension in (QueryDepthLimiter(max_depth=3), MaxAliasesLimiter(max_alias_count=3)):
        (rule,) = extension.validation_rules
        assert issubclass(rule, ValidationRule)


def test_parser_cache_lets_a_syntax_error_escape_the_operation() -> None:
    """Why newsgraph.schema.parsing.ContainedParserCache exists: if Strawberry fixes this,
    the subclass can go."""
    seen: list[str] = []

    class Watch(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            try:
                yield
            except GraphQLError:
                seen.append("escaped")
                raise

    schema = strawberry.Schema(query=_Query, extensions=[Watch, ParserCache])
    result = schema.execute_sync("{ hello ")
    assert result.errors
    assert seen == ["escaped"]


async def test_newsgraph_codes_syntax_errors_inside_the_operation() -> None:
    result = await make_schema(Settings.defaults()).execute("{ hello ")
    (error,) = result.errors or []
    assert error.extensions == {"code": "GRAPHQL_PARSE_FAILED"}


def test_the_operation_name_before_parsing_is_the_requested_one() -> None:
    """newsgraph.schema.errors.OperationChoice reads it in `on_operation`."""
    names: list[str | None] = []

    class Record(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            names.append(self.execution_context.operation_name)
            yield

    schema = strawberry.Schema(query=_Query, extensions=[Record])
    schema.execute_sync("query A { hello } query B { hello }")
    schema.execute_sync("query A { hello } query B { hello }", operation_name="B")
    assert names == [None, "B"]


def test_a_result_set_before_execution_skips_it() -> None:
    """newsgraph.schema.budget.NodeBudget refuses this way."""
    resolved: list[str] = []

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self) -> str:
            resolved.append("hello")
            return "world"

    class Refuse(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            self.execution_context.result = ExecutionResult(data=None, errors=[GraphQLError("no")])
            yield

    result = strawberry.Schema(query=Query, extensions=[Refuse]).execute_sync("{ hello }")
    assert resolved == []
    assert [error.message for error in result.errors or []] == ["no"]


def test_mask_errors_calls_the_hooks_newsgraph_overrides() -> None:
    """newsgraph.schema.errors.MaskInternalErrors overrides `anonymise_error`."""

    class Mask(MaskErrors):
        def anonymise_error(self, error: GraphQLError) -> GraphQLError:
            return GraphQLError("masked", extensions={"code": "INTERNAL"})

    @strawberry.type
    class Query:
        @strawberry.field
        def boom(self) -> str:
            raise RuntimeError("secret")

    schema = strawberry.Schema(
        query=Query, extensions=[lambda: Mask(should_mask_error=lambda error: True)]
    )
    (error,) = schema.execute_sync("{ boom }").errors or []
    assert error.message == "masked"
