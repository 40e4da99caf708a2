"""One article to store, as read from the input, before anything is made of it."""

from __future__ import annotations

from dataclasses import dataclass

from newsgraph.ingest.pipeline import ArticleInput

__all__ = ["Item"]


@dataclass(frozen=True, slots=True)
class Item:
    """Where an article is in the input, and what it is made from: a structured document's
    JSON text, or a text or HTML article with its metadata; or why it could not be read.

    Items are plain data: a bulk import sends them to worker processes to be prepared.
    """

    where: str
    size: int = 0  # the bytes of input it stands for (for progress)
    document: bytes | None = None
    article: ArticleInput | None = None
    error: str | None = None
