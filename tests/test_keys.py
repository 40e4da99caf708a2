"""`newsgraph keys create|list|revoke`, and what a key then does over HTTP."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import engine_for, http_client
from tests.test_cli import run


def test_create_list_revoke(database_url: str) -> None:
    created = run("keys", "create", "--name", "ingest-bot", "--scope", "write", url=database_url)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("ngk_")
    assert "only time it is shown" in created.stderr
    listed = run("keys", "list", "--json", url=database_url)
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["name"] == "ingest-bot"
    assert row["scope"] == "write"
    assert secret.startswith(f"ngk_{row['prefix']}_")
    assert row["last_used_at"] is None
    assert row["revoked_at"] is None
    assert secret not in listed.stdout
    table = run("keys", "list", url=database_url)
    assert "ingest-bot" in table.stdout
    revoked = run("keys", "revoke", "ingest-bot", url=database_url)
    assert revoked.returncode == 0, revoked.stderr
    (row,) = [
        json.loads(line)
        for line in run("keys", "list", "--json", url=database_url).stdout.splitlines()
    ]
    assert row["revoked_at"] is not None


def test_bad_key_commands_say_what_is_wrong(database_url: str) -> None:
    assert run("keys", "create", "--name", "a", url=database_url).returncode == 0
    again = run("keys", "create", "--name", "a", url=database_url)
    assert again.returncode == 1
    assert "a key named 'a' exists already" in again.stderr
    bad_name = run("keys", "create", "--name", "has space", url=database_url)
    assert bad_name.returncode == 1
    assert "key name 'has space'" in bad_name.stderr
    bad_scope = run("keys", "create", "--name", "b", "--scope", "root", url=database_url)
    assert bad_scope.returncode == 2
    assert "root" in bad_scope.stderr
    missing = run("keys", "revoke", "nobody", url=database_url)
    assert missing.returncode == 1
    assert "no key named 'nobody'" in missing.stderr


async def test_a_key_is_checked_and_its_use_recorded(
    database_url: str, db_engine: AsyncEngine
) -> None:
    secret = run("keys", "create", "--name", "reader", url=database_url).stdout.strip()
    async with http_client(db_engine, database_url, key=secret) as client:
        response = await client.post("/graphql", json={"query": "{ articles { totalCount } }"})
    assert response.status_code == 200, response.text
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            used = await connection.scalar(text("SELECT last_used_at FROM api_key"))
    finally:
        await engine.dispose()
    assert used is not None
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    async with http_client(db_engine, database_url, key=tampered) as client:
        response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with http_client(db_engine, database_url) as client:
        response = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Basic x"}
        )
    assert response.status_code == 401
    assert "Bearer" in response.json()["errors"][0]["message"]
