"""Who a request runs as, from the credential it carries (or none), on every transport:
an HTTP header, or the payload of a WebSocket's `connection_init`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.access.keys import authenticate
from newsgraph.access.scopes import Caller
from newsgraph.errors import AuthenticationError

__all__ = ["identify"]


async def identify(
    session: AsyncSession,
    authorization: str | None,
    *,
    require_read_key: bool,
    address: str | None,
    how: str = "send `Authorization: Bearer <key>`",
) -> Caller:
    """The key's caller; without one, an anonymous reader unless reads need a key
    (`how` tells the client where the key goes on its transport)."""
    if authorization:
        return await authenticate(session, authorization)
    if require_read_key:
        raise AuthenticationError(
            f"this server needs an API key for reads too (NEWSGRAPH_REQUIRE_READ_KEY): {how}"
        )
    return Caller.anonymous(address)
