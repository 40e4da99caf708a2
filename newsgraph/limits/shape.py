"""The shape of a document: how deep it nests, how many aliases and directives it holds.

Measured on the parsed document before validation, so a document built to produce one
error per alias or per directive gets one error in total. Fragments count where they
are spread; a fragment spread inside itself (invalid, reported by validation later) is
followed once. `__typename` and introspection fields count like any other, except
`ofType` (see `_selection_depth`).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)

__all__ = ["Shape", "measure"]


@dataclass(frozen=True)
class Shape:
    """Depth of the deepest operation, aliases and directives in the whole document."""

    depth: int
    aliases: int
    directives: int


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.alias is not None:
            self.aliases += 1

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        self.directives += 1


def measure(document: DocumentNode) -> Shape:
    """Measure `document` (every operation in it; the deepest one sets the depth)."""
    counter = _Counter()
    visit(document, counter)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    depth = max(
        (
            _depth(definition.selection_set, fragments, frozenset())
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ),
        default=0,
    )
    return Shape(depth=depth, aliases=counter.aliases, directives=counter.directives)


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    visiting: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        deepest = max(deepest, _selection_depth(selection, fragments, visiting))
    return deepest


def _selection_depth(
    selection: Node, fragments: dict[str, FragmentDefinitionNode], visiting: frozenset[str]
) -> int:
    if isinstance(selection, FieldNode):
        # `ofType` unwraps a type (`[String!]!`) and ends at a named type after a few
        # steps, so GraphiQL's introspection query can nest it freely.
        own = 0 if selection.name.value == "ofType" else 1
        return own + _depth(selection.selection_set, fragments, visiting)
    if isinstance(selection, InlineFragmentNode):
        return _depth(selection.selection_set, fragments, visiting)
    if isinstance(selection, FragmentSpreadNode):
        name = selection.name.value
        fragment = fragments.get(name)
        if fragment is None or name in visiting:
            return 0
        return _depth(fragment.selection_set, fragments, visiting | {name})
    return 0
