"""Importing many documents: one transaction each, failures reported, the rest carried on."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from newsgraph.errors import DocumentError, InputError
from newsgraph.ingest.document import parse_document
from newsgraph.ingest.files import RawDocument
from newsgraph.ingest.store import StoreResult, store_document

__all__ = ["ImportSummary", "import_documents"]

logger = logging.getLogger(__name__)

# A concurrent writer may insert the same actor, event or article between our read and
# our write (a unique violation), or deadlock with us; the document is then tried again.
_ATTEMPTS = 3
_RETRYABLE_SQLSTATES = {"23505", "40001", "40P01"}


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


async def import_documents(
    sessionmaker: async_sessionmaker[AsyncSession],
    documents: Iterable[RawDocument],
    *,
    on_error: Callable[[str], None] = lambda message: None,
    on_done: Callable[[], None] = lambda: None,
) -> ImportSummary:
    """Validate and store each document in its own transaction; invalid ones write nothing."""
    summary = ImportSummary()
    async with sessionmaker() as session:
        for item in documents:
            summary.documents += 1
            try:
                result = await _import_one(session, item)
            except InputError as exc:
                summary.failed += 1
                summary.errors.append(str(exc))
                on_error(str(exc))
            else:
                summary.outcomes[result.outcome.value] += 1
                summary.counts.update(result.counts)
            on_done()
    return summary


async def _import_one(session: AsyncSession, item: RawDocument) -> StoreResult:
    if item.error is not None:
        raise DocumentError(item.where, [item.error])
    doc = parse_document(item.raw, item.where)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with session.begin():
                return await store_document(session, doc)
        except InputError as exc:
            raise DocumentError(item.where, [str(exc)]) from None
        except (IntegrityError, DBAPIError) as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _ATTEMPTS:
                raise
            logger.info("retrying document", extra={"where": item.where, "sqlstate": sqlstate})
    raise AssertionError("unreachable")
