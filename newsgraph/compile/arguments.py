"""Where each argument's value comes from: the document, or the request's variables.

A compiled statement is reused for every request of the same shape, so the values in it
are parameters, filled per request by `Slot`s. An `Argument` knows how to read one field
argument from the coerced variables (a literal, a variable, or an input object holding
variables), and what it is right now, for the compiler's decisions about shape.

`shape_of` gives, for a variable, what the compiled SQL depends on (null or not, which
enum value, which boolean, the type in an ID, which fields of an input object are set),
never the value itself: it makes the cache key, so statements are shared by all values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import (
    FieldNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    value_from_ast,
)
from sqlalchemy import BindParameter, bindparam
from sqlalchemy.types import TypeEngine

from newsgraph.errors import InputError
from newsgraph.ids import decode_id

__all__ = ["Argument", "Slot", "Slots", "shape_of"]

Getter = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Argument:
    """One argument of one field in the document."""

    name: str
    read: Getter  # its value, from the coerced variables
    now: Any  # its value in the request being compiled

    @classmethod
    def of(
        cls,
        definition: GraphQLArgument,
        name: str,
        nodes: list[FieldNode],
        variables: Mapping[str, Any],
    ) -> Argument:
        """Argument `name` of the field (the first node that gives it, as graphql-core)."""
        node = next(
            (a for field in nodes for a in field.arguments or () if a.name.value == name), None
        )
        default = None if definition.default_value is Undefined else definition.default_value
        if node is None:
            return cls(name, lambda _: default, default)
        value_node = node.value
        kind = definition.type

        def read(variables: Mapping[str, Any]) -> Any:
            value = value_from_ast(value_node, kind, dict(variables))
            return default if value is Undefined else value

        return cls(name, read, read(variables))


class Slot:
    """A bound parameter of a compiled statement, and how a request fills it."""

    def __init__(self, key: str, fill: Getter) -> None:
        self.key = key
        self.fill = fill


class Slots:
    """The parameters a statement is compiled with, filled per request by `values`."""

    def __init__(self) -> None:
        self.slots: list[Slot] = []

    def bind(self, fill: Getter, type_: TypeEngine[Any]) -> BindParameter[Any]:
        """A parameter filled per request by `fill(variables)`."""
        key = f"p{len(self.slots)}"
        self.slots.append(Slot(key, fill))
        return bindparam(key, type_=type_)

    def values(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value for a request; raises `InputError` for values a
        resolver would refuse (an ID of the wrong type, a foreign cursor) or see refused
        by PostgreSQL or by asyncpg encoding it (`_refused`)."""
        values = {slot.key: slot.fill(variables) for slot in self.slots}
        for value in values.values():
            reason = _refused(value)
            if reason is not None:
                raise InputError(reason)
        return values


def _refused(value: Any) -> str | None:
    """Why PostgreSQL, or asyncpg encoding it, would refuse a parameter's value.

    The resolvers send such a value and word the refusal with the field's path. Sent by
    a compiled statement, it would fail the whole operation instead, without a path, and
    in-process on the caller's transaction; so the resolvers answer for it.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return "a text value holds a NUL character"
        try:
            value.encode()
        except UnicodeEncodeError:
            return "a text value is not valid Unicode (it holds a lone surrogate)"
    if isinstance(value, datetime) and value not in (datetime.min, datetime.max):
        try:  # asyncpg sends an instant in UTC; the ends of the range stand for infinities
            value.astimezone(UTC)
        except OverflowError:
            return "an instant beyond the years 1 to 9999 in UTC"
    return None


def shape_of(value: Any, kind: GraphQLInputType) -> Any:
    """What of a variable's value a compiled statement depends on (hashable)."""
    if value is None or value is Undefined:
        return None
    if isinstance(kind, GraphQLNonNull):
        return shape_of(value, kind.of_type)
    if isinstance(kind, GraphQLList):
        return tuple(shape_of(item, kind.of_type) for item in value)
    if isinstance(kind, GraphQLInputObjectType):
        return tuple(
            (name, shape_of(value.get(name), field.type)) for name, field in kind.fields.items()
        )
    if isinstance(kind, GraphQLEnumType):
        return getattr(value, "name", value)
    if isinstance(kind, GraphQLScalarType):
        if kind.name == "Boolean":
            return bool(value)
        if kind.name == "ID":
            try:
                return decode_id(str(value))[0]
            except InputError:
                return "invalid ID"
        if kind.name == "String":
            return "" if value == "" else "text"
    return "value"
