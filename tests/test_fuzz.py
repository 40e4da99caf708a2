"""Property-based fuzzing of every root field, over real HTTP, with hypothesis-graphql.

Positive mode generates schema-valid operations, negative mode operations with one
violation each; every root field gets its share of the examples. Whatever
arrives: never a 5xx, never `INTERNAL`, and for valid operations every value in `data`
has the type the schema declares.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_abstract_type,
    parse,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from newsgraph.schema import default_schema

GRAPHQL_SCHEMA = default_schema().graphql_schema
EXAMPLES = 200
ALLOWED_CODES = {
    Mode.POSITIVE: {"BAD_USER_INPUT", "QUERY_TOO_COMPLEX"},
    Mode.NEGATIVE: {"BAD_USER_INPUT", "QUERY_TOO_COMPLEX", "GRAPHQL_VALIDATION_FAILED"},
}
SCALARS = {
    "DateTime": st.sampled_from(["2025-06-06T00:00:00Z", "2025-06-06T12:30:00+02:00"]).map(
        nodes.String
    ),
    "Date": st.dates().map(nodes.String),
    "JSON": st.just(nodes.String("{}")),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def _root_fields(query: str) -> set[str]:
    """The root fields a generated operation selects (negative mode may not parse)."""
    try:
        document = parse(query)
    except GraphQLError:
        return set()
    return {
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode)
    }


def _check(client: httpx.Client, url: str, query: str, mode: Mode) -> None:
    response = client.post(url, json={"query": query})
    assert response.status_code < 500, (query, response.text)
    body = response.json()
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    assert codes <= ALLOWED_CODES[mode], (query, body)
    if mode is Mode.POSITIVE and body.get("data") is not None:
        document = parse(query)
        (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        root = GRAPHQL_SCHEMA.get_root_type(operation.operation)
        assert root is not None
        _conforms(body["data"], GraphQLNonNull(root), operation.selection_set, document, query)


def _conforms(
    value: Any,
    type_: GraphQLOutputType,
    selection_set: SelectionSetNode | None,
    document: DocumentNode,
    query: str,
) -> None:
    """`value` has the shape `type_` declares."""
    if isinstance(type_, GraphQLNonNull):
        # an error nulls the nearest nullable parent, so null never stands here
        assert value is not None, query
        type_ = type_.of_type
    if value is None:
        return
    if isinstance(type_, GraphQLList):
        assert isinstance(value, list), (query, value)
        for item in value:
            _conforms(item, type_.of_type, selection_set, document, query)
        return
    if isinstance(type_, GraphQLScalarType):
        python_types: dict[str, type | tuple[type, ...]] = {
            "Int": int,
            "Float": (int, float),
            "Boolean": bool,
        }
        expected = python_types.get(type_.name, str)
        if type_.name != "JSON":
            assert isinstance(value, expected), (query, type_.name, value)
        return
    if isinstance(type_, GraphQLEnumType):
        assert value in type_.values, (query, value)
        return
    assert isinstance(value, dict), (query, value)
    candidates = GRAPHQL_SCHEMA.get_possible_types(type_) if is_abstract_type(type_) else [type_]
    for response_name, (field_name, sub) in _selected(selection_set).items():
        if response_name not in value:
            assert is_abstract_type(type_), (query, response_name)
            continue
        if field_name == "__typename":
            assert isinstance(value[response_name], str)
            continue
        definition = next(
            (
                t.fields[field_name]
                for t in candidates
                if isinstance(t, GraphQLObjectType) and field_name in t.fields
            ),
            None,
        )
        if definition is None:
            definition = type_.fields[field_name]  # type: ignore[union-attr]
        _conforms(value[response_name], definition.type, sub, document, query)


def _selected(selection_set: SelectionSetNode | None) -> dict[str, tuple[str, Any]]:
    """Response name -> (field name, its selection set), inline fragments flattened."""
    found: dict[str, tuple[str, Any]] = {}
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            name = selection.alias.value if selection.alias else selection.name.value
            found[name] = (selection.name.value, selection.selection_set)
        elif isinstance(selection, InlineFragmentNode):
            found.update(_selected(selection.selection_set))
    return found


def _fuzz(client: httpx.Client, url: str, operations: Any, mode: Mode) -> None:
    """Run at least `EXAMPLES` generated operations, shared out over the root fields.

    Each field gets a run of its own: drawn at random, the fields Hypothesis finds
    simplest would take most examples and some would get none.
    """
    root = GRAPHQL_SCHEMA.query_type if operations is queries else GRAPHQL_SCHEMA.mutation_type
    assert root is not None
    per_field = settings(FUZZ, max_examples=math.ceil(EXAMPLES / len(root.fields)))
    for name in sorted(root.fields):
        strategy = operations(GRAPHQL_SCHEMA, fields=[name], custom_scalars=SCALARS, mode=mode)
        per_field(given(query=strategy)(_checker(client, url, mode, name)))()


def _checker(client: httpx.Client, url: str, mode: Mode, field: str) -> Any:
    def check(query: str) -> None:
        assert _root_fields(query) <= {field}
        _check(client, url, query, mode)

    return check


@pytest.mark.slow
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_every_query_field(corpus_server: tuple[str, str], mode: Mode) -> None:
    url, _ = corpus_server
    with httpx.Client(timeout=30) as client:
        _fuzz(client, url, queries, mode)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_every_mutation_field(corpus_server: tuple[str, str], mode: Mode) -> None:
    url, key = corpus_server
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {key}"}) as client:
        _fuzz(client, url, mutations, mode)
