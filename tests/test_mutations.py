"""The write mutations over HTTP: each one transaction, user errors, audit stamps, merges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import corpus_documents, counts, engine_for, http_client, import_raw, snapshot


@pytest.fixture
async def api(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A writer's client on a database holding the fixture corpus."""
    await import_raw(database_url, corpus_documents())
    async with http_client(db_engine, database_url, key=write_key) as client:
        yield client


async def call(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """Run one operation; fail on any GraphQL error; the data."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def actor_id(client: httpx.AsyncClient, name: str) -> str:
    data = await call(client, "query($n: String) { actor(name: $n) { id } }", n=name)
    return str(data["actor"]["id"])


async def event_id(client: httpx.AsyncClient, title: str) -> str:
    data = await call(client, "{ events(first: 100) { nodes { id title } } }")
    return next(str(e["id"]) for e in data["events"]["nodes"] if e["title"] == title)


async def test_sources_create_and_update_with_disclaimer(
    api: httpx.AsyncClient, database_url: str
) -> None:
    created = await call(
        api,
        """mutation { createSource(input: {name: "Daily Ledger", domain: "ledger.example",
             disclaimer: {heading: "Notice", text: "Not advice."}}) {
           source { id name domain disclaimer { heading text } } userErrors { code } } }""",
    )
    source = created["createSource"]["source"]
    assert source["disclaimer"] == {"heading": "Notice", "text": "Not advice."}
    updated = await call(
        api,
        """mutation($id: ID!) {
           updateSource(id: $id, input: {disclaimer: null, url: "https://l.example"}) {
             source { name url disclaimer { text } } userErrors { code } } }""",
        id=source["id"],
    )
    assert updated["updateSource"]["source"] == {
        "name": "Daily Ledger",
        "url": "https://l.example",
        "disclaimer": None,
    }


async def test_source_conflicts_are_user_errors(api: httpx.AsyncClient, database_url: str) -> None:
    before = await counts(database_url)
    result = await call(
        api,
        """mutation { createSource(input: {name: "Copy", domain: "globalwire.example"}) {
             source { id } userErrors { field message code } } }""",
    )
    payload = result["createSource"]
    assert payload["source"] is None
    assert payload["userErrors"][0]["field"] == ["input", "domain"]
    assert payload["userErrors"][0]["code"] == "CONFLICT"
    assert await counts(database_url) == before


async def test_actor_create_update_and_validation(api: httpx.AsyncClient) -> None:
    china = await actor_id(api, "China")
    created = await call(
        api,
        """mutation($china: ID!) { createActor(input: {name: "Wang Wentao", kind: PERSON,
             title: "Commerce Minister", country: "cn", affiliationId: $china}) {
           actor { name country affiliation { name } } userErrors { code } } }""",
        china=china,
    )
    assert created["createActor"]["actor"] == {
        "name": "Wang Wentao",
        "country": "CN",
        "affiliation": {"name": "China"},
    }
    bad = await call(
        api,
        """mutation { createActor(input: {name: "X", kind: PERSON, country: "Atlantis"}) {
             actor { id } userErrors { field message code } } }""",
    )
    (error,) = bad["createActor"]["userErrors"]
    assert error["field"] == ["input", "country"]
    assert error["code"] == "INVALID_INPUT"
    assert "ISO 3166" in error["message"]
    wang = await actor_id(api, "Wang Wentao")
    renamed = await call(
        api,
        """mutation($id: ID!) {
           updateActor(id: $id, input: {aliases: ["Wang"], affiliationId: null}) {
             actor { name aliases affiliation { name } } } }""",
        id=wang,
    )
    assert renamed["updateActor"]["actor"] == {
        "name": "Wang Wentao",
        "aliases": ["Wang"],
        "affiliation": None,
    }


async def test_merge_actors_moves_everything_and_redirects_the_id(
    api: httpx.AsyncClient, database_url: str
) -> None:
    query = """query($id: ID!) { node(id: $id) { ... on Actor { id name aliases
        claims { totalCount } claimsAbout { totalCount } events { totalCount }
        articles { totalCount } } } }"""
    into, merged = await actor_id(api, "United States"), await actor_id(api, "Donald Trump")
    before_into = (await call(api, query, id=into))["node"]
    before_merged = (await call(api, query, id=merged))["node"]
    result = await call(
        api,
        """mutation($into: ID!, $from: ID!) { mergeActors(into: $into, from: $from) {
             mergedId actor { id name aliases claims { totalCount } } userErrors { code } } }""",
        into=into,
        **{"from": merged},
    )
    payload = result["mergeActors"]
    assert payload["mergedId"] == merged
    assert "Donald Trump" in payload["actor"]["aliases"]
    after = (await call(api, query, id=into))["node"]
    assert after["claims"]["totalCount"] == (
        before_into["claims"]["totalCount"] + before_merged["claims"]["totalCount"]
    )
    for relation in ("claimsAbout", "events", "articles"):
        assert after[relation]["totalCount"] >= before_into[relation]["totalCount"]
        assert after[relation]["totalCount"] >= before_merged[relation]["totalCount"]
    redirected = (await call(api, query, id=merged))["node"]
    assert redirected["id"] == into
    by_old_id = await call(
        api,
        """query($old: ID!) { claims(filter: {claimantId: $old}) { totalCount }
             articles(filter: {actorId: $old}) { totalCount }
             events(filter: {actorId: $old}) { totalCount } }""",
        old=merged,
    )
    assert by_old_id["claims"]["totalCount"] == after["claims"]["totalCount"]
    assert by_old_id["articles"]["totalCount"] == after["articles"]["totalCount"]
    assert by_old_id["events"]["totalCount"] == after["events"]["totalCount"]
    again = await call(
        api,
        """mutation($into: ID!, $from: ID!) { mergeActors(into: $into, from: $from) {
             actor { id } userErrors { field code } } }""",
        into=into,
        **{"from": merged},
    )
    assert again["mergeActors"]["userErrors"] == [{"field": ["from"], "code": "CONFLICT"}]


async def test_events_participants_and_links(api: httpx.AsyncClient) -> None:
    created = await call(
        api,
        """mutation { createEvent(input: {title: "Tariff summit", kind: MEETING,
             status: SCHEDULED, date: "2025-07", location: "Geneva"}) {
           event { id date datePrecision status } userErrors { field message } } }""",
    )
    event = created["createEvent"]["event"]
    assert (event["date"], event["datePrecision"]) == ("2025-07-01", "MONTH")
    bessent = await actor_id(api, "Scott Bessent")
    added = await call(
        api,
        """mutation($e: ID!, $a: ID!) { addParticipant(eventId: $e, actorId: $a, role: "lead") {
             event { participants { role actor { name } } } } }""",
        e=event["id"],
        a=bessent,
    )
    assert added["addParticipant"]["event"]["participants"] == [
        {"role": "lead", "actor": {"name": "Scott Bessent"}}
    ]
    talks = await event_id(api, "U.S.-China trade talks in London")
    linked = await call(
        api,
        """mutation($f: ID!, $t: ID!) { linkEvents(fromId: $f, toId: $t, kind: CAUSES) {
             event { leadsTo { title } } } }""",
        f=talks,
        t=event["id"],
    )
    assert {"title": "Tariff summit"} in linked["linkEvents"]["event"]["leadsTo"]
    unlinked = await call(
        api,
        """mutation($f: ID!, $t: ID!) { unlinkEvents(fromId: $f, toId: $t, kind: CAUSES) {
             event { leadsTo { title } } } }""",
        f=talks,
        t=event["id"],
    )
    assert {"title": "Tariff summit"} not in unlinked["unlinkEvents"]["event"]["leadsTo"]
    removed = await call(
        api,
        """mutation($e: ID!, $a: ID!) { removeParticipant(eventId: $e, actorId: $a) {
             event { participants { role } } } }""",
        e=event["id"],
        a=bessent,
    )
    assert removed["removeParticipant"]["event"]["participants"] == []
    missing = await call(
        api,
        """mutation($e: ID!, $a: ID!) { removeParticipant(eventId: $e, actorId: $a) {
             event { id } userErrors { field code } } }""",
        e=event["id"],
        a=bessent,
    )
    assert missing["removeParticipant"]["userErrors"] == [
        {"field": ["actorId"], "code": "NOT_FOUND"}
    ]


async def test_claims_create_update_delete(api: httpx.AsyncClient, database_url: str) -> None:
    article = (await call(api, "{ articles(first: 1) { nodes { id body } } }"))["articles"]
    article_id, body = article["nodes"][0]["id"], article["nodes"][0]["body"]
    sentence = body.split(".")[0] + "."
    china = await actor_id(api, "China")
    created = await call(
        api,
        """mutation($a: ID!, $t: String!, $c: ID!) { createClaim(input: {articleId: $a,
             text: $t, kind: STATEMENT, aboutIds: [$c]}) {
           claim { id text claimant { name } about { name } span { start end } } } }""",
        a=article_id,
        t=sentence,
        c=china,
    )
    claim = created["createClaim"]["claim"]
    assert claim["span"] == {"start": 0, "end": len(sentence)}
    assert claim["about"] == [{"name": "China"}]
    bessent = await actor_id(api, "Scott Bessent")
    updated = await call(
        api,
        """mutation($id: ID!, $b: ID!) { updateClaim(id: $id, input: {kind: QUOTE,
             claimantId: $b, aboutIds: []}) {
           claim { kind claimant { name } about { name } } } }""",
        id=claim["id"],
        b=bessent,
    )
    assert updated["updateClaim"]["claim"] == {
        "kind": "QUOTE",
        "claimant": {"name": "Scott Bessent"},
        "about": [],
    }
    bad_span = await call(
        api,
        """mutation($id: ID!) { updateClaim(id: $id, input: {span: {start: 5, end: 2}}) {
             claim { id } userErrors { field code } } }""",
        id=claim["id"],
    )
    assert bad_span["updateClaim"]["userErrors"] == [
        {"field": ["input", "span"], "code": "INVALID_INPUT"}
    ]
    deleted = await call(
        api,
        "mutation($id: ID!) { deleteClaim(id: $id) { deletedId userErrors { code } } }",
        id=claim["id"],
    )
    assert deleted["deleteClaim"] == {"deletedId": claim["id"], "userErrors": []}
    assert (await call(api, "query($id: ID!) { claim(id: $id) { id } }", id=claim["id"]))[
        "claim"
    ] is None


async def test_delete_article_keeps_what_others_support(
    api: httpx.AsyncClient, database_url: str
) -> None:
    articles = (await call(api, "{ articles(first: 50) { nodes { id title } } }"))["articles"]
    court = next(a["id"] for a in articles["nodes"] if a["title"].startswith("Trade court"))
    result = await call(
        api,
        """mutation($id: ID!) { deleteArticle(id: $id) {
             deletedId deletedEventIds deletedActorIds userErrors { code } } }""",
        id=court,
    )
    payload = result["deleteArticle"]
    assert payload["deletedId"] == court
    assert len(payload["deletedEventIds"]) == 2  # the ruling and the appeal: only it reported them
    assert payload["deletedActorIds"], "the court and the White House were only in this one"
    for gone in payload["deletedActorIds"]:
        assert (await call(api, "query($id: ID!) { node(id: $id) { id } }", id=gone))[
            "node"
        ] is None
    for kept in ("United States", "Donald Trump"):  # other articles mention them
        assert await actor_id(api, kept)
    assert (await call(api, "query($id: ID!) { node(id: $id) { id } }", id=court))["node"] is None
    remaining = await snapshot(database_url)
    assert len(remaining["article"]) == len(articles["nodes"]) - 1


async def test_writes_are_stamped_with_the_key(api: httpx.AsyncClient, database_url: str) -> None:
    await call(
        api,
        """mutation { createActor(input: {name: "Audit Probe", kind: ORGANIZATION}) {
             actor { id } } }""",
    )
    engine = engine_for(database_url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT a.created_by_key_id, a.updated_by_key_id, k.name FROM actor a "
                        "JOIN api_key k ON k.id = a.created_by_key_id WHERE a.name = 'Audit Probe'"
                    )
                )
            ).one()
            await connection.execute(
                text("UPDATE actor SET title = 't' WHERE name = 'Audit Probe'")
            )
            updated_by = await connection.scalar(
                text("SELECT updated_by_key_id FROM actor WHERE name = 'Audit Probe'")
            )
    finally:
        await engine.dispose()
    assert row.name == "test-writer"
    assert row.created_by_key_id == row.updated_by_key_id
    assert updated_by is None  # a write without a key (here: plain SQL) is stamped as such


async def test_a_nul_character_is_a_user_error(api: httpx.AsyncClient, database_url: str) -> None:
    before = await counts(database_url)
    result = await call(
        api,
        """mutation($name: String!) { createActor(input: {name: $name, kind: PERSON}) {
             actor { id } userErrors { field message code } } }""",
        name="Nul\x00Person",
    )
    (error,) = result["createActor"]["userErrors"]
    assert error["field"] == ["input", "name"]
    assert "control characters" in error["message"]
    assert "\\x00" in error["message"]
    assert await counts(database_url) == before
