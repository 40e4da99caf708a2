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
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, tuple_

from newsgraph.errors import InputError
from newsgraph.ids import BIGINT

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Cursor",
    "Ordering",
    "Page",
    "PagingError",
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
    kind: str = "int"  # how the key travels in a cursor: int, datetime, date

    def order_by(self, *, reverse: bool = False) -> list[ColumnElement[Any]]:
        """ORDER BY terms for reading forwards (or backwards when `reverse`)."""
        down = self.descending != reverse
        columns = [self.id] if self.key is self.id else [self.key, self.id]
        return [column.desc() if down else column.asc() for column in columns]

    def beyond(self, cursor: Cursor, *, reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after `cursor` in reading order (before it when `reverse`)."""
        down = self.descending != reverse
        row: Any = self.id if self.key is self.id else tuple_(self.key, self.id)
        bound: Any = cursor.id if self.key is self.id else tuple_(cursor.key, cursor.id)
        condition: ColumnElement[bool] = row < bound if down else row > bound
        return condition

    @classmethod
    def by_id(cls, model: Any) -> Ordering:
        """Ascending by id: the order of every nested list without an order argument."""
        return cls(model.id, model.id)

    def cursor_of(self, row: Any, made_for: str) -> str:
        """The opaque cursor of a row (an entity or a result row with the same names)."""
        key = None if self.key is self.id else getattr(row, self.key.key)
        return Cursor(made_for, key, getattr(row, self.id.key)).encode(self.kind)


# The keys of undated rows sort as -infinity, which asyncpg reads and writes as the
# smallest value of the type (naive, for instants).
_NEGATIVE_INFINITY: dict[str, Any] = {"datetime": datetime.min, "date": date.min}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor: what it was made for (a connection field and its order), the
    row's sort key and its id.

    On the wire it is URL-safe base64, unpadded, of the JSON array `[made_for, key, id]`
    (no spaces), with the key as an integer for ids, microseconds since the Unix epoch
    for instants, `YYYY-MM-DD` for dates, and null for an undated row (`-infinity`). The
    compiled read path builds the same text in SQL.
    """

    made_for: str
    key: Any
    id: int

    def encode(self, kind: str) -> str:
        """The opaque, URL-safe string of this cursor."""
        key = self.key
        if key is None or key == _NEGATIVE_INFINITY.get(kind):
            wire: Any = None
        elif kind == "datetime":
            wire = (key - _EPOCH) // timedelta(microseconds=1)
        elif kind == "date":
            wire = key.isoformat()
        else:
            wire = key
        raw = json.dumps([self.made_for, wire, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, argument: str, *, made_for: str, kind: str) -> Cursor:
        """Parse a cursor a client sent back for `made_for`, or raise a clear `PagingError`."""
        refused = PagingError(
            f"`{argument}`: {value!r} is not a cursor this API handed out: pass the "
            "`cursor` of an edge or `pageInfo.endCursor`/`startCursor` unchanged"
        )
        try:
            padded = value + "=" * (-len(value) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode()).decode("utf-8"))
        except (ValueError, UnicodeError, binascii.Error):
            raise refused from None
        if not (
            isinstance(decoded, list)
            and len(decoded) == 3
            and isinstance(decoded[0], str)
            and type(decoded[2]) is int
            and decoded[2] in BIGINT
        ):
            raise refused
        tag, wire, row_id = decoded
        if tag != made_for:
            raise PagingError(
                f"`{argument}`: this cursor was made for {tag}, not for {made_for}: page "
                "with the cursors of the same field, in the same order"
            )
        try:
            return cls(made_for, _key(wire, kind), row_id)
        except (TypeError, ValueError, OverflowError):
            raise refused from None


def _key(wire: Any, kind: str) -> Any:
    if wire is None:
        return _NEGATIVE_INFINITY.get(kind)
    if kind == "date":
        return date.fromisoformat(wire)
    if type(wire) is not int or wire not in BIGINT:
        raise TypeError(wire)
    return _EPOCH + timedelta(microseconds=wire) if kind == "datetime" else wire


@dataclass(frozen=True)
class Window:
    """Validated paging arguments of one connection field, and what its cursors are for."""

    made_for: str
    first: int | None = None
    after: Cursor | None = None
    last: int | None = None
    before: Cursor | None = None

    @classmethod
    def from_arguments(
        cls,
        made_for: str,
        ordering: Ordering,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Window:
        """Check the four Relay arguments; `first` defaults to 20."""
        cls.check_sizes(first=first, last=last)
        if last is None:
            first = DEFAULT_PAGE_SIZE if first is None else first

        def cursor(value: str | None, argument: str) -> Cursor | None:
            if value is None:
                return None
            return Cursor.decode(value, argument, made_for=made_for, kind=ordering.kind)

        return cls(made_for, first, cursor(after, "after"), last, cursor(before, "before"))

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
        cursors = [ordering.cursor_of(row, window.made_for) for row in rows]
        return cls(rows, cursors, has_next, has_previous)
