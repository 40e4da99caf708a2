"""Persisted queries: a request may name its document by hash instead of sending it.

Two kinds, one lookup:

- **Automatic persisted queries**, Apollo's protocol (`extensions.persistedQuery {version:
  1, sha256Hash}`), also spoken by urql's `persistedExchange`: a client sends the hash
  alone; a server that does not know it answers `PersistedQueryNotFound`, and the client
  sends the hash with the document, which is checked against the hash, run, and
  registered in PostgreSQL (`newsgraph.db.persisted`) for every server process. A hash
  alone then works, over GET too, so a CDN can cache its answers. With
  `NEWSGRAPH_APQ_LIMIT=0` and no manifest, a hash is answered `PersistedQueryNotSupported`
  and the client sends documents.
- **Trusted documents** (`NEWSGRAPH_TRUSTED_DOCUMENTS`, `newsgraph.http.trusted`): ids
  from a build's manifest, sent in the same extension or as `documentId` (the
  GraphQL-over-HTTP persisted-documents proposal). With `NEWSGRAPH_PUBLIC=1` they are
  the only documents an anonymous caller may run, by id or in full; nothing is
  registered then, so nothing unlisted can be run by hash either. Callers with an API
  key (your own tools, ingest bots) are not held to the list.

A hash is resolved to its document before anything else, so the rest of the pipeline,
the short path for known operations included, sees an ordinary request. Each process
keeps the documents it resolved from the database in memory: a hash it has seen costs
no SQL statement.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from strawberry.types import ExecutionResult

from newsgraph.db.persisted import persist_document, persisted_document
from newsgraph.db.transactions import write_transaction
from newsgraph.errors import (
    PersistedQueryNotFoundError,
    PersistedQueryNotSupportedError,
    RequestError,
)
from newsgraph.http.trusted import Manifest, document_key
from newsgraph.resolvers.context import RequestContext
from newsgraph.settings import Settings

__all__ = ["PersistedQueries", "Resolved", "persisted_hash"]

logger = logging.getLogger("newsgraph.http")

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Documents the database keeps are at most this long: with NEWSGRAPH_APQ_LIMIT the table
# stays bounded in bytes, not only in rows. Longer ones still run when sent in full.
MAX_STORED_CHARS = 32 * 1024
# Documents resolved from the database that a process keeps in memory.
MEMORY_SIZE = 1024
# A document that did not parse, validate or fit the limits is not worth keeping.
_DOCUMENT_FAILURES = frozenset(
    {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX"}
)


def persisted_hash(extensions: dict[str, Any] | None, where: str) -> str | None:
    """The SHA-256 of `extensions.persistedQuery` (None without one), checked for shape."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise RequestError(
            f'{where}: `extensions.persistedQuery` must be {{"version": 1, "sha256Hash": "..."}}'
        )
    if persisted.get("version") != 1:
        raise RequestError(
            f"{where}: persisted query version {persisted.get('version')!r} is not supported: "
            "send version 1"
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.match(sha256.lower()):
        raise RequestError(
            f"{where}: `extensions.persistedQuery.sha256Hash` must be the document's SHA-256 "
            f"as 64 hex digits, got {sha256!r}"
        )
    return sha256.lower()


@dataclass(frozen=True)
class Resolved:
    """The document a request runs, and the hash to register it under once it ran."""

    query: str
    register: str | None = None


class PersistedQueries:
    """Resolves hashes and ids to documents, and holds anonymous callers of a public
    server to its trusted documents."""

    def __init__(self, settings: Settings, manifest: Manifest | None) -> None:
        self.manifest = manifest
        self.trusted_only = settings.public and manifest is not None
        # registrations would let anyone add to a public server's trusted list
        self.limit = 0 if self.trusted_only else settings.apq_limit
        self._memory: OrderedDict[str, str] = OrderedDict()

    async def resolve(
        self,
        *,
        query: str | None,
        sha256: str | None,
        document_id: str | None,
        context: RequestContext,
    ) -> Resolved:
        """The document a request names, by text, hash or id (one of them is given)."""
        held = self.trusted_only and not context.caller.authenticated
        if query is not None:
            if sha256 is not None and _sha256(query) != sha256:
                raise RequestError(
                    f"`extensions.persistedQuery.sha256Hash` is {sha256}, but the SHA-256 of "
                    f"`query` is {_sha256(query)}: hash exactly the text sent as `query`"
                )
            if held:
                assert self.manifest is not None
                self.manifest.require(query, how="send a listed document, by its id or in full")
            keep = sha256 if sha256 and self.limit and sha256 not in self._memory else None
            return Resolved(query, register=keep)
        identifier = sha256 or document_id
        assert identifier is not None
        found = self.manifest.get(identifier) if self.manifest is not None else None
        if found is None and self.limit:
            found = await self._registered(document_key(identifier), context)
        if found is not None:
            return Resolved(found)
        if self.manifest is None and not self.limit:
            raise PersistedQueryNotSupportedError()
        raise PersistedQueryNotFoundError()

    async def _registered(self, key: str, context: RequestContext) -> str | None:
        """A document registered under `key`: from memory, else from the database."""
        if not _SHA256.match(key):
            return None  # not a SHA-256: nothing is registered under it
        found = self._memory.get(key)
        if found is not None:
            self._memory.move_to_end(key)
            return found
        found = await context.run(persisted_document, hash=key)
        if found is not None:
            self._remember(key, found)
        return found

    async def register(
        self, resolved: Resolved, result: ExecutionResult, context: RequestContext
    ) -> None:
        """Register a document sent with its hash, once it has run as a valid document."""
        sha256 = resolved.register
        if sha256 is None or _failed_as_document(result):
            return
        self._remember(sha256, resolved.query)
        if len(resolved.query) > MAX_STORED_CHARS:
            return
        try:
            await write_transaction(
                context.session,
                lambda session: persist_document(
                    session, hash=sha256, document=resolved.query, limit=self.limit
                ),
            )
        except Exception as exc:  # the answer stands; the client sends the document again
            logger.warning(
                "a persisted query could not be registered",
                exc_info=exc,
                extra={"request_id": context.request_id, "sha256": sha256},
            )

    def _remember(self, key: str, document: str) -> None:
        self._memory[key] = document
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY_SIZE:
            self._memory.popitem(last=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _failed_as_document(result: ExecutionResult) -> bool:
    return any(
        (error.extensions or {}).get("code") in _DOCUMENT_FAILURES for error in result.errors or ()
    )
