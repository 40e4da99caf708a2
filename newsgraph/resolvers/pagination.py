"""Keyset pagination: opaque cursors on (sort key, id), stable while rows are inserted.

A connection is read with `first`/`after` (forwards) or `last`/`before` (backwards).
An `Ordering` names the sort key and its direction; the row id always breaks ties and
goes the same way, so `(key, id)` compares as one row value and an index on
`(key, id)` serves every page. One row more than asked is fetched to learn whether
another page follows.

Nested connections (each article's first five claims) are paged per parent in a
single statement by `Relation.paged` (resolvers/relations.py), never with one shared
LIMIT across all parents.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, tuple_

from newsgraph.errors import InputError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Cursor",
    "Ordering",
    "Page",
    "Window",
]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

RowT = TypeVar("RowT")


class PagingError(InputError):
    """`first`, `last`, `after` or `before` is out of range or malformed."""


@dataclass(frozen=True)
class Ordering:
    """A sort key and its direction; `id` breaks ties in the same direction."""

    key: Any  # a column or SQL expression
    id: Any
    descending: bool = False
    kind: str = "int"  # how the key travels in a cursor: int, datetime, date, text

    def order_by(self, *, reverse: bool = False) -> list[ColumnElement[Any]]:
        """ORDER BY terms for reading forwards (or backwards when `reverse`)."""
        down = self.descending != reverse
        columns = [self.id] if self.key is self.id else [self.key, self.id]
        return [column.desc() if down else column.asc() for column in columns]

    def beyond(self, cursor: Cursor, *, reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after `cursor` in reading order (before it when `reverse`)."""
        down = self.descending != reverse
        row: Any = self.id if self.key is self.id else tuple_(self.key, self.id)
        bound: Any = (
            cursor.id if self.key is self.id else tuple_(cursor.key_value(self.kind), cursor.id)
        )
        condition: ColumnElement[bool] = row < bound if down else row > bound
        return condition

    @classmethod
    def by_id(cls, model: Any) -> Ordering:
        """Ascending by id: the order of every nested list without an order argument."""
        return cls(model.id, model.id)

    def cursor_of(self, row: Any) -> str:
        """The opaque cursor of a row (an entity or a result row with the same names)."""
        return Cursor.encode(getattr(row, self.key.key), getattr(row, self.id.key))


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor: the row's sort key (as sent) and id."""

    key: Any
    id: int

    @staticmethod
    def encode(key: Any, row_id: int) -> str:
        """An opaque, URL-safe string for (key, id)."""
        if isinstance(key, datetime | date):
            key = key.isoformat()
        raw = json.dumps([key, row_id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, argument: str) -> Cursor:
        """Parse a cursor a client sent back, or raise a clear `PagingError`."""
        try:
            padded = value + "=" * (-len(value) % 4)
            key, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(row_id, int):
                raise ValueError("id is not an integer")
        except (ValueError, TypeError, binascii.Error) as exc:
            raise PagingError(
                f"`{argument}`: {value!r} is not a cursor this API handed out ({exc})"
            ) from None
        return cls(key, row_id)

    def key_value(self, kind: str) -> Any:
        """The key as a Python value of the ordering's type, for the SQL comparison."""
        try:
            if kind == "datetime":
                return datetime.fromisoformat(self.key)
            if kind == "date":
                return date.fromisoformat(self.key)
            if kind == "int":
                return int(self.key)
            return str(self.key)
        except (TypeError, ValueError):
            raise PagingError("the cursor does not belong to this ordering") from None


@dataclass(frozen=True)
class Window:
    """Validated paging arguments of one connection field."""

    first: int | None = None
    after: Cursor | None = None
    last: int | None = None
    before: Cursor | None = None

    @classmethod
    def from_arguments(
        cls,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Window:
        """Check the four Relay arguments; `first` defaults to 20."""
        cls.check_sizes(first=first, last=last)
        if last is None:
            first = DEFAULT_PAGE_SIZE if first is None else first
        return cls(
            first=first,
            after=Cursor.decode(after, "after") if after is not None else None,
            last=last,
            before=Cursor.decode(before, "before") if before is not None else None,
        )

    @staticmethod
    def check_sizes(first: int | None, last: int | None) -> None:
        """Page sizes run from 1 to 100, and a page is read from one end only."""
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 1 <= value <= MAX_PAGE_SIZE:
                raise PagingError(
                    f"`{name}` must be between 1 and {MAX_PAGE_SIZE}, got {value}: "
                    "page through longer lists with `after`/`before`"
                )
        if first is not None and last is not None:
            raise PagingError("pass `first` or `last`, not both")

    @property
    def backwards(self) -> bool:
        """True when reading the last N rows (`last`) rather than the first N."""
        return self.last is not None

    @property
    def size(self) -> int:
        """How many rows the page holds at most."""
        return self.last if self.last is not None else (self.first or 0)

    def conditions(self, ordering: Ordering) -> list[ColumnElement[bool]]:
        """The keyset conditions of `after` and `before`."""
        conditions = []
        if self.after is not None:
            conditions.append(ordering.beyond(self.after))
        if self.before is not None:
            conditions.append(ordering.beyond(self.before, reverse=True))
        return conditions

    def apply(self, statement: Select[Any], ordering: Ordering) -> Select[Any]:
        """A single connection's page: conditions, order, one row more than the page."""
        return (
            statement.where(and_(True, *self.conditions(ordering)))
            .order_by(*ordering.order_by(reverse=self.backwards))
            .limit(self.size + 1)
        )


@dataclass
class Page(Generic[RowT]):
    """One page of rows with their cursors and whether more lie on either side."""

    rows: list[RowT]
    cursors: list[str]
    has_next: bool
    has_previous: bool

    @classmethod
    def from_rows(cls, rows: list[RowT], window: Window, ordering: Ordering) -> Page[RowT]:
        """Trim the look-ahead row, restore reading order, compute cursors and flags."""
        more = len(rows) > window.size
        rows = rows[: window.size]
        if window.backwards:
            rows.reverse()
            has_previous, has_next = more, window.before is not None
        else:
            has_next, has_previous = more, window.after is not None
        return cls(rows, [ordering.cursor_of(row) for row in rows], has_next, has_previous)
