"""Who may call what: the write scope as a Strawberry permission on every mutation."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission

from newsgraph.access.scopes import Scope
from newsgraph.errors import AuthenticationError, PermissionDeniedError
from newsgraph.schema.info import Info

__all__ = ["CanWrite", "write_mutation"]


class CanWrite(BasePermission):
    """The caller holds the `write` scope.

    A refusal raises the typed error saying why (no key, or a key that may only read),
    so the answer is 401 or 403 and the message says what to do; the resolver never runs.
    """

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        caller = info.context.caller
        if caller.may(Scope.WRITE):
            return True
        if caller.authenticated:
            raise PermissionDeniedError(
                f"API key {caller.key_name!r} may only read: mutations need a key with the "
                "write scope (`newsgraph keys create --scope write`)"
            )
        raise AuthenticationError(
            "mutations need an API key with the write scope: send "
            "`Authorization: Bearer <key>` (`newsgraph keys create --scope write`)"
        )


def write_mutation(*, description: str) -> Any:
    """`strawberry.mutation` for a field that writes: it needs the `write` scope."""
    return strawberry.mutation(description=description, permission_classes=[CanWrite])
