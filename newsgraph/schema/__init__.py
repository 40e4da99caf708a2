"""The GraphQL schema: types, inputs, connections, and their assembly from settings.

`make_schema(settings)` builds a schema whose limits, caches, introspection and error
masking are Strawberry's own extensions configured from `settings`; only what Strawberry
lacks is newsgraph's (the directive limit, the node estimate and rate budget, error codes,
the disclaimers). `create_app` builds one per app.

For library users this module also stands for the schema built from default settings:
`newsgraph.schema.execute(...)` works as on any Strawberry schema. It is built on first
use (module `__getattr__`), so importing newsgraph builds nothing and reads no environment.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Any

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLScalarType,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    build_schema,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.scalar import ScalarDefinition

from newsgraph.compile.executor import CompiledReads
from newsgraph.compile.known import KnownOperations
from newsgraph.compile.statements import StatementCache
from newsgraph.limits.rules import coded_limit, max_directives_rule
from newsgraph.schema.actors import Actor
from newsgraph.schema.articles import Article
from newsgraph.schema.budget import NodeBudget
from newsgraph.schema.claims import Claim
from newsgraph.schema.disclaimers import Disclaimers
from newsgraph.schema.errors import ErrorCodes, MaskInternalErrors, OperationChoice
from newsgraph.schema.events import Event
from newsgraph.schema.mutations import Mutation
from newsgraph.schema.parsing import ContainedParserCache
from newsgraph.schema.permissions import WriteScope
from newsgraph.schema.query import Query
from newsgraph.schema.routing import ReadRouting
from newsgraph.schema.sources import Source
from newsgraph.schema.subscription import Subscription
from newsgraph.settings import Executor, Settings
from newsgraph.tracing import tracing_extensions

__all__ = ["NewsgraphSchema", "default_schema", "make_schema"]

# Parsing and validating a document again costs more than executing a small query; both
# caches are bounded so that a stream of distinct documents cannot grow them.
CACHE_SIZE = 1024


class NewsgraphSchema(strawberry.Schema):
    """A Strawberry schema that knows the settings it was built from."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self.settings = settings
        # the compiled read path's statements, and the operations known to compile
        self.statements = StatementCache(CACHE_SIZE)
        self.known = KnownOperations(CACHE_SIZE)
        super().__init__(**kwargs)

    @cached_property
    def graphql_schema(self) -> GraphQLSchema:
        """The schema as graphql-core types, for code that plans from the document (the
        node estimate, the compiler): built from the printed SDL, Strawberry's public form
        of it, then taught Strawberry's scalars and enums, so that arguments and variables
        coerce to the same values the resolvers receive."""
        built = build_schema(self.as_str())
        for name, named in built.type_map.items():
            definition = self.get_type_by_name(name)
            if isinstance(named, GraphQLScalarType) and isinstance(definition, ScalarDefinition):
                if definition.parse_value is not None:
                    named.parse_value = definition.parse_value  # type: ignore[method-assign,assignment]
                    named.coerce_input_value = definition.parse_value
                if definition.parse_literal is not None:
                    named.parse_literal = definition.parse_literal  # type: ignore[method-assign,assignment]
            elif isinstance(named, GraphQLEnumType) and isinstance(
                definition, StrawberryEnumDefinition
            ):
                members: Any = definition.wrapped_cls
                for member in members:
                    named.values[member.name].value = member
        return built

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Errors a client caused are answered, not logged; unexpected ones are logged
        once, with the request id the client sees, by `MaskInternalErrors`."""


def _validation_rules(settings: Settings) -> list[Any]:
    """The limit rules, built once per schema: the validation cache keys on them."""
    depth = QueryDepthLimiter(max_depth=settings.max_depth).validation_rules[0]
    aliases = MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules[0]
    rules = [
        coded_limit(
            depth,
            limit=settings.max_depth,
            setting="NEWSGRAPH_MAX_DEPTH",
            advice="ask for a shallower selection",
        ),
        coded_limit(
            aliases,
            limit=settings.max_aliases,
            setting="NEWSGRAPH_MAX_ALIASES",
            advice="send fewer aliased fields",
        ),
        max_directives_rule(settings.max_directives),
    ]
    if settings.public:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def make_schema(settings: Settings) -> NewsgraphSchema:
    """The schema, configured by `settings` (limits, public mode, debug)."""
    rules = _validation_rules(settings)

    # Both are built per request, after the schema below exists.
    def budget() -> NodeBudget:
        return NodeBudget(settings, schema.graphql_schema)

    def compiled() -> CompiledReads:
        return CompiledReads(schema.graphql_schema, schema.statements, schema.known)

    extensions: list[type[SchemaExtension] | Any] = [
        # Outermost first: the operation's span covers the rest; masking sees errors
        # after they were coded.
        *tracing_extensions(settings),
        lambda: MaskInternalErrors(debug=settings.debug, max_tokens=settings.max_tokens),
        lambda: ErrorCodes(max_tokens=settings.max_tokens),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ContainedParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(rules),
        OperationChoice,
        WriteScope,
        ReadRouting,
        budget,
        *([compiled] if settings.executor is Executor.COMPILED else []),
        Disclaimers,
    ]
    schema = NewsgraphSchema(
        settings,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Actor, Article, Claim, Event, Source],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=settings.public),
    )
    return schema


@cache
def default_schema() -> NewsgraphSchema:
    """The schema built from default settings (no environment read)."""
    return make_schema(Settings.defaults())


def __getattr__(name: str) -> Any:
    """`newsgraph.schema.execute`, `.as_str`, ...: the default schema's attributes."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(default_schema(), name)
