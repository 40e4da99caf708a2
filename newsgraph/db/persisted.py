"""Persisted queries in the database: look a hash up, register a document under its hash.

The table (`PersistedQuery`, migration 0007) is what every server process shares; each
process keeps the documents it used in memory (`newsgraph.http.persisted`) and reads
here only for a hash it has not seen. Registering is one statement that also trims the
table to its limit, oldest first, so a stream of registrations cannot grow it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import PersistedQuery

__all__ = ["persist_document", "persisted_document"]

_REGISTER = text(
    """
    WITH added AS (
        INSERT INTO persisted_query (hash, document) VALUES (:hash, :document)
        ON CONFLICT (hash) DO NOTHING
        RETURNING hash
    )
    DELETE FROM persisted_query
    WHERE hash IN (
        SELECT hash FROM persisted_query
        ORDER BY created_at DESC, hash DESC
        OFFSET greatest(:limit - (SELECT count(*) FROM added), 0)
    )
    """
).bindparams(bindparam("limit", type_=BigInteger))


async def persisted_document(session: AsyncSession, *, hash: str) -> str | None:
    """The document registered under `hash` (hex SHA-256), if any."""
    found: str | None = await session.scalar(
        select(PersistedQuery.document).where(PersistedQuery.hash == hash)
    )
    return found


async def persist_document(session: AsyncSession, *, hash: str, document: str, limit: int) -> None:
    """Register `document` under `hash` (checked by the caller), keeping at most `limit`
    documents: the oldest beyond it are dropped. A hash registered already is kept as
    it is. Does not commit."""
    await session.execute(_REGISTER, {"hash": hash, "document": document, "limit": limit})
