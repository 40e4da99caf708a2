"""Writing one validated document into the graph, idempotently.

`store_document` runs inside the caller's transaction and never commits: the caller
decides that one document is one transaction. It is the batch store with a batch of
one (`newsgraph.ingest.batch`), so one article and a bulk import of thousands follow
the same rules:

- an article is found by its content hash (storing the same document twice writes
  nothing), else by its URL, else, without a URL, by its input (the same text from the
  same source; `input_hash`): then it is updated in place, and what was derived from it
  (claims, mentions, reports) is replaced;
- actors and events, which other articles may share, are matched and kept
  (`newsgraph.ingest.matching`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.errors import InputError
from newsgraph.ingest.batch.store import store_batch
from newsgraph.ingest.document import Document
from newsgraph.ingest.outcomes import Refusal, StoreOutcome, StoreResult
from newsgraph.ingest.prepared import PreparedDocument, prepare

__all__ = ["StoreOutcome", "StoreResult", "driver_connection", "store_document", "store_prepared"]


async def store_document(
    session: AsyncSession, doc: Document, *, input_hash: str | None = None
) -> StoreResult:
    """Write `doc` into the graph in the caller's transaction; see the module docstring."""
    return await store_prepared(session, prepare(doc, where="document", input_hash=input_hash))


async def store_prepared(session: AsyncSession, doc: PreparedDocument) -> StoreResult:
    """`store_document` of a document prepared already (`newsgraph.ingest.prepared`)."""
    await _wait_for_writers_of_the_same_article(session, doc.identity)
    [result] = await store_batch(await driver_connection(session), [doc])
    if isinstance(result, Refusal):
        raise InputError(result.reason)
    return result


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under `session`, inside its transaction.

    SQLAlchemy begins the transaction on the driver connection with the first statement
    it sends, so call this once the session has sent one in the current transaction.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def _wait_for_writers_of_the_same_article(session: AsyncSession, identity: str) -> None:
    """Queue behind any transaction storing the same article (same URL, input or content).

    Without it, concurrent stores of one article all do the whole work, all but one fail
    on the unique index, and each then runs again to find the article stored. With it,
    the later ones wait, then find the article and change nothing. (It is also the
    statement that begins the transaction for `driver_connection`.)
    """
    key = int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big", signed=True)
    await session.execute(select(func.pg_advisory_xact_lock(key)))
