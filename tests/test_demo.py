"""The demo: the seed text, run through the ingest pipeline into an empty database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from newsgraph.db.engine import make_sessionmaker
from newsgraph.demo import load_demo_if_empty, seed_text
from tests.helpers import counts, engine_for

SHARED_SEED = Path(__file__).parent.parent.parent / "shared" / "seed"


def test_the_package_carries_the_shared_seed() -> None:
    if SHARED_SEED.exists():  # a developer checkout beside ../shared
        assert seed_text() == (SHARED_SEED / "000-seed.txt").read_text()


async def test_loaded_once_into_an_empty_database(database_url: str) -> None:
    engine = engine_for(database_url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            first = await load_demo_if_empty(session)
        async with sessions() as session:
            second = await load_demo_if_empty(session)
        async with engine.connect() as connection:
            body, heading = (
                await connection.execute(text("SELECT body, disclaimer_heading FROM article"))
            ).one()
    finally:
        await engine.dispose()
    assert first is not None
    assert second is None
    assert heading == "Risk Warning"
    assert "Risk Warning" not in body
    assert "Cryptocurrency investment" not in body
    tally = await counts(database_url)
    assert (tally["article"], tally["actor"], tally["event"], tally["claim"]) == (1, 9, 5, 14)
