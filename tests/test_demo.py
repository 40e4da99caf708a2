"""The demo: the seed article, loaded once into an empty database."""

from __future__ import annotations

from pathlib import Path

from newsgraph.db.engine import make_sessionmaker
from newsgraph.demo import load_demo_if_empty, seed_document, seed_text
from tests.helpers import counts, engine_for

SHARED_SEED = Path(__file__).parent.parent.parent / "shared" / "seed"


def test_the_package_carries_the_shared_seed() -> None:
    if SHARED_SEED.exists():  # a developer checkout beside ../shared
        assert seed_text() == (SHARED_SEED / "000-seed.txt").read_text()


def test_the_demo_body_leaves_the_disclaimer_out() -> None:
    document = seed_document()
    assert "Risk Warning" not in document["body"]
    assert "Cryptocurrency investment" not in document["body"]
    assert document["source"]["disclaimer"]["heading"] == "Risk Warning"


async def test_loaded_once_into_an_empty_database(database_url: str) -> None:
    engine = engine_for(database_url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            first = await load_demo_if_empty(session)
        async with sessions() as session:
            second = await load_demo_if_empty(session)
    finally:
        await engine.dispose()
    assert first is not None
    assert second is None
    tally = await counts(database_url)
    assert tally["article"] == 1
    assert tally["actor"] == 10
    assert tally["event"] == 6
    assert tally["claim"] == 17
