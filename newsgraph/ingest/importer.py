"""Importing many articles: one transaction each, failures reported, the rest carried on."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from newsgraph.errors import DocumentError, InputError
from newsgraph.ingest.document import Document, parse_document
from newsgraph.ingest.files import RawDocument
from newsgraph.ingest.store import StoreResult, store_document

__all__ = ["ImportSummary", "Pending", "import_documents", "pending_document", "store_with_retry"]

logger = logging.getLogger(__name__)

# A concurrent writer may insert the same actor, event or article between our read and
# our write (a unique violation), or deadlock with us; the document is then tried again.
_ATTEMPTS = 3
_RETRYABLE_SQLSTATES = {"23505", "40001", "40P01"}


@dataclass(frozen=True)
class Pending:
    """One article to import: where it came from, and how to build its document."""

    where: str
    build: Callable[[], Document]


def pending_document(item: RawDocument) -> Pending:
    """A structured document (or the reason it could not be read) as something to import."""

    def build() -> Document:
        if item.error is not None:
            raise DocumentError(item.where, [item.error])
        return parse_document(item.raw, item.where)

    return Pending(item.where, build)


@dataclass
class ImportSummary:
    """What an import did, for the summary line and the exit status."""

    documents: int = 0
    failed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line: documents read, articles created/updated/unchanged, entities touched."""
        parts = [
            f"{self.documents} documents",
            *(f"{self.outcomes[k]} {k}" for k in ("created", "updated", "unchanged")),
            f"{self.failed} failed",
        ]
        parts += [
            f"{value} {name.replace('_', ' ')}" for name, value in sorted(self.counts.items())
        ]
        return ", ".join(parts)


async def store_with_retry(session: AsyncSession, doc: Document) -> StoreResult:
    """Store `doc` in a transaction of its own, retrying a race with another writer."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with session.begin():
                return await store_document(session, doc)
        except (IntegrityError, DBAPIError) as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _ATTEMPTS:
                raise
            logger.info("retrying a document after a conflict", extra={"sqlstate": sqlstate})
    raise AssertionError("unreachable: the last attempt returns or raises")


async def import_documents(
    sessionmaker: async_sessionmaker[AsyncSession],
    items: Iterable[Pending | RawDocument],
    *,
    on_error: Callable[[str], None] = lambda message: None,
    on_done: Callable[[], None] = lambda: None,
) -> ImportSummary:
    """Build and store each item in its own transaction; invalid ones write nothing."""
    summary = ImportSummary()
    async with sessionmaker() as session:
        for item in items:
            pending = pending_document(item) if isinstance(item, RawDocument) else item
            summary.documents += 1
            try:
                result = await store_with_retry(session, pending.build())
            except DocumentError as exc:
                summary.failed += 1
                summary.errors.append(str(exc))
                on_error(str(exc))
            except InputError as exc:
                message = f"{pending.where}: {exc}"
                summary.failed += 1
                summary.errors.append(message)
                on_error(message)
            else:
                summary.outcomes[result.outcome.value] += 1
                summary.counts.update(result.counts)
            on_done()
    return summary
