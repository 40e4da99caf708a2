"""The seed article, loaded into an empty database on the first `serve`.

`seed.txt` is the article as scraped, `seed.json` its structured document (copies of
the project's shared seed, so the installed package needs nothing outside itself).
The document has no body and gives its disclaimer as bare text; the demo adds the
scraped body and the block's "Risk Warning" heading, so GraphiQL shows both.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Article
from newsgraph.ingest.document import parse_document
from newsgraph.ingest.store import StoreResult, store_document

__all__ = ["load_demo_if_empty", "seed_document", "seed_text"]

DISCLAIMER_HEADING = "Risk Warning"


def seed_text() -> str:
    """The seed article exactly as scraped."""
    return files(__package__).joinpath("seed.txt").read_text(encoding="utf-8")


def seed_document() -> dict[str, Any]:
    """The seed's structured document, with the scraped body and the disclaimer heading."""
    document: dict[str, Any] = json.loads(
        files(__package__).joinpath("seed.json").read_text(encoding="utf-8")
    )
    text = seed_text()
    body, _, _ = text.partition(f"\n{DISCLAIMER_HEADING}\n")
    document["body"] = body.strip()
    document["source"]["disclaimer"] = {
        "heading": DISCLAIMER_HEADING,
        "text": document["source"]["disclaimer"],
    }
    return document


async def load_demo_if_empty(session: AsyncSession) -> StoreResult | None:
    """Store the seed article when the database holds no article yet; commit it."""
    async with session.begin():
        if (await session.execute(select(exists().select_from(Article)))).scalar_one():
            return None
        return await store_document(session, parse_document(seed_document(), "demo seed"))
