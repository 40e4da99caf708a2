"""What a query costs before it runs: its node estimate, as GitHub computes it.

Every connection field multiplies: `articles(first: 50) { claims(first: 10) }` may
return 50 articles and 50 x 10 claims, 550 nodes. The estimate sums, over every
connection in the operation, its page size times the page sizes of the connections
above it. A connection without `first`/`last` counts its default page size (20).
Lists that are not connections (an event's participants) do not multiply: they are
bounded by the data, not by the client.

The rate limit charges `cost` points: one per hundred estimated nodes, at least one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from newsgraph.resolvers.pagination import DEFAULT_PAGE_SIZE, PagingError, Window

__all__ = ["Estimate", "PageSizeError", "estimate"]

NODES_PER_POINT = 100


class PageSizeError(PagingError):
    """A page size out of range, found before execution: where it is in the document."""

    def __init__(self, error: PagingError, node: FieldNode, path: list[str]) -> None:
        super().__init__(str(error))
        self.node = node
        self.path = path


@dataclass(frozen=True)
class Estimate:
    """The most nodes an operation can return, and the points it costs."""

    nodes: int

    @property
    def cost(self) -> int:
        return max(1, math.ceil(self.nodes / NODES_PER_POINT))


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> Estimate:
    """The estimate of the operation that would run; raises `PageSizeError` for a page
    size out of range (`first: 101`, `last: -1`), so that too is refused before any SQL."""
    operation = _operation(document, operation_name)
    if operation is None:
        return Estimate(nodes=0)
    root = schema.get_root_type(operation.operation)
    walker = _Walker(schema, document, variables or {})
    return Estimate(nodes=walker.nodes(operation.selection_set, root, 1, frozenset(), []))


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def nodes(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        multiplier: int,
        visiting: frozenset[str],
        path: list[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, multiplier, visiting, path)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.nodes(selection.selection_set, target, multiplier, visiting, path)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in visiting:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.nodes(
                        fragment.selection_set, target, multiplier, visiting | {name}, path
                    )
        return total

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        multiplier: int,
        visiting: frozenset[str],
        path: list[str],
    ) -> int:
        definition = _field_definition(parent, node.name.value)
        if definition is None:
            return 0
        child = get_named_type(definition.type)
        path = [*path, (node.alias or node.name).value]
        if "first" not in definition.args:
            return self.nodes(node.selection_set, child, multiplier, visiting, path)
        try:
            size = self._page_size(node)
        except PagingError as error:
            raise PageSizeError(error, node, path) from None
        own = multiplier * size
        return own + self.nodes(node.selection_set, child, own, visiting, path)

    def _page_size(self, node: FieldNode) -> int:
        values: dict[str, int | None] = {"first": None, "last": None}
        for argument in node.arguments or ():
            if argument.name.value in values:
                values[argument.name.value] = self._int(argument.value)
        Window.check_sizes(first=values["first"], last=values["last"])
        return values["last"] or values["first"] or DEFAULT_PAGE_SIZE

    def _int(self, value: object) -> int | None:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            return given if isinstance(given, int) and not isinstance(given, bool) else None
        return None


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None
