"""Every field of the contract, in every direction, on the fixture corpus and the seed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.helpers import graphql, graphql_errors

SEED_WARNING = (
    "Cryptocurrency investment carries high risks, and its price may fluctuate dramatically. "
    "You may lose all your principal. Please carefully assess the risks."
)


async def _id(corpus: AsyncSession, query: str, *path: str) -> str:
    data, _ = await graphql(corpus, query)
    for key in path:
        data = data[key]
    return str(data)


async def test_article_fields_and_relations(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ article(url: "https://tokenwatch.example/analysis/rare-earths-and-chips") {
            id url title publishedAt language body ingestedAt
            sections { position heading text }
            source { name domain url disclaimer { heading text source { name } } }
            disclaimer { heading text }
            actors { totalCount nodes { name } }
            events { totalCount nodes { title } }
            claims { totalCount nodes { text kind } }
        } }""",
    )
    article = data["article"]
    assert article["title"] == "Rare earths and chips: what the London framework leaves open"
    assert article["publishedAt"] == "2025-06-12T00:00:00+00:00"
    assert article["language"] is None
    assert article["body"].startswith("The U.S. Department of Commerce warned")
    assert article["ingestedAt"]
    assert article["sections"] == []
    assert article["source"] == {
        "name": "TokenWatch",
        "domain": "tokenwatch.example",
        "url": None,
        "disclaimer": {
            "heading": "Risk Disclosure",
            "text": "Trading crypto assets involves significant risk. "
            "Nothing here is financial advice.",
            "source": {"name": "TokenWatch"},
        },
    }
    assert article["disclaimer"]["heading"] == "Risk Disclosure"
    assert [a["name"] for a in article["actors"]["nodes"]] == [
        "United States",
        "China",
        "U.S. Department of Commerce",
    ]
    assert article["actors"]["totalCount"] == 3
    assert [e["title"] for e in article["events"]["nodes"]] == [
        "London framework agreement",
        "Follow-up U.S.-China trade meeting",
    ]
    assert [c["kind"] for c in article["claims"]["nodes"]] == ["STATEMENT", "PROMISE", "PREDICTION"]


async def test_seed_sections_and_its_risk_warning(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ articles(filter: {search: "Truth Social"}) { nodes {
            title sections { position heading text } disclaimer { heading text }
            source { name disclaimer { text } } } } }""",
    )
    (seed,) = data["articles"]["nodes"]
    assert seed["title"] == (
        "U.S. President Donald Trump announced on Friday on Truth Social that the United States "
        "and China will restart trade negotiations in London next week."
    )
    assert [s["position"] for s in seed["sections"]] == [0, 1, 2, 3]
    assert seed["sections"][0]["heading"].startswith("U.S. High-Level Officials Gather in London")
    assert seed["sections"][0]["text"].startswith("Trump stated that U.S. Treasury Secretary")
    assert seed["disclaimer"] == {"heading": "Risk Warning", "text": SEED_WARNING}
    assert seed["source"] == {"name": "Unknown source", "disclaimer": {"text": SEED_WARNING}}


async def test_an_article_without_its_own_disclaimer_takes_its_sources(
    corpus: AsyncSession,
) -> None:
    data, _ = await graphql(
        corpus,
        """{ a: article(url: "https://cryptodaily.example/markets/bitcoin-rises-on-trade-hopes") {
               disclaimer { heading } }
             b: article(url: "https://dailyherald.example/world/london-framework-agreed") {
               disclaimer { heading } }
             c: article(url: "https://nowhere.example/x") { title } }""",
    )
    assert data == {
        "a": {"disclaimer": {"heading": "Disclaimer"}},
        "b": {"disclaimer": None},
        "c": None,
    }


async def test_actor_fields_and_relations(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ actor(name: "Bessent") {
            name kind title country aliases wikidataId
            affiliation { name kind }
            claims { totalCount nodes { text } }
            claimsAbout { totalCount }
            events { totalCount edges { cursor node { role event { title } actor { name } } } }
            articles { totalCount nodes { title } }
        } }""",
    )
    actor = data["actor"]
    assert actor["name"] == "Scott Bessent"
    assert actor["kind"] == "PERSON"
    assert actor["title"] == "U.S. Treasury Secretary"
    assert actor["country"] == "US"
    assert actor["aliases"] == ["Bessent"]
    assert actor["wikidataId"] is None
    assert actor["affiliation"] == {"name": "United States", "kind": "COUNTRY"}
    assert actor["claims"]["totalCount"] == 2
    assert actor["claims"]["nodes"][0]["text"].startswith('"We had a good meeting,"')
    assert actor["claimsAbout"]["totalCount"] == 1  # the seed's "Bessent will lead a delegation"
    participations = [edge["node"] for edge in actor["events"]["edges"]]
    assert {(p["role"], p["event"]["title"]) for p in participations} == {
        ("lead", "U.S.-China trade talks in London"),
    }
    assert participations[0]["actor"]["name"] == "Scott Bessent"
    assert actor["articles"]["totalCount"] == 3


