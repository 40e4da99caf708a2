"""Field collection, as GraphQL execution does it: what an operation asks of each type.

`collect(...)` walks a selection set for one concrete type the way graphql-core's
executor would: fragments inlined, `@skip`/`@include` applied with the request's
variables, inline fragments and spreads kept when their type condition covers the type,
and fields with the same response key (alias or name) merged in first-seen order, their
sub-selections concatenated. The compiler plans SQL from this, so that a compiled
response has exactly the keys, in exactly the order, the resolver path would produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.execution.values import VariableValues, get_directive_values

__all__ = ["Collected", "Selection"]


@dataclass
class Collected:
    """One response key of a selection set: the field and its nodes."""

    key: str
    name: str
    nodes: list[FieldNode]
    definition: GraphQLField | None  # None for `__typename` (and fields the type lacks)

    @property
    def selection_sets(self) -> list[SelectionSetNode]:
        """The sub-selections of every node of this key, in document order."""
        return [node.selection_set for node in self.nodes if node.selection_set is not None]


@dataclass(frozen=True)
class Selection:
    """What is needed to collect fields: the schema, the fragments, the variables."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues

    def collect(
        self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> list[Collected]:
        """The fields the selection sets ask of an object of type `parent`."""
        found: dict[str, Collected] = {}
        visited: set[str] = set()  # a fragment is expanded once per collection
        for selection_set in selection_sets:
            self._into(found, parent, selection_set, visited)
        return list(found.values())

    def _into(
        self,
        found: dict[str, Collected],
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                if key in found:
                    found[key].nodes.append(selection)
                    continue
                name = selection.name.value
                definition = None if name == "__typename" else parent.fields.get(name)
                found[key] = Collected(key, name, [selection], definition)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, parent):
                    self._into(found, parent, selection.selection_set, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, parent):
                    self._into(found, parent, fragment.selection_set, visited)

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return include is None or include["if"] is True

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        """Whether a fragment on `condition` applies to an object of type `parent`."""
        if condition == parent.name:
            return True
        named: GraphQLNamedType | None = self.schema.get_type(condition)
        return (
            named is not None and is_abstract_type(named) and self.schema.is_sub_type(named, parent)
        )
