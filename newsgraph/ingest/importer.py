"""Importing many articles: one transaction each, failures reported, the rest carried on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from newsgraph.db.transactions import write_transaction
from newsgraph.errors import DocumentError, InputError, Problem
from newsgraph.ingest.document import Document, parse_document
from newsgraph.ingest.files import RawDocument
from newsgraph.ingest.store import StoreResult, store_document

__all__ = ["ImportSummary", "Pending", "import_documents", "pending_document", "store_with_retry"]


@dataclass(frozen=True)
class Pending:
    """One article to import: where it came from, and how to build its document."""

    where: str
    build: Callable[[], Document]


def pending_document(item: RawDocument) -> Pending:
    """A structured document (or the reason it could not be read) as something to import."""

    def build() -> Document:
        if item.error is not None:
            raise DocumentError(
                item.where, [Problem(field=(), message=item.error, code="INVALID_DOCUMENT")]
            )
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


async def store_with_retry(
    session: AsyncSession, doc: Document, *, writer_key_id: int | None = None
) -> StoreResult:
    """Store `doc` in a transaction of its own, retrying a race with another writer."""
    return await write_transaction(
        session, lambda s: store_document(s, doc), writer_key_id=writer_key_id
    )


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
