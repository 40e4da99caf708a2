"""Claims: create one in an article, change it, delete it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.locks import hold_actors
from newsgraph.db.models import Actor, Article, Claim, ClaimAbout, Event
from newsgraph.edit.checks import locked_row, validated
from newsgraph.errors import EditError, Problem
from newsgraph.ingest.document import ClaimDoc

__all__ = ["create_claim", "delete_claim", "update_claim"]

UNSET: Any = object()


async def _exist(session: AsyncSession, model: Any, ids: list[int], field: str) -> None:
    if not ids:
        return
    found = set((await session.scalars(select(model.id).where(model.id.in_(ids)))).all())
    missing = [position for position, i in enumerate(ids) if i not in found]
    if missing:
        raise EditError(
            *(
                Problem(
                    field=("input", field, str(position)) if len(ids) > 1 else ("input", field),
                    message=f"no {model.__name__.lower()} has this ID",
                    code="NOT_FOUND",
                )
                for position in missing
            )
        )


def _span(body: str, text: str, span: tuple[int, int] | None) -> tuple[int | None, int | None]:
    """The given span, checked against the body; else where the text occurs, if it does."""
    if span is None:
        start = body.find(text)
        return (start, start + len(text)) if start >= 0 else (None, None)
    start, end = span
    if not 0 <= start < end <= len(body):
        raise EditError(
            Problem(
                field=("input", "span"),
                message=f"[{start}, {end}) is not a range inside the article body "
                f"(0 to {len(body)} characters)",
            )
        )
    return start, end


async def create_claim(
    session: AsyncSession,
    article_id: int,
    values: dict[str, Any],
    *,
    claimant_id: int | None = None,
    about_ids: list[int] = [],  # noqa: B006 - never mutated
    event_id: int | None = None,
    span: tuple[int, int] | None = None,
) -> Claim:
    """A claim in article `article_id`; the span defaults to where its text occurs."""
    doc = validated(ClaimDoc, values, ("input",))
    await hold_actors(session, [*about_ids, *([claimant_id] if claimant_id else [])])
    article = await locked_row(session, Article, article_id, ("input", "articleId"))
    await _exist(session, Actor, [i for i in [claimant_id] if i is not None], "claimantId")
    await _exist(session, Actor, about_ids, "aboutIds")
    await _exist(session, Event, [i for i in [event_id] if i is not None], "eventId")
    start, end = _span(article.body, doc.text, span)
    row = Claim(
        article_id=article_id,
        text=doc.text,
        kind=doc.kind,
        claimant_id=claimant_id,
        event_id=event_id,
        span_start=start,
        span_end=end,
    )
    session.add(row)
    await session.flush()
    session.add_all(ClaimAbout(claim_id=row.id, actor_id=i) for i in dict.fromkeys(about_ids))
    await session.flush()
    return row


async def update_claim(
    session: AsyncSession,
    claim_id: int,
    values: dict[str, Any],
    *,
    claimant_id: int | None = UNSET,
    about_ids: list[int] = UNSET,
    event_id: int | None = UNSET,
    span: tuple[int, int] | None = UNSET,
) -> Claim:
    """Change what is given: text and kind in `values`, links by keyword (None clears)."""
    about = [] if about_ids is UNSET else about_ids
    actors = [*about, *([claimant_id] if isinstance(claimant_id, int) else [])]
    await hold_actors(session, actors)  # before the claim: see db.locks
    row = await locked_row(session, Claim, claim_id, ("id",))
    doc = validated(ClaimDoc, {"text": row.text, "kind": row.kind, **values}, ("input",))
    row.text, row.kind = doc.text, doc.kind
    if claimant_id is not UNSET:
        await _exist(session, Actor, [i for i in [claimant_id] if i is not None], "claimantId")
        row.claimant_id = claimant_id
    if event_id is not UNSET:
        await _exist(session, Event, [i for i in [event_id] if i is not None], "eventId")
        row.event_id = event_id
    if about_ids is not UNSET:
        await _exist(session, Actor, about_ids, "aboutIds")
        await session.execute(delete(ClaimAbout).where(ClaimAbout.claim_id == claim_id))
        session.add_all(ClaimAbout(claim_id=claim_id, actor_id=i) for i in dict.fromkeys(about_ids))
    if span is not UNSET or "text" in values:
        body = await session.scalar(select(Article.body).where(Article.id == row.article_id))
        row.span_start, row.span_end = _span(body or "", doc.text, None if span is UNSET else span)
    await session.flush()
    return row


async def delete_claim(session: AsyncSession, claim_id: int) -> None:
    """Delete the claim (the actors and event it names stay)."""
    await locked_row(session, Claim, claim_id, ("id",))
    await session.execute(delete(Claim).where(Claim.id == claim_id))
