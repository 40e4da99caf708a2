"""A place in the change log, and the opaque cursor that names it.

The log is read in `(xid, id)` order (migration 0008 says why not by id alone), so a
position is both numbers; a cursor is that pair, base64-encoded like the other cursors
of the API, so clients treat it as opaque.
"""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

from newsgraph.errors import InputError

__all__ = ["START", "Position"]

_PREFIX = "change:"


class Position(NamedTuple):
    """A change's place in the log; tuples compare as the log is ordered."""

    xid: int
    change_id: int

    @property
    def cursor(self) -> str:
        """The cursor a client passes back as `after:` to resume after this change."""
        return base64.b64encode(f"{_PREFIX}{self.xid}:{self.change_id}".encode()).decode()

    @classmethod
    def from_cursor(cls, cursor: str, argument: str = "after") -> Position:
        """The position a cursor names; a cursor of anything else is bad input."""
        try:
            text = base64.b64decode(cursor.encode(), validate=True).decode()
            if not text.startswith(_PREFIX):
                raise ValueError(text)
            xid, change_id = text.removeprefix(_PREFIX).split(":")
            position = cls(int(xid), int(change_id))
        except (ValueError, UnicodeError, binascii.Error):
            raise InputError(
                f"`{argument}`: {cursor!r} is not a cursor of this subscription; pass the "
                "`cursor` of a message it sent"
            ) from None
        if position.xid < 0 or position.change_id < 0:
            raise InputError(f"`{argument}`: {cursor!r} names no change")
        return position


# Before every change.
START = Position(0, 0)
