"""The seed article, loaded into an empty database on the first `serve`.

`seed.txt` is the article as scraped (a copy of the project's shared seed, so the
installed package needs nothing outside itself). It goes through the same pipeline as
any article a user ingests: normalised, structured, its Risk Warning set apart, its
actors, events and claims extracted.
"""

from __future__ import annotations

from importlib.resources import files

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Article
from newsgraph.ingest.pipeline import ArticleInput, ingest_article
from newsgraph.ingest.store import StoreResult

__all__ = ["SEED_PUBLISHED_AT", "load_demo_if_empty", "seed_text"]

SEED_PUBLISHED_AT = "2025-06-06"


def seed_text() -> str:
    """The seed article exactly as scraped."""
    return files(__package__).joinpath("seed.txt").read_text(encoding="utf-8")


async def load_demo_if_empty(session: AsyncSession) -> StoreResult | None:
    """Ingest the seed article when the database holds no article yet; commit it."""
    async with session.begin():
        if (await session.execute(select(exists().select_from(Article)))).scalar_one():
            return None
        article = ArticleInput(text=seed_text(), published_at=SEED_PUBLISHED_AT, where="demo seed")
        return await ingest_article(session, article)
