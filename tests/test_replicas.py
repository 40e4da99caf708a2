"""A read replica (`NEWSGRAPH_READ_DATABASE_URL`): reads there, writes and a writer's next
reads on the primary. The "replica" here is a second database on the test server that
holds other data, so where an answer came from shows in it (streaming replication is
not set up by the tests)."""

from __future__ import annotations

from typing import Any

import pytest

from newsgraph.ingest.files import RawDocument
from tests.helpers import http_client, import_raw, small_document

FEED = {"query": "{ articles(first: 5) { nodes { title source { name } } } }"}
INGEST = """
  mutation ($input: IngestArticleInput!) { ingestArticle(input: $input) { created } }
"""


def titles(body: dict[str, Any]) -> list[str]:
    assert "errors" not in body, body
    return [node["title"] for node in body["data"]["articles"]["nodes"]]


@pytest.mark.parametrize("executor", ["compiled", "resolvers"])
async def test_reads_go_to_the_replica_and_a_writers_reads_to_the_primary(
    database_url: str, new_database: Any, write_key: str, executor: str
) -> None:
    replica = await new_database()
    await import_raw(replica, [RawDocument("r", raw=small_document(1, source="Replica"))])
    settings = {"read_database_url": replica, "executor": executor}
    async with (
        http_client(None, database_url, **settings) as anonymous,
        http_client(None, database_url, key=write_key, **settings) as writer,
    ):
        assert titles((await anonymous.post("/graphql", json=FEED)).json()) == ["Story number 1"]
        assert titles((await writer.post("/graphql", json=FEED)).json()) == ["Story number 1"]
        variables = {"input": {"document": small_document(2, source="Primary")}}
        written = await writer.post("/graphql", json={"query": INGEST, "variables": variables})
        assert written.json()["data"]["ingestArticle"]["created"] is True
        # the writer reads its write (the primary); everyone else still reads the replica
        assert titles((await writer.post("/graphql", json=FEED)).json()) == ["Story number 2"]
        assert titles((await anonymous.post("/graphql", json=FEED)).json()) == ["Story number 1"]
    # another process (a fresh app) knows of the write from the key's row
    async with http_client(None, database_url, key=write_key, **settings) as elsewhere:
        assert titles((await elsewhere.post("/graphql", json=FEED)).json()) == ["Story number 2"]
    async with http_client(
        None, database_url, key=write_key, read_after_write=0, **settings
    ) as later:  # once the window has passed, the replica again
        assert titles((await later.post("/graphql", json=FEED)).json()) == ["Story number 1"]