async def test_claims_about_and_filters_on_an_actor(corpus: AsyncSession) -> None:
    china = await _id(corpus, '{ actor(name: "Beijing") { id } }', "actor", "id")
    data, _ = await graphql(
        corpus,
        """query($id: ID!) { node(id: $id) { ... on Actor { name
            claims(filter: {kind: DENIAL}) { nodes { text } }
            claimsAbout(first: 100) { totalCount } } } }""",
        {"id": china},
    )
    node = data["node"]
    assert node["name"] == "China"
    assert node["claims"]["nodes"] == [
        {"text": "Beijing denied that it had slowed exports of rare earth minerals."}
    ]
    assert node["claimsAbout"]["totalCount"] >= 5


async def test_event_fields_and_relations(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ events(filter: {kind: NEGOTIATION, from: "2025-06-09", to: "2025-06-09"}) { nodes {
            title kind status location date datePrecision dateText
            participants { role actor { name } event { title } }
            causedBy { title } leadsTo { title }
            articles { totalCount nodes { title } }
            claims { totalCount }
            disclaimers { heading text source { name } }
        } } }""",
    )
    (talks,) = data["events"]["nodes"]
    assert talks["title"] == "U.S.-China trade talks in London"
    assert (talks["kind"], talks["status"], talks["location"]) == (
        "NEGOTIATION",
        "OCCURRED",
        "London",
    )
    assert (talks["date"], talks["datePrecision"], talks["dateText"]) == (
        "2025-06-09",
        "DAY",
        "on Monday",
    )
    assert [(p["role"], p["actor"]["name"]) for p in talks["participants"]] == [
        ("lead", "Scott Bessent"),
        ("participant", "Howard Lutnick"),
        ("lead", "He Lifeng"),
        ("party", "United States"),
        ("party", "China"),
        ("participant", "Jamieson Greer"),
    ]
    assert {p["event"]["title"] for p in talks["participants"]} == {talks["title"]}
    assert talks["causedBy"] == [{"title": "Trump-Xi phone call"}]
    assert talks["leadsTo"] == [{"title": "London framework agreement"}]
    assert talks["articles"]["totalCount"] == 4  # three sources, and the seed
    assert talks["claims"]["totalCount"] == 10
    assert talks["disclaimers"] == [
        {
            "heading": "Disclaimer",
            "text": "This article is for information only and is not investment advice. "
            "Digital assets are volatile.",
            "source": {"name": "Crypto Daily"},
        },
        {"heading": "Risk Warning", "text": SEED_WARNING, "source": {"name": "Unknown source"}},
    ]


async def test_event_reported_by_the_seed_and_another_source(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ events(filter: {kind: CALL}) { nodes { title datePrecision
            articles { nodes { source { name } } } disclaimers { heading } } } }""",
    )
    (call,) = data["events"]["nodes"]
    assert call["title"] == "Trump-Xi phone call"
    assert {a["source"]["name"] for a in call["articles"]["nodes"]} == {
        "Global Wire",
        "Unknown source",
    }
    assert call["disclaimers"] == [{"heading": "Risk Warning"}]


