"""Raw article in, structured document out (and, with a session, into the graph).

    text or HTML --normalise--> lines --structure--> title, sections, disclaimer
                 --extract--> actors, events, claims --validate--> Document

Structured documents skip the first three steps. Every step raises `InputError` with
a message that says what is wrong, and nothing is written unless all of them pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from newsgraph.errors import InputError
from newsgraph.ingest.document import parse_document, parse_published_at
from newsgraph.ingest.extract import Extractor, load_extractor
from newsgraph.ingest.normalize import MAX_BYTES, html_to_text, normalize_text
from newsgraph.ingest.outcomes import StoreResult
from newsgraph.ingest.prepared import (
    PreparedDocument,
    document_input_hash,
    prepare,
    text_input_hash,
)
from newsgraph.ingest.structure import structure

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "ArticleInput",
    "design_format",
    "extract_document",
    "extracted_document",
    "ingest_article",
    "prepared_from_input",
    "text_of",
]


@dataclass(frozen=True)
class ArticleInput:
    """One article as a user hands it over: exactly one of text, HTML or a document."""

    text: str | None = None
    html: str | None = None
    document: Any = None
    url: str | None = None
    published_at: str | None = None
    source_name: str | None = None
    source_domain: str | None = None
    source_url: str | None = None
    where: str = "input"


def extract_document(
    text: str,
    *,
    published_at: str | None,
    source: dict[str, Any] | None = None,
    url: str | None = None,
    extractor: Extractor | None = None,
    max_bytes: int = MAX_BYTES,
) -> dict[str, Any]:
    """The structured document (DESIGN.md format) of raw article text."""
    if len(text.encode("utf-8", errors="replace")) > max_bytes:
        raise InputError(f"the text is over the limit of {max_bytes:,} bytes")
    reference = _reference_date(published_at)
    clean = normalize_text(text)
    parts = structure(clean.lines)
    extracted = (extractor or load_extractor(None)).extract(parts, published=reference)
    disclaimer = (
        {"heading": parts.disclaimer.heading, "text": parts.disclaimer.text}
        if parts.disclaimer
        else None
    )
    return {
        "published_at": published_at,
        "url": url,
        "source": {**(source or {}), "disclaimer": disclaimer},
        "title": parts.title,
        "dateline": clean.dateline,
        "sections": [heading for heading, _ in parts.sections],
        "body": parts.body,
        **extracted,
    }


def design_format(document: dict[str, Any]) -> dict[str, Any]:
    """An extracted document as DESIGN.md writes it: the disclaimer as its text alone."""
    source = dict(document.get("source") or {})
    disclaimer = source.get("disclaimer")
    if isinstance(disclaimer, dict):
        source["disclaimer"] = disclaimer.get("text")
    return {**document, "source": {"name": None, "domain": None, **source}}


def text_of(article: ArticleInput, max_bytes: int = MAX_BYTES) -> str:
    """The article text of a text or HTML input."""
    if article.html is not None:
        if len(article.html.encode("utf-8", errors="replace")) > max_bytes:
            raise InputError(f"the HTML is over the limit of {max_bytes:,} bytes")
        return html_to_text(article.html)
    if article.text is None or not article.text.strip():
        raise InputError("the text is empty")
    return article.text


def _reference_date(published_at: str | None) -> date:
    """The date relative expressions are resolved against: publication, else today."""
    if published_at is None:
        return datetime.now(UTC).date()
    try:
        return parse_published_at(published_at)[0].date()
    except ValueError as exc:
        raise InputError(f"published_at: {exc}") from None


def extracted_document(
    article: ArticleInput, *, extractor: Extractor | None = None, max_bytes: int = MAX_BYTES
) -> dict[str, Any]:
    """The structured document (DESIGN.md format) of a text or HTML article."""
    return extract_document(
        text_of(article, max_bytes),
        published_at=article.published_at,
        source=_given_source(article),
        url=article.url,
        extractor=extractor,
        max_bytes=max_bytes,
    )


def _given_source(article: ArticleInput) -> dict[str, str]:
    return {
        key: value
        for key, value in (
            ("name", article.source_name),
            ("domain", article.source_domain),
            ("url", article.source_url),
        )
        if value is not None
    }


def prepared_from_input(
    article: ArticleInput, *, extractor: Extractor | None = None, max_bytes: int = MAX_BYTES
) -> PreparedDocument:
    """A validated, prepared document from text, HTML or a structured document.

    Its input hash names what it was made from (`newsgraph.ingest.prepared`): the
    document as given, or the text or HTML with its source.
    """
    given = [name for name in ("text", "html", "document") if getattr(article, name) is not None]
    if len(given) != 1:
        raise InputError(
            "give exactly one of text, html and document"
            + (f" (got {', '.join(given)})" if given else "")
        )
    if article.document is not None:
        source = _given_source(article)
        raw = article.document
        if isinstance(raw, dict):
            raw = {**raw, **({"url": article.url} if article.url else {})}
            if article.published_at:
                raw["published_at"] = article.published_at
            if source:
                raw["source"] = {**(raw.get("source") or {}), **source}
        doc = parse_document(raw, article.where)
        return prepare(doc, where=article.where, input_hash=document_input_hash(raw))
    doc = parse_document(
        extracted_document(article, extractor=extractor, max_bytes=max_bytes), article.where
    )
    kind, content = ("html", article.html) if article.html is not None else ("text", article.text)
    assert content is not None
    return prepare(doc, where=article.where, input_hash=text_input_hash(kind, content, doc.source))


async def ingest_article(
    session: AsyncSession,
    article: ArticleInput,
    *,
    extractor: Extractor | None = None,
    max_bytes: int = MAX_BYTES,
) -> StoreResult:
    """Extract and store one article in the caller's transaction."""
    from newsgraph.ingest.store import store_prepared  # SQLAlchemy: not needed to extract

    return await store_prepared(
        session, prepared_from_input(article, extractor=extractor, max_bytes=max_bytes)
    )
