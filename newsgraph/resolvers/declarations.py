"""The vocabulary of declarations: how each field of a GraphQL type maps to SQL.

An `Entity` declares, for one GraphQL object type, its table and, field by field, what
the field is: a column (`Column`, with how its value is answered), the row's global ID
(`GlobalId`), a foreign key to one row of another entity (`ToOne`), the rows of a
declared `Relation`, all of them (`ToMany`) or a page of them (`Paged`, a connection),
or a value built from the row by a transform both executors know (`Derived`).

Two consumers read these, and only these: the resolver path (the Strawberry types build
themselves from rows by their columns, and load relations through the relation loaders)
and the SQL compiler (`newsgraph.compile`), which turns a query over them into one
statement. A field without a declaration is not compiled: an operation that selects one
runs on the resolver path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from newsgraph.db.base import Base
from newsgraph.resolvers.filters import Filter
from newsgraph.resolvers.pagination import Ordering
from newsgraph.resolvers.relations import Relation

__all__ = [
    "Column",
    "Derived",
    "Entity",
    "FieldDeclaration",
    "GlobalId",
    "Paged",
    "RootList",
    "Scalar",
    "ToMany",
    "ToOne",
]


class Scalar(Enum):
    """How a column's value is answered."""

    TEXT = "text"  # as stored
    INT = "int"
    DATETIME = "datetime"  # ISO 8601 with offset and microseconds when there are any
    DATE = "date"  # YYYY-MM-DD
    ENUM = "enum"  # stored lower case ("no_comment"), answered as the member ("NO_COMMENT")
    TEXT_LIST = "text_list"  # a text[] as a list of strings


@dataclass(frozen=True)
class Column:
    """A column of the entity's table (`attribute` on its model)."""

    attribute: str
    scalar: Scalar = Scalar.TEXT


@dataclass(frozen=True)
class GlobalId:
    """The row's global ID: base64 of `Type:id`."""


@dataclass(frozen=True)
class ToOne:
    """The row of entity `target` whose id is in this row's `key` (null when it is)."""

    target: str
    key: str


@dataclass(frozen=True)
class ToMany:
    """Every row of `relation` under this row, in its order (a plain list)."""

    relation: Relation


@dataclass(frozen=True)
class Paged:
    """A connection over `relations` (one per `orderBy` value; the key None when the
    field has no order argument), narrowed by `filter` when it takes one."""

    relations: Mapping[str | None, Relation]
    filter: Filter | None = None
    default_order: str | None = None

    def relation(self, order: str | None) -> Relation:
        """The relation read for an `orderBy` value (None: the default)."""
        return self.relations[order or self.default_order]


@dataclass(frozen=True)
class Derived:
    """A value both executors build from the row by the transform named `kind`:
    `sections`, `span`, `source_disclaimer`, `article_disclaimer`, `claim_disclaimer`,
    `event_disclaimers`."""

    kind: str


FieldDeclaration = Column | GlobalId | ToOne | ToMany | Paged | Derived
DeclarationT = TypeVar("DeclarationT", Column, GlobalId, ToOne, ToMany, Paged, Derived)


@dataclass(frozen=True)
class Entity:
    """A GraphQL object type backed by a table: its model and its fields by GraphQL name.

    `key` names the columns that identify a row; `node` says whether the type is a Relay
    node, with a global ID made from `id`.
    """

    type_name: str
    model: type[Base]
    fields: Mapping[str, FieldDeclaration]
    key: tuple[str, ...] = ("id",)
    node: bool = True

    def declared(self, name: str, kind: type[DeclarationT]) -> DeclarationT:
        """Field `name`'s declaration, which must be of `kind`."""
        declared = self.fields[name]
        if not isinstance(declared, kind):
            raise TypeError(f"{self.type_name}.{name} is a {type(declared).__name__}")
        return declared

    def columns(self, row: Any) -> dict[str, Any]:
        """The declared columns of `row`, by attribute: what a type builds itself from."""
        return {
            declared.attribute: getattr(row, declared.attribute)
            for declared in self.fields.values()
            if isinstance(declared, Column)
        }


@dataclass(frozen=True)
class RootList:
    """A connection of the root type over a whole table (`articles`, `actors`, ...)."""

    model: type[Base]
    orderings: Mapping[str | None, Ordering]
    filter: Filter | None = None
    default_order: str | None = None
    name: str = field(default="")  # the root field, e.g. "articles"

    def ordering(self, order: str | None) -> Ordering:
        """The ordering of an `orderBy` value (None: the default)."""
        return self.orderings[order or self.default_order]

    def made_for(self, order: str | None) -> str:
        """What the cursors of this list are for (see `Cursor`)."""
        chosen = order or self.default_order
        return f"Query.{self.name}" + (f"/{chosen}" if chosen else "")