async def test_claim_fields_and_relations(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ claims(filter: {search: "appeal ruling"}) { nodes {
            id text kind span { start end }
            claimant { name } about { name } event { title status }
            article { title body } disclaimer { heading text }
        } } }""",
    )
    (claim,) = data["claims"]["nodes"]
    assert claim["text"] == "The White House said it would appeal the ruling."
    assert claim["kind"] == "PROMISE"
    body = claim["article"]["body"]
    assert body[claim["span"]["start"] : claim["span"]["end"]] == claim["text"]
    assert claim["claimant"] == {"name": "White House"}
    assert claim["about"] == [{"name": "U.S. Court of International Trade"}]
    assert claim["event"] == {
        "title": "White House appeal of the tariff ruling",
        "status": "SCHEDULED",
    }
    assert claim["disclaimer"] == {"heading": None, "text": "This article is not legal advice."}


async def test_a_publisher_claim_has_no_claimant(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        "{ claims(filter: {kind: STATISTIC}, first: 100) { nodes { text claimant { name } } } }",
    )
    texts = {c["text"][:30]: c["claimant"] for c in data["claims"]["nodes"]}
    assert texts["The total bilateral trade last"] is None


async def test_source_fields_and_articles(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ sources(first: 100) { totalCount nodes { name domain
            articles(orderBy: PUBLISHED_AT_ASC) { totalCount nodes { title } } } } }""",
    )
    sources = {s["name"]: s for s in data["sources"]["nodes"]}
    assert data["sources"]["totalCount"] == 7
    assert sources["Unknown source"]["domain"] is None
    assert sources["Global Wire"]["articles"]["totalCount"] == 1
    assert sources["Global Wire"]["articles"]["nodes"][0]["title"].startswith(
        "U.S. and Chinese negotiators"
    )


async def test_article_filters(corpus: AsyncSession) -> None:
    ids, _ = await graphql(
        corpus,
        """{ actor(name: "Scott Bessent") { id }
             events(filter: {kind: NEGOTIATION}) { nodes { id } }
             sources(first: 1) { nodes { id } } }""",
    )
    bessent = ids["actor"]["id"]
    talks = ids["events"]["nodes"][0]["id"]
    wire = ids["sources"]["nodes"][0]["id"]

    async def titles(filter_: str) -> list[str]:
        query = f"{{ articles(first: 100, filter: {filter_}) {{ nodes {{ title }} }} }}"
        data, _ = await graphql(corpus, query)
        return [n["title"][:24] for n in data["articles"]["nodes"]]

    assert await titles(f'{{actorId: "{bessent}"}}') == [
        "U.S. and China agree fra",
        "U.S. and Chinese negotia",
        "U.S. President Donald Tr",
    ]
    assert len(await titles(f'{{eventId: "{talks}"}}')) == 4
    assert await titles(f'{{sourceId: "{wire}"}}') == ["U.S. and Chinese negotia"]
    assert await titles(
        '{publishedAfter: "2025-06-11T00:00:00Z", publishedBefore: "2025-06-12T00:00:00Z"}'
    ) == ["U.S. and China agree fra"]
    assert await titles('{search: "parliament tariffs"}') == ["European Parliament vote"]
    assert await titles(f'{{search: "bitcoin", actorId: "{bessent}"}}') == []


async def test_actor_and_claim_and_event_filters(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ people: actors(first: 100, filter: {kind: PERSON, country: "cn"}) { nodes { name } }
             search: actors(filter: {search: "commerce"}) { nodes { name } }
             byAlias: actors(filter: {search: "MOFCOM"}) { nodes { name } }
             quotes: claims(first: 100, filter: {kind: QUOTE}) { totalCount }
             scheduled: events(filter: {status: SCHEDULED}, orderBy: DATE_ASC) {
                nodes { title date } } }""",
    )
    assert {n["name"] for n in data["people"]["nodes"]} == {"He Lifeng", "Xi Jinping"}
    assert {n["name"] for n in data["search"]["nodes"]} == {
        "Ministry of Commerce of China",
        "U.S. Department of Commerce",
    }
    assert data["byAlias"]["nodes"] == [{"name": "Ministry of Commerce of China"}]
    assert data["quotes"]["totalCount"] == 5
    assert data["scheduled"]["nodes"][0]["date"] is None  # undated sorts as the oldest
    # the London talks were scheduled in the seed, but another report says they occurred
    assert [n["title"] for n in data["scheduled"]["nodes"]][1:] == [
        "Follow-up U.S.-China trade meeting"
    ]


async def test_claim_filters_by_claimant_about_and_event(corpus: AsyncSession) -> None:
    trump = await _id(corpus, '{ actor(name: "Trump") { id } }', "actor", "id")
    data, _ = await graphql(
        corpus,
        """query($t: ID) { made: claims(first: 100, filter: {claimantId: $t}) { totalCount }
            about: claims(first: 100, filter: {aboutId: $t}) { nodes { text } } }""",
        {"t": trump},
    )
    assert data["made"]["totalCount"] == 6
    assert [n["text"][:20] for n in data["about"]["nodes"]] == ["Bessent said the fra"]


async def test_orderings(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ newest: articles(first: 3) { nodes { publishedAt } }
             oldest: articles(first: 2, orderBy: PUBLISHED_AT_ASC) { nodes { publishedAt } }
             ingested: articles(first: 100, orderBy: INGESTED_AT_ASC) { nodes { url } }
             latest: articles(first: 1, orderBy: INGESTED_AT_DESC) { nodes { url } }
             recent: events(first: 2) { nodes { date } }
             early: events(first: 2, orderBy: DATE_ASC) { nodes { date } } }""",
    )
    assert [n["publishedAt"][:10] for n in data["newest"]["nodes"]] == [
        "2025-06-12",
        "2025-06-12",
        "2025-06-11",
    ]
    assert [n["publishedAt"][:10] for n in data["oldest"]["nodes"]] == ["2025-05-29", "2025-06-06"]
    assert data["ingested"]["nodes"][-1] == data["latest"]["nodes"][0]
    assert [n["date"] for n in data["recent"]["nodes"]] == ["2025-07-01", "2025-06-12"]
    assert data["early"]["nodes"][0]["date"] is None


