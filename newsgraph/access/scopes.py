"""Scopes and the caller of a request.

Scopes nest: `admin` can do everything `write` can, and `write` everything `read` can.
A key stores every scope it implies, so "may this key write?" is one membership test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Caller", "Scope"]


class Scope(StrEnum):
    """What a key may do."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def implied(self) -> list[Scope]:
        """This scope and every scope below it."""
        order = list(Scope)
        return order[: order.index(self) + 1]

    @classmethod
    def highest(cls, scopes: list[str]) -> Scope:
        """The broadest of `scopes` (what `keys list` shows)."""
        return max((cls(scope) for scope in scopes), key=list(cls).index)


@dataclass(frozen=True)
class Caller:
    """Who a request runs as: an API key, an anonymous client, or code in this process.

    `client` is the rate limit's unit: the key's id for a key, the client address for
    anonymous calls.
    """

    scopes: frozenset[Scope] = field(default_factory=frozenset)
    key_id: int | None = None
    key_name: str | None = None
    client: str = "local"
    # when the key last wrote (with a read replica: its reads stay on the primary a while)
    wrote_at: dt.datetime | None = None

    @classmethod
    def anonymous(cls, address: str | None) -> Caller:
        """A client without a key: it may read (unless the server requires a read key)."""
        return cls(scopes=frozenset({Scope.READ}), client=f"ip:{address or 'unknown'}")

    @classmethod
    def local(cls) -> Caller:
        """Code running the schema in-process: it holds the database already, so it may
        do everything (`build_context` uses this)."""
        return cls(scopes=frozenset(Scope), client="local")

    @property
    def authenticated(self) -> bool:
        """True when a key vouches for the caller."""
        return self.key_id is not None

    def may(self, scope: Scope) -> bool:
        """Whether the caller holds `scope`."""
        return scope in self.scopes
