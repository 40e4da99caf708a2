"""API keys: created once with a secret shown once, looked up by prefix, checked by hash.

A key reads `ngk_<prefix>_<secret>`. The prefix is stored in clear so a request finds
its row with one index lookup; the whole key is stored only as a SHA-256 hash. The
secret carries 256 random bits, so a fast hash is enough: there is nothing to guess
from a dictionary, and a slow hash would only slow every request down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func

from newsgraph.access.scopes import Caller, Scope
from newsgraph.db.models import ApiKey
from newsgraph.errors import AuthenticationError, InputError

__all__ = ["CreatedKey", "KeyInfo", "authenticate", "create_key", "list_keys", "revoke_key"]

_KEY = re.compile(r"^ngk_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Stamping `last_used_at` on every request would turn every read into a write; once a
# minute is precise enough to tell a live key from a forgotten one.
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    """A new key; `secret` is the only time the full key exists outside the client."""

    name: str
    scope: Scope
    prefix: str
    secret: str


@dataclass(frozen=True)
class KeyInfo:
    """One row of `keys list`."""

    name: str
    scope: Scope
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(session: AsyncSession, name: str, scope: Scope) -> CreatedKey:
    """Create a key named `name`; the caller commits."""
    if not _NAME.match(name):
        raise InputError(
            f"key name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    prefix = secrets.token_hex(6)
    key = f"ngk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(name=name, prefix=prefix, secret_hash=_hash(key), scopes=scope.implied())
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise InputError(
            f"a key named {name!r} exists already: pick another name, or revoke it first "
            "(names stay taken after revocation so the audit trail stays readable)"
        ) from exc
    return CreatedKey(name=name, scope=scope, prefix=prefix, secret=key)


async def list_keys(session: AsyncSession) -> list[KeyInfo]:
    """Every key, revoked ones included, oldest first."""
    rows = (await session.scalars(select(ApiKey).order_by(ApiKey.id))).all()
    return [
        KeyInfo(
            name=row.name,
            scope=Scope.highest(row.scopes),
            prefix=row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
        for row in rows
    ]


async def revoke_key(session: AsyncSession, name: str) -> dt.datetime:
    """Revoke the key named `name` (at once, for every server); the caller commits."""
    revoked = await session.scalar(
        update(ApiKey)
        .where(ApiKey.name == name)
        .values(revoked_at=func.coalesce(ApiKey.revoked_at, func.now()))
        .returning(ApiKey.revoked_at)
    )
    if not isinstance(revoked, dt.datetime):
        raise InputError(f"no key named {name!r}: `newsgraph keys list` shows the names")
    return revoked


async def authenticate(session: AsyncSession, authorization: str) -> Caller:
    """The caller an `Authorization: Bearer <key>` header vouches for.

    Raises `AuthenticationError` for a malformed header, an unknown key or a revoked
    one. The lookup runs in the session's transaction, which the request's reads then
    share; only when it stamps the key's last use (once a minute) does it commit.
    """
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("send the API key as `Authorization: Bearer <key>`")
    match = _KEY.match(token.strip())
    if match is None:
        raise AuthenticationError("the API key is malformed: expected ngk_<prefix>_<secret>")
    row = await session.scalar(select(ApiKey).where(ApiKey.prefix == match["prefix"]))
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(token.strip())):
        raise AuthenticationError("unknown API key")
    if row.revoked_at is not None:
        raise AuthenticationError(
            f"API key {row.name!r} was revoked at {row.revoked_at:%Y-%m-%d %H:%M} UTC"
        )
    now = dt.datetime.now(dt.UTC)
    if row.last_used_at is None or now - row.last_used_at > LAST_USE_RESOLUTION:
        await session.execute(
            update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=func.now())
        )
        await session.commit()
    return Caller(
        scopes=frozenset(Scope(scope) for scope in row.scopes),
        key_id=row.id,
        key_name=row.name,
        client=f"key:{row.id}",
        wrote_at=row.last_write_at,
    )