async def test_search_ranks_all_four_kinds(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ search(query: "Sefcovic", first: 10) { totalCount nodes {
            __typename ... on Actor { name } ... on Claim { text } } } }""",
    )
    kinds = [n["__typename"] for n in data["search"]["nodes"]]
    assert kinds[0] == "Actor"
    assert data["search"]["nodes"][0]["name"] == "Maros Sefcovic"
    assert "Claim" in kinds
    data, _ = await graphql(
        corpus, '{ search(query: "phone call") { nodes { __typename ... on Event { title } } } }'
    )
    assert {"__typename": "Event", "title": "Trump-Xi phone call"} in data["search"]["nodes"]


async def test_search_needs_a_query(corpus: AsyncSession) -> None:
    (error,) = await graphql_errors(corpus, '{ search(query: "  ") { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_and_nodes(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ articles(first: 1) { nodes { id source { id } claims(first: 1) { nodes { id } }
             events(first: 1) { nodes { id } } actors(first: 1) { nodes { id } } } } }""",
    )
    article = data["articles"]["nodes"][0]
    ids = [
        article["id"],
        article["source"]["id"],
        article["claims"]["nodes"][0]["id"],
        article["events"]["nodes"][0]["id"],
        article["actors"]["nodes"][0]["id"],
    ]
    data, _ = await graphql(
        corpus, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": ids}
    )
    assert [n["id"] for n in data["nodes"]] == ids
    assert [n["__typename"] for n in data["nodes"]] == [
        "Article",
        "Source",
        "Claim",
        "Event",
        "Actor",
    ]


async def test_a_missing_row_is_null(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus, '{ node(id: "QXJ0aWNsZTo5OTk5OTk=") { id } claim(id: "Q2xhaW06OTk5OTk5") { id } }'
    )
    assert data == {"node": None, "claim": None}


async def test_bad_ids_are_user_errors(corpus: AsyncSession) -> None:
    actor_id = await _id(corpus, '{ actor(name: "China") { id } }', "actor", "id")
    cases = {
        '{ node(id: "not-an-id") { id } }': "is not an ID this API handed out",
        f'{{ article(id: "{actor_id}") {{ title }} }}': (
            "is the ID of an Actor, expected an Article"
        ),
        f'{{ articles(filter: {{sourceId: "{actor_id}"}}) {{ totalCount }} }}': "expected a Source",
        '{ article(id: "QXJ0aWNsZTp4") { title } }': "is not an ID this API handed out",
        "{ article { title } }": "takes exactly one of `id` and `url`",
        '{ articles(after: "garbage!") { totalCount } }': "is not a cursor this API handed out",
    }
    for query, message in cases.items():
        (error,) = await graphql_errors(corpus, query)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", query
        assert message in error["message"], (query, error["message"])


async def test_node_round_trips_every_id_the_api_hands_out(corpus: AsyncSession) -> None:
    data, _ = await graphql(
        corpus,
        """{ articles(first: 100) { nodes { id } } actors(first: 100) { nodes { id } }
             events(first: 100) { nodes { id } } claims(first: 100) { nodes { id } }
             sources(first: 100) { nodes { id } } }""",
    )
    ids = [node["id"] for connection in data.values() for node in connection["nodes"]]
    assert len(ids) == len(set(ids)) == 76
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        found, _ = await graphql(
            corpus, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": chunk}
        )
        assert [node["id"] for node in found["nodes"]] == chunk
