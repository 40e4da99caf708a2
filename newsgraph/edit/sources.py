"""Sources: create one, or change its name, domain, home page and disclaimer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Source
from newsgraph.edit.checks import locked_row, validated
from newsgraph.errors import EditError, Problem
from newsgraph.ingest.document import SourceDoc

__all__ = ["create_source", "update_source"]


def _columns(doc: SourceDoc) -> dict[str, Any]:
    if doc.name is None:
        raise EditError(Problem(field=("input", "name"), message="a source needs a name"))
    return {
        "name": doc.name,
        "domain": doc.domain,
        "url": doc.url,
        "disclaimer_heading": doc.disclaimer.heading if doc.disclaimer else None,
        "disclaimer_text": doc.disclaimer.text if doc.disclaimer else None,
    }


async def _refuse_taken(session: AsyncSession, columns: dict[str, Any], own_id: int | None) -> None:
    """A domain names one source; so does a name among sources without a domain."""
    if columns["domain"] is not None:
        taken = select(Source.id).where(Source.domain == columns["domain"])
        field, what = "domain", f"domain {columns['domain']!r}"
    else:
        taken = select(Source.id).where(Source.name == columns["name"], Source.domain.is_(None))
        field, what = "name", f"name {columns['name']!r} (and no domain)"
    other = await session.scalar(taken.where(Source.id != own_id) if own_id else taken)
    if other is not None:
        raise EditError(
            Problem(
                field=("input", field),
                message=f"another source has the {what}: update that one instead",
                code="CONFLICT",
            )
        )


async def create_source(session: AsyncSession, values: dict[str, Any]) -> Source:
    """A new source from `name`, `domain`, `url` and `disclaimer` ({heading, text})."""
    columns = _columns(validated(SourceDoc, values, ("input",)))
    await _refuse_taken(session, columns, None)
    row = Source(**columns)
    session.add(row)
    await session.flush()
    return row


async def update_source(session: AsyncSession, source_id: int, changes: dict[str, Any]) -> Source:
    """Apply `changes` (only the keys given; `disclaimer: None` removes the disclaimer)."""
    row = await locked_row(session, Source, source_id, ("id",))
    current = {
        "name": row.name,
        "domain": row.domain,
        "url": row.url,
        "disclaimer": {"heading": row.disclaimer_heading, "text": row.disclaimer_text}
        if row.disclaimer_text
        else None,
    }
    columns = _columns(validated(SourceDoc, {**current, **changes}, ("input",)))
    await _refuse_taken(session, columns, row.id)
    for name, value in columns.items():
        setattr(row, name, value)
    await session.flush()
    return row
