"""Compiled statements, cached per operation shape, with their parameters in order.

The key of a statement is the document's text, the operation's name and the shape of
the variables (`arguments.shape_of`): the values in it are parameters, so every request
of one shape shares one SQL text, which each database connection prepares once. The
cache is a bounded LRU; an operation the compiler cannot answer is remembered too, so
it goes to the resolver path without being tried again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode
from graphql.execution.values import VariableValues
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from newsgraph.compile.arguments import Slots
from newsgraph.compile.planner import plan
from newsgraph.compile.values import NotCompilableError

__all__ = ["CompiledStatement", "StatementCache"]

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class CompiledStatement:
    """SQL returning one row (`data` JSON text, disclaimers JSON text or null)."""

    sql: str
    names: tuple[str, ...]  # the parameters, in the order of $1, $2, ...
    constants: Mapping[str, Any]  # values the statement fixes itself
    slots: Slots

    def arguments(self, variables: Mapping[str, Any]) -> list[Any]:
        """The parameters for a request; `InputError` when a value would be refused."""
        values = self.slots.values(variables)
        return [values[name] if name in values else self.constants[name] for name in self.names]


def compile_statement(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: VariableValues,
) -> CompiledStatement:
    """Compile `operation` for requests shaped like `variables`."""
    planned = plan(schema, fragments, operation, variables)
    compiled = planned.statement.compile(dialect=_DIALECT)
    names = tuple(compiled.positiontup or ())
    return CompiledStatement(str(compiled), names, dict(compiled.params), planned.slots)


class StatementCache:
    """A bounded LRU of compiled statements (or of the reason an operation is not
    compiled), shared by every request of one schema."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, CompiledStatement | NotCompilableError] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        key: Hashable,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> CompiledStatement:
        """The statement for `key`, compiled on first use; raises `NotCompilableError`."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        if found is None:
            try:
                found = compile_statement(schema, fragments, operation, variables)
            except NotCompilableError as exc:
                found = exc
            with self._lock:
                self._entries[key] = found
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        if isinstance(found, NotCompilableError):
            raise found
        return found
