"""The compiled read path and the resolvers answer every query alike.

Each query runs once per executor on the same data, and the two responses must be equal
after parsing: `data`, `errors` (message, path, locations, extensions) and `extensions`
(the disclaimers), key order included, since the compiled path builds its JSON objects
in PostgreSQL and must keep GraphQL's field order. The compiled path must also have
answered by itself (`RequestContext.compiled`) whenever the resolvers answer without an
error (search and introspection aside), so a compiler regression that silently falls
back shows; a request the resolvers refuse must fall back, and be refused alike.

The queries: the ones the read tests run, the three benchmark queries, hand-written ones
over every read field, argument, ordering, filter and refusal, every connection walked
page by page both ways, every row by its ID, and queries hypothesis-graphql generates
over the whole read schema (as generated, and repaired into ones the API accepts).
In-process each run has a connection of its own whose time zone is not the server's;
over HTTP the bodies PostgreSQL built are compared parsed, the first time (the long
path) and the next (the short path for known operations), with values in turn.

The data: the fixture corpus and the seed, with documents that add what the corpus
lacks (non-ASCII text with quotes and backslashes, undated articles, microsecond and
pre-epoch timestamps, dates before the year 1000, a claim without span, claimant or
event, empty connections) and edits after the import (merged actors, a chain of merges,
a source whose disclaimer was removed while an article of its keeps one, links that are
not causes, an actor and an event no article is behind).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import (
    ArgumentNode,
    EnumValueNode,
    FieldNode,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from strawberry import relay

from newsgraph import build_context
from newsgraph.db import models
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.enums import EventLinkKind
from newsgraph.edit.actors import create_actor, merge_actors
from newsgraph.edit.events import add_participant, create_event, link_events
from newsgraph.edit.sources import update_source
from newsgraph.ingest.files import RawDocument
from newsgraph.settings import Settings
from tests.conftest import TEMPLATE
from tests.helpers import (
    ShortcutAnswers,
    corpus_documents,
    http_client,
    import_raw,
    schema_for,
    seed_document,
)
from tests.test_graphql_paging import (
    EDGES,
    NESTED_CONNECTIONS,
    PARTICIPATION_EDGES,
    ROOT_CONNECTIONS,
)
from tests.test_graphql_statements import DEEP, FEED, SIBLINGS

SETTINGS = Settings(database_url="postgresql://unused/x")
SERVER_TIME_ZONE = "Asia/Kathmandu"
BENCH = Path(__file__).parent.parent / "bench" / "queries"

# -- the data ------------------------------------------------------------------------------

ECONOMIE_WARNING = {
    "heading": "Avertissement « légal »",
    "text": 'Ce n\'est pas un conseil "financier" \\ 投资有风险 ⚠️ — lisez “attentivement”.',
}
UNICODE_BODY = (
    'José Müller-Lüdenscheidt a déclaré : "Nous irons à Genève \\ 東京 en juillet 🚀".\n'
    "习近平 a démenti toute \\\\ négociation « secrète ».\n"
    "La Bundesregierung accuse Müller d'avoir “exagéré”.\n"
    "Ünïcödé everywhere: ñ, ß, ø, 中文, 日本語, 한국어, emoji 🇨🇭🎉."
)
EXTRA_DOCUMENTS: list[dict[str, Any]] = [
    {
        # non-ASCII everywhere, microseconds, sections with and without headings
        "published_at": "2025-06-10T08:15:30.123456+02:00",
        "url": "https://economie.example/articles/café-東京?q=\"x\"&y='z'",
        "source": {
            "name": "Économie & Société “Hebdo”",
            "domain": "economie.example",
            "url": "https://economie.example/ünïcode",
            "disclaimer": ECONOMIE_WARNING,
        },
        "title": 'Café “talks” in 東京: "quoted" \\ backslash 🚀',
        "dateline": "GENÈVE, 10 juin",
        "language": "fr",
        "sections": [
            {"heading": "Première partie 🇫🇷", "text": "Texte «un» \\ deux."},
            {"heading": None, "text": 'Sans titre "二"'},
            "Titre seul",
        ],
        "body": UNICODE_BODY,
        "actors": [
            {
                "name": "José Müller-Lüdenscheidt",
                "aliases": ["Müller", "ミュラー"],
                "kind": "person",
                "title": "Ministre “délégué” \\ adjoint",
                "country": "DE",
                "wikidata_id": "Q4242",
                "affiliation": "Bundesregierung",
            },
            {"name": "Bundesregierung", "kind": "government", "country": "DE"},
            {"name": "习近平", "kind": "person", "country": "CN"},
            {"name": "China", "aliases": ["Beijing"], "kind": "country", "country": "CN"},
        ],
        "events": [
            {
                "title": "Réunion à Genève — “Sommet” 🇨🇭",
                "kind": "meeting",
                "location": "Genève",
                "date": "2025-07",
                "date_text": "en juillet",
                "status": "scheduled",
                "participants": [
                    {"actor": "José Müller-Lüdenscheidt", "role": "hôte"},
                    {"actor": "习近平"},
                ],
                "caused_by": ["Appel téléphonique 电话", "Événement sans date"],
            },
            {
                "title": "Appel téléphonique 电话",
                "kind": "call",
                "date": "2025",
                "status": "occurred",
                "participants": [{"actor": "Bundesregierung", "role": "appelant"}],
            },
            {"title": "Événement sans date", "kind": "other"},
        ],
        "claims": [
            {
                "text": 'José Müller-Lüdenscheidt a déclaré : "Nous irons à Genève \\ 東京 en '
                'juillet 🚀".',
                "kind": "quote",
                "claimant": "José Müller-Lüdenscheidt",
                "about": ["习近平", "China"],
                "event": "Réunion à Genève — “Sommet” 🇨🇭",
            },
            {
                # not in the body: no span; the publisher speaks; no event
                "text": "Une phrase qui n'apparaît pas dans le texte \\ « jamais ».",
                "kind": "statement",
            },
            {
                "text": "习近平 a démenti toute \\\\ négociation « secrète ».",
                "kind": "denial",
                "claimant": "习近平",
                "event": "Appel téléphonique 电话",
            },
            {
                "text": "La Bundesregierung accuse Müller d'avoir “exagéré”.",
                "kind": "accusation",
                "claimant": "Bundesregierung",
                "about": ["José Müller-Lüdenscheidt"],
            },
        ],
    },
    {
        # the same source with another disclaimer: the article's own, not the source's;
        # undated; nothing extracted, so every nested connection is empty
        "published_at": None,
        "url": "https://economie.example/articles/sans-date",
        "source": {
            "name": "Économie & Société “Hebdo”",
            "domain": "economie.example",
            "disclaimer": {"heading": None, "text": "Article « non daté » \\ 🕰️."},
        },
        "title": "Sans date 🕰️ : « rien » \\ n'est extrait",
        "body": "Un article sans date, sans acteurs, sans événements, sans affirmations.",
    },
    {
        # no disclaimer anywhere, no URL, no title (derived from the body), undated
        "published_at": None,
        "url": None,
        "source": {"name": "Plain Wire", "domain": "plainwire.example", "disclaimer": None},
        "title": None,
        "body": "习近平 met Scott Bessent briefly. Neil Armstrong was not there.",
        "actors": [
            {"name": "习近平", "kind": "person", "country": "CN"},
            {"name": "Scott Bessent", "aliases": ["Bessent"], "kind": "person", "country": "US"},
            {"name": "N. Armstrong", "kind": "person", "country": "US"},
        ],
        "claims": [{"text": "习近平 met Scott Bessent briefly.", "kind": "statement"}],
    },
    {
        # before the Unix epoch, with microseconds that start with zeros
        "published_at": "1969-07-20T20:17:40.000100+00:00",
        "url": "https://archive.example/1969/moon",
        "source": {
            "name": "Archive ☃",
            "domain": "archive.example",
            "disclaimer": {"heading": None, "text": 'Archive text, "as is".'},
        },
        "title": "The Eagle has landed",
        "body": "Neil Armstrong stepped onto the Moon. Neil A. Armstrong said it was one small "
        "step.",
        "actors": [
            {"name": "Neil Armstrong", "kind": "person", "country": "US", "wikidata_id": "Q1615"},
            {"name": "Neil A. Armstrong", "kind": "person", "country": "US"},
            {"name": "NASA", "kind": "government", "country": "US"},
        ],
        "events": [
            {
                "title": "Apollo 11 landing",
                "kind": "other",
                "location": "Sea of Tranquility",
                "date": "1969-07-20",
                "date_text": "on Sunday",
                "status": "occurred",
                "participants": [
                    {"actor": "Neil Armstrong", "role": "commander"},
                    {"actor": "Neil A. Armstrong"},
                    {"actor": "NASA", "role": "agency"},
                ],
            }
        ],
        "claims": [
            {
                "text": "Neil A. Armstrong said it was one small step.",
                "kind": "quote",
                "claimant": "Neil A. Armstrong",
                "about": ["Neil Armstrong"],
                "event": "Apollo 11 landing",
            }
        ],
    },
    {
        # a timestamp with microseconds and an offset that moves it to the next day in UTC
        "published_at": "2025-06-12T23:59:59.999999-05:00",
        "url": "https://globalwire.example/news/late-edition",
        "source": {"name": "Global Wire", "domain": "globalwire.example"},
        "title": "Late edition",
        "body": "A late edition with no extracted facts.",
    },
    {
        # the same instant as TokenWatch's article: the order breaks the tie by id
        "published_at": "2025-06-12",
        "url": "https://globalwire.example/news/same-day",
        "source": {"name": "Global Wire", "domain": "globalwire.example"},
        "title": "Same day as TokenWatch",
        "body": "China and the United States said nothing new.",
        "actors": [
            {"name": "China", "aliases": ["Beijing"], "kind": "country", "country": "CN"},
            {"name": "United States", "aliases": ["U.S."], "kind": "country", "country": "US"},
        ],
    },
]
EXTRA_DOCUMENTS += [
    {
        # the first instant Python has, at the bottom of every ascending order of dates;
        # an event dated by its year alone, before the year 1000
        "published_at": "0001-01-01T12:00:00+00:00",
        "url": "https://archive.example/0001/year-one",
        "source": {"name": "Archive ☃", "domain": "archive.example"},
        "title": "Year one",
        "body": "Nothing happened in the year one. The council met in 800.",
        "events": [
            {"title": "Council of 800", "kind": "meeting", "date": "0800", "status": "occurred"}
        ],
    },
    {
        "published_at": "0099-03-04T05:06:07.000001+00:00",
        "url": "https://archive.example/0099/ninety-nine",
        "source": {"name": "Archive ☃", "domain": "archive.example"},
        "title": "Year ninety-nine",
        "body": "A short note from the year 99.",
    },
]
UNDISCLAIMED = "Archive ☃"  # its disclaimer is removed after the import
# (merged away, survivor): each ID must answer as its survivor; the second is a chain
MERGES = [
    ("习近平", "Xi Jinping"),
    ("Neil A. Armstrong", "N. Armstrong"),
    ("N. Armstrong", "Neil Armstrong"),
]


def dataset_documents() -> list[RawDocument]:
    """The corpus, the seed and the extra documents, in the order they are imported."""
    extra = [RawDocument(f"extra-{i}", raw=raw) for i, raw in enumerate(EXTRA_DOCUMENTS)]
    return [*corpus_documents(), RawDocument("seed", raw=seed_document()), *extra]


@dataclass
class Dataset:
    """The ids of the dataset's rows, by what the queries call them (see `resolve`)."""

    url: str
    rows: dict[str, list[tuple[int, str]]]  # type name -> (id, label)
    merged: dict[str, int]  # merged away actor name -> its old id
    cursors: dict[str, list[str]] = field(default_factory=dict)

    def global_id(self, token: str) -> str:
        """`Article:<title prefix>`, `Actor:<name>`, `Event:<title>`, `Claim:<text
        prefix>`, `Source:<name>`, `Merged:<name>`, `Missing:<type>`."""
        kind, _, key = token.partition(":")
        if kind == "Merged":
            return str(relay.GlobalID("Actor", str(self.merged[key])))
        if kind == "Missing":
            return str(relay.GlobalID(key, "987654321"))
        rows = self.rows[kind]
        found = [i for i, label in rows if label == key] or [
            i for i, label in rows if label.startswith(key)
        ]
        assert len(found) == 1, (token, found)
        return str(relay.GlobalID(kind, str(found[0])))

    def resolve(self, value: Any) -> Any:
        """`value` with every `<<token>>` replaced: global IDs, and `<<Cursor:page:n>>`,
        the n-th cursor of a first page (`CURSOR_PAGES`)."""
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, str):
            return value
        return re.sub(r"<<(.+?)>>", lambda m: self._token(m.group(1)), value)

    def _token(self, token: str) -> str:
        if token.startswith("Cursor:"):
            _, page, index = token.split(":")
            return self.cursors[page][int(index)]
        return self.global_id(token)


async def _admin(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _edit(url: str) -> dict[str, int]:
    """The edits made after the import: actors merged, a source's disclaimer removed,
    events linked, an actor and an event created outside any article."""
    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            names = dict((await session.execute(select(models.Actor.name, models.Actor.id))).all())
            for merged, survivor in MERGES:
                await merge_actors(session, names[survivor], names[merged])
            # a source without a disclaimer of its own, one of whose articles has one
            archive = await session.scalar(
                select(models.Source.id).where(models.Source.name == UNDISCLAIMED)
            )
            assert archive is not None
            await update_source(session, archive, {"disclaimer": None})
            # links that are not causes; an actor and an event no article is behind
            events = dict(
                (await session.execute(select(models.Event.title, models.Event.id))).all()
            )
            apollo, council = events["Apollo 11 landing"], events["Council of 800"]
            await link_events(session, apollo, council, EventLinkKind.FOLLOWS)
            await link_events(session, council, apollo, EventLinkKind.CAUSES)
            await link_events(session, apollo, council, EventLinkKind.PART_OF)
            lonely = await create_actor(
                session, {"name": "Nobody’s “Actor”", "kind": "organization"}, names["NASA"]
            )
            unreported = await create_event(
                session, {"title": "Unreported gathering", "kind": "meeting", "date": "2025-06"}
            )
            await add_participant(session, unreported.id, lonely.id, None)
            await link_events(session, unreported.id, apollo, EventLinkKind.CAUSES)
        return {merged: names[merged] for merged, _ in MERGES}
    finally:
        await engine.dispose()


async def _rows(engine: AsyncEngine) -> dict[str, list[tuple[int, str]]]:
    labels = {
        "Article": models.Article.title,
        "Actor": models.Actor.name,
        "Event": models.Event.title,
        "Claim": models.Claim.text,
        "Source": models.Source.name,
    }
    rows: dict[str, list[tuple[int, str]]] = {}
    async with AsyncSession(engine) as session:
        for name, label in labels.items():
            model: Any = label.class_
            found = await session.execute(select(model.id, label).order_by(model.id))
            rows[name] = [(row_id, text) for row_id, text in found]
    return rows


@pytest.fixture(scope="module")
async def dataset_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A database of this module's own with the dataset committed (read-only after)."""
    name = f"newsgraph_test_differential_{uuid.uuid4().hex[:8]}"
    await _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def dataset_engine(dataset_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the dataset's database."""
    engine = make_engine(dataset_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def dataset(dataset_url: str, dataset_engine: AsyncEngine) -> Dataset:
    """The dataset, imported one document per transaction (so that `ingestedAt` differs),
    with actors merged afterwards; and the cursors of `CURSOR_PAGES`."""
    summary = await import_raw(dataset_url, dataset_documents())
    assert summary.failed == 0, summary.errors
    merged = await _edit(dataset_url)
    data = Dataset(dataset_url, await _rows(dataset_engine), merged)
    for page, query in CURSOR_PAGES.items():
        response, _ = await _execute(dataset_engine, query, None, "resolvers")
        assert "errors" not in response, response
        data.cursors[page] = list(_cursors(response["data"]))
        assert len(data.cursors[page]) >= 2, page
    return data


def _cursors(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "cursor":
                yield item
            else:
                yield from _cursors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _cursors(item)


@asynccontextmanager
async def _rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


# -- running a query both ways -------------------------------------------------------------


async def _execute(
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any] | None,
    executor: str,
    operation: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """The response as a client reads it, and whether the compiled path answered.

    Each run has a connection of its own: a statement cancelled mid-way (see
    `test_a_refused_argument_beside_a_running_statement`) leaves a connection unusable
    until rolled back, and the other executor's run must not inherit that."""
    async with _rolled_back(engine) as connection, AsyncSession(bind=connection) as session:
        # answers must not depend on the server's time zone (+05:45, not even whole hours)
        await connection.execute(text(f"SET LOCAL TimeZone = '{SERVER_TIME_ZONE}'"))
        context = build_context(session, SETTINGS)
        result = await schema_for(executor).execute(
            query, variable_values=variables, context_value=context, operation_name=operation
        )
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [_without_request_id(dict(e.formatted)) for e in result.errors]
    if result.extensions:
        response["extensions"] = result.extensions
    return json.loads(json.dumps(response)), context.compiled


def _without_request_id(error: dict[str, Any]) -> dict[str, Any]:
    """An INTERNAL error names its request, which differs per request."""
    extensions = error.get("extensions")
    if isinstance(extensions, dict) and "request_id" in extensions:
        error["extensions"] = {**extensions, "request_id": "<request>"}
    return error


def ordered(value: Any) -> Any:
    """`value` with every object as the list of its items: equal means equal key order."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def assert_same(compiled: Any, resolvers: Any, query: str) -> None:
    """Equal, and in the same key order everywhere."""
    assert compiled == resolvers, query
    assert ordered(compiled) == ordered(resolvers), f"key order differs: {query}"


async def compare(
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Run `query` both ways; assert equal responses; (the response, whether compiled)."""
    resolvers, by_resolvers = await _execute(engine, query, variables, "resolvers", operation)
    compiled, was_compiled = await _execute(engine, query, variables, "compiled", operation)
    assert not by_resolvers
    assert_same(compiled, resolvers, query)
    for error in resolvers.get("errors", []):
        assert error.get("extensions", {}).get("code") not in (None, "INTERNAL"), (query, error)
    return compiled, was_compiled


def falls_back(query: str, response: dict[str, Any]) -> bool:
    """Whether the compiled path may leave `query` to the resolvers: `search`,
    introspection, and requests the resolvers answer with an error."""
    searches = re.search(r"\bsearch\s*\(", query) is not None  # the field, not the filter
    return "errors" in response or searches or "__schema" in query or "__type(" in query


# -- the queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A query with its variables (`<<tokens>>` in either stand for ids and cursors)."""

    name: str
    query: str
    variables: dict[str, Any] | None = None
    compiles: bool = True  # False: answered by the resolvers (search, introspection)
    refused: bool = False  # answered with errors (by the resolvers, then)
    operation: str | None = None  # the operation name to run
    known: str | None = None  # a difference not fixed yet: why (the case is xfail)

    def __str__(self) -> str:
        return self.name


FRAGMENTS = {
    "SourceFields": """fragment SourceFields on Source { __typename id name domain url
        disclaimer { __typename heading text source { __typename id name } } }""",
    "ArticleFields": """fragment ArticleFields on Article { __typename id url title publishedAt
        language dateline body ingestedAt sections { __typename position heading text }
        source { ...SourceFields } disclaimer { __typename heading text source { id name } } }""",
    "ActorFields": """fragment ActorFields on Actor { __typename id name kind role: title country
        aliases wikidataId affiliation { __typename id name kind affiliation { id name } } }""",
    "EventFields": """fragment EventFields on Event { __typename id title kind status location
        date datePrecision dateText
        participants { __typename role actor { __typename id name } event { id title } }
        causedBy { __typename id title } leadsTo { __typename id title date }
        disclaimers { __typename heading text source { __typename id name domain } } }""",
    "ClaimFields": """fragment ClaimFields on Claim { __typename id text kind
        span { __typename start end } claimant { __typename id name } about { __typename id name }
        event { __typename id title } article { __typename id title publishedAt }
        disclaimer { __typename heading text source { name } } }""",
    "Page": """fragment Page on PageInfo { __typename hasNextPage hasPreviousPage startCursor
        endCursor }""",
    "NodeId": "fragment NodeId on Node { __typename id }",
}


def with_fragments(query: str) -> str:
    """`query` followed by the fragments it spreads (and those they spread)."""
    needed: list[str] = []
    pending = re.findall(r"\.\.\.(\w+)", query)
    while pending:
        name = pending.pop()
        if name in FRAGMENTS and name not in needed and f"fragment {name} " not in query:
            needed.append(name)
            pending += re.findall(r"\.\.\.(\w+)", FRAGMENTS[name])
    return "\n".join([query, *(FRAGMENTS[name] for name in sorted(needed))])


PAGE = "__typename totalCount pageInfo { ...Page } edges { __typename cursor node { ...NodeId } }"

# First pages whose cursors the queries use (`<<Cursor:name:n>>`).
CURSOR_PAGES = {
    "articles": "{ articles(first: 6) { edges { cursor } } }",
    "articles/PUBLISHED_AT_ASC": (
        "{ articles(first: 6, orderBy: PUBLISHED_AT_ASC) { edges { cursor } } }"
    ),
    "articles/INGESTED_AT_DESC": (
        "{ articles(first: 6, orderBy: INGESTED_AT_DESC) { edges { cursor } } }"
    ),
    "articles/INGESTED_AT_ASC": (
        "{ articles(first: 6, orderBy: INGESTED_AT_ASC) { edges { cursor } } }"
    ),
    "articles/undated": "{ articles(last: 6) { edges { cursor } } }",
    "events": "{ events(first: 6) { edges { cursor } } }",
    "events/DATE_ASC": "{ events(first: 6, orderBy: DATE_ASC) { edges { cursor } } }",
    "actors": "{ actors(first: 6) { edges { cursor } } }",
    "claims": "{ claims(first: 6) { edges { cursor } } }",
    "sources": "{ sources(first: 6) { edges { cursor } } }",
    "Source.articles": """{ sources(first: 1) { nodes { articles(first: 3) {
        edges { cursor } } } } }""",
    "Source.articles/ASC": """{ sources(first: 1) { nodes {
        articles(first: 3, orderBy: PUBLISHED_AT_ASC) { edges { cursor } } } } }""",
    "Actor.claims": '{ actor(name: "China") { claims(first: 4) { edges { cursor } } } }',
    "Actor.claimsAbout": '{ actor(name: "China") { claimsAbout(first: 4) { edges { cursor } } } }',
    "Actor.events": '{ actor(name: "China") { events(first: 4) { edges { cursor } } } }',
    "Actor.articles": '{ actor(name: "China") { articles(first: 4) { edges { cursor } } } }',
    "Article.claims": """{ articles(filter: {search: "Truth Social"}) { nodes {
        claims(first: 4) { edges { cursor } } } } }""",
    "Article.actors": """{ articles(filter: {search: "Truth Social"}) { nodes {
        actors(first: 4) { edges { cursor } } } } }""",
    "Article.events": """{ articles(filter: {search: "Truth Social"}) { nodes {
        events(first: 4) { edges { cursor } } } } }""",
    "Event.articles": """{ events(filter: {kind: NEGOTIATION}) { nodes {
        articles(first: 2) { edges { cursor } } } } }""",
    "Event.claims": """{ events(filter: {kind: NEGOTIATION}) { nodes {
        claims(first: 4) { edges { cursor } } } } }""",
}

# Every query the read tests run (ids they computed are tokens here).
SUITE_QUERIES = [
    """{ article(url: "https://tokenwatch.example/analysis/rare-earths-and-chips") {
        id url title publishedAt language body ingestedAt
        sections { position heading text }
        source { name domain url disclaimer { heading text source { name } } }
        disclaimer { heading text }
        actors { totalCount nodes { name } }
        events { totalCount nodes { title } }
        claims { totalCount nodes { text kind } }
    } }""",
    """{ articles(filter: {search: "Truth Social"}) { nodes {
        title sections { position heading text } disclaimer { heading text }
        source { name disclaimer { text } } } } }""",
    """{ a: article(url: "https://cryptodaily.example/markets/bitcoin-rises-on-trade-hopes") {
           disclaimer { heading } }
         b: article(url: "https://dailyherald.example/world/london-framework-agreed") {
           disclaimer { heading } }
         c: article(url: "https://nowhere.example/x") { title } }""",
    """{ actor(name: "Bessent") {
        name kind title country aliases wikidataId
        affiliation { name kind }
        claims { totalCount nodes { text } }
        claimsAbout { totalCount }
        events { totalCount edges { cursor node { role event { title } actor { name } } } }
        articles { totalCount nodes { title } }
    } }""",
    '{ actor(name: "Beijing") { id } }',
    """query { node(id: "<<Actor:China>>") { ... on Actor { name
        claims(filter: {kind: DENIAL}) { nodes { text } }
        claimsAbout(first: 100) { totalCount } } } }""",
    """{ events(filter: {kind: NEGOTIATION, from: "2025-06-09", to: "2025-06-09"}) { nodes {
        title kind status location date datePrecision dateText
        participants { role actor { name } event { title } }
        causedBy { title } leadsTo { title }
        articles { totalCount nodes { title } }
        claims { totalCount }
        disclaimers { heading text source { name } }
    } } }""",
    """{ events(filter: {kind: CALL}) { nodes { title datePrecision
        articles { nodes { source { name } } } disclaimers { heading } } } }""",
    """{ claims(filter: {search: "appeal ruling"}) { nodes {
        id text kind span { start end }
        claimant { name } about { name } event { title status }
        article { title body } disclaimer { heading text }
    } } }""",
    "{ claims(filter: {kind: STATISTIC}, first: 100) { nodes { text claimant { name } } } }",
    """{ sources(first: 100) { totalCount nodes { name domain
        articles(orderBy: PUBLISHED_AT_ASC) { totalCount nodes { title } } } } }""",
    """{ actor(name: "Scott Bessent") { id }
         events(filter: {kind: NEGOTIATION}) { nodes { id } }
         sources(first: 1) { nodes { id } } }""",
    '{ articles(first: 100, filter: {actorId: "<<Actor:Scott Bessent>>"}) { nodes { title } } }',
    """{ articles(first: 100, filter: {eventId: "<<Event:U.S.-China trade talks in London>>"}) {
        nodes { title } } }""",
    '{ articles(first: 100, filter: {sourceId: "<<Source:Global Wire>>"}) { nodes { title } } }',
    """{ articles(first: 100, filter: {publishedAfter: "2025-06-11T00:00:00Z",
        publishedBefore: "2025-06-12T00:00:00Z"}) { nodes { title } } }""",
    '{ articles(first: 100, filter: {search: "parliament tariffs"}) { nodes { title } } }',
    """{ articles(first: 100, filter: {search: "bitcoin", actorId: "<<Actor:Scott Bessent>>"}) {
        nodes { title } } }""",
    """{ people: actors(first: 100, filter: {kind: PERSON, country: "cn"}) { nodes { name } }
         search: actors(filter: {search: "commerce"}) { nodes { name } }
         byAlias: actors(filter: {search: "MOFCOM"}) { nodes { name } }
         quotes: claims(first: 100, filter: {kind: QUOTE}) { totalCount }
         scheduled: events(filter: {status: SCHEDULED}, orderBy: DATE_ASC) {
            nodes { title date } } }""",
    '{ actor(name: "Trump") { id } }',
    """query($t: ID) { made: claims(first: 100, filter: {claimantId: $t}) { totalCount }
        about: claims(first: 100, filter: {aboutId: $t}) { nodes { text } } }""",
    """{ newest: articles(first: 3) { nodes { publishedAt } }
         oldest: articles(first: 2, orderBy: PUBLISHED_AT_ASC) { nodes { publishedAt } }
         ingested: articles(first: 100, orderBy: INGESTED_AT_ASC) { nodes { url } }
         latest: articles(first: 1, orderBy: INGESTED_AT_DESC) { nodes { url } }
         recent: events(first: 2) { nodes { date } }
         early: events(first: 2, orderBy: DATE_ASC) { nodes { date } } }""",
    """{ search(query: "Sefcovic", first: 10) { totalCount nodes {
        __typename ... on Actor { name } ... on Claim { text } } } }""",
    '{ search(query: "phone call") { nodes { __typename ... on Event { title } } } }',
    """{ articles(first: 1) { nodes { id source { id } claims(first: 1) { nodes { id } }
         events(first: 1) { nodes { id } } actors(first: 1) { nodes { id } } } } }""",
    """{ nodes(ids: ["<<Article:U.S. and Chinese>>", "<<Source:Global Wire>>",
        "<<Claim:The White House said>>", "<<Event:Trump-Xi phone call>>",
        "<<Actor:China>>"]) { __typename id } }""",
    '{ node(id: "QXJ0aWNsZTo5OTk5OTk=") { id } claim(id: "Q2xhaW06OTk5OTk5") { id } }',
    """{ articles(first: 100) { nodes { id } } actors(first: 100) { nodes { id } }
         events(first: 100) { nodes { id } } claims(first: 100) { nodes { id } }
         sources(first: 100) { nodes { id } } }""",
    """{ article(url: "https://tokenwatch.example/analysis/rare-earths-and-chips") {
          id source { id } claims(first: 1) { nodes { id } } }
         events(filter: {kind: RULING}) { nodes { id } }
         actor(name: "Maros Sefcovic") { id } }""",
    '{ actor(name: "Trump") { events { nodes { event { title } } } } }',
    "{ sources(first: 1) { nodes { name } } }",
    '{ node(id: "QXJ0aWNsZTo5OTk5") { id } }',
    "{ claims { totalCount nodes { id } pageInfo { hasNextPage } } }",
    """query($after: String) {
        articles(first: 3, after: $after) { pageInfo { endCursor } nodes { title } } }""",
    FEED,
    DEEP,
    SIBLINGS,
    """query Articles($n: Int) {
      articles(first: $n) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id title publishedAt source { name disclaimer { heading text } } } } }""",
    "{ claims(first: 100) { totalCount nodes { text } } }",
    "{ actors(first: 100) { nodes { claims(first: 2) { totalCount nodes { id } } } } }",
    """{ events(first: 100) { nodes { participants { actor { name } }
        causedBy { title } leadsTo { title } } } }""",
    "{ events(first: 100) { nodes { disclaimers { text } } } }",
    "{ claims(first: 100) { nodes { disclaimer { text } } } }",
    '{ search(query: "China", first: 50) { totalCount nodes { __typename } } }',
]
# The disclaimers test's root queries
DISCLAIMER_QUERIES = {
    "node": '{ node(id: "<<Article:Rare earths and chips>>") { id } }',
    "nodes": """{ nodes(ids: ["<<Claim:The U.S. Department of Commerce warned>>",
        "<<Event:Court of International Trade ruling>>"]) { id } }""",
    "article": '{ article(id: "<<Article:Rare earths and chips>>") { title } }',
    "actor": '{ actor(id: "<<Actor:Maros Sefcovic>>") { name } }',
    "court": '{ actor(id: "<<Actor:U.S. Court of International Trade>>") { name } }',
    "event": '{ event(id: "<<Event:Court of International Trade ruling>>") { title } }',
    "claim": '{ claim(id: "<<Claim:The U.S. Department of Commerce warned>>") { text } }',
    "sources": "{ sources(first: 1) { nodes { name } } }",
    "all sources": "{ sources { nodes { name } } }",
    "articles": '{ articles(filter: {sourceId: "<<Source:TokenWatch>>"}) { nodes { title } } }',
    "actors": '{ actors(filter: {search: "Sefcovic"}) { nodes { name } } }',
    "court actors": '{ actors(filter: {search: "Court"}) { nodes { name } } }',
    "events": "{ events(filter: {kind: RULING}) { nodes { title } } }",
    "claims": '{ claims(filter: {search: "licences"}) { nodes { text } } }',
    "search": '{ search(query: "licences") { nodes { __typename } } }',
}
# ... and the ones they expect to be refused
SUITE_REFUSED = [
    '{ search(query: "  ") { totalCount } }',
    '{ node(id: "not-an-id") { id } }',
    '{ article(id: "<<Actor:China>>") { title } }',
    '{ articles(filter: {sourceId: "<<Actor:China>>"}) { totalCount } }',
    '{ article(id: "QXJ0aWNsZTp4") { title } }',
    "{ article { title } }",
    '{ articles(after: "garbage!") { totalCount } }',
    *[
        f"{{ claims({arguments}) {{ totalCount }} }}"
        for arguments in ("first: 101", "first: -1", "last: 101", "first: 2, last: 2")
    ],
    *[
        f'{{ actor(name: "China") {{ claims({arguments}) {{ totalCount }} }} }}'
        for arguments in ("first: 101", "first: -1", "last: 101", "first: 2, last: 2")
    ],
    '{ claims(before: "bm9wZQ") { totalCount } }',
    '{ actor(name: "China") { claims(before: "bm9wZQ") { totalCount } } }',
]


def suite_cases() -> list[Case]:
    """The read tests' queries, with the disclaimers test's root queries and variables
    for the ones that take them."""
    cases = [
        *(Case(f"suite-{i}", query) for i, query in enumerate(SUITE_QUERIES)),
        *(Case(f"suite-refused-{i}", query, refused=True) for i, query in enumerate(SUITE_REFUSED)),
    ]
    variables: dict[str, dict[str, Any]] = {
        "query($t: ID)": {"t": "<<Actor:Donald Trump>>"},
        "query($after: String)": {"after": "<<Cursor:articles:2>>"},
        "query($n: Int!)": {"n": 7},
        "query Articles($n: Int)": {"n": 5},
    }
    cases = [
        Case(
            case.name,
            case.query,
            next((v for k, v in variables.items() if k in case.query), None),
            compiles=re.search(r"\bsearch\s*\(", case.query) is None,
            refused=case.refused,
        )
        for case in cases
    ]
    for root, query in DISCLAIMER_QUERIES.items():
        cases.append(Case(f"disclaimers-{root}", query, compiles=root != "search"))
    # the cursor test's first page: its variable given as null
    (after,) = [q for q in SUITE_QUERIES if "query($after: String)" in q]
    cases.append(Case("suite-after-null", after, {"after": None}))
    return cases


def bench_cases() -> list[Case]:
    """The three benchmark queries, with variables naming rows of the dataset."""
    variables: dict[str, list[dict[str, Any] | None]] = {
        "q1_feed": [None],
        "q2_actor": [
            {"id": "<<Actor:Donald Trump>>"},
            {"id": "<<Actor:China>>"},
            {"id": "<<Merged:习近平>>"},
            {"id": "<<Missing:Actor>>"},
        ],
        "q3_node": [
            {"id": "<<Article:Café>>"},
            {"id": "<<Article:U.S. and Chinese>>"},
            {"id": "<<Actor:China>>"},
            {"id": "<<Missing:Article>>"},
        ],
    }
    return [
        Case(f"bench-{name}-{i}", (BENCH / f"{name}.graphql").read_text(), given)
        for name, choices in variables.items()
        for i, given in enumerate(choices)
    ]


HAND_WRITTEN = [
    # -- every field of every type, through fragments ----------------------------------
    Case(
        "every article field",
        """{ articles(first: 100, orderBy: PUBLISHED_AT_ASC) { nodes { ...ArticleFields
            actors(first: 100) { totalCount nodes { ...ActorFields } }
            events(first: 100) { totalCount nodes { ...EventFields } }
            claims(first: 100) { totalCount nodes { ...ClaimFields } } } } }""",
    ),
    Case(
        "every actor field",
        """{ actors(first: 100) { __typename totalCount pageInfo { ...Page } edges {
            __typename cursor node { ...ActorFields
              claims(first: 100) { totalCount nodes { ...ClaimFields } }
              claimsAbout(first: 100) { totalCount nodes { id text } }
              events(first: 100) { totalCount pageInfo { ...Page }
                edges { cursor node { __typename role event { ...EventFields }
                actor { id name } } } }
              articles(first: 100) { totalCount nodes { id title publishedAt } } } } } }""",
    ),
    Case(
        "every event field",
        """{ events(first: 100) { totalCount nodes { ...EventFields
            articles(first: 100) { totalCount nodes { ...ArticleFields } }
            claims(first: 100) { totalCount nodes { ...ClaimFields } } } } }""",
    ),
    Case(
        "every claim field",
        "{ claims(first: 100) { totalCount pageInfo { ...Page } nodes { ...ClaimFields } } }",
    ),
    Case(
        "every source field",
        """{ sources(first: 100) { totalCount nodes { ...SourceFields
            articles(first: 100) { totalCount pageInfo { ...Page } nodes { id title } } } } }""",
    ),
    Case(
        "the unicode article by url",
        """{ article(url: "https://economie.example/articles/café-東京?q=\\"x\\"&y='z'") {
            ...ArticleFields claims { nodes { ...ClaimFields } } } }""",
    ),
    Case(
        "the unicode article by variable url",
        "query($u: String) { article(url: $u) { ...ArticleFields } }",
        {"u": "https://economie.example/articles/café-東京?q=\"x\"&y='z'"},
    ),
    Case(
        "an article without url, title or date",
        '{ node(id: "<<Article:习近平 met>>") { '
        "...ArticleFields ... on Article { actors { nodes { ...ActorFields } } } } }",
    ),
    Case(
        "an article whose own disclaimer differs from its source's",
        """{ node(id: "<<Article:Sans date>>") { ... on Article { disclaimer { heading text
            source { name disclaimer { heading text } } }
            actors { totalCount pageInfo { ...Page } edges { cursor } nodes { id } }
            events { totalCount pageInfo { ...Page } nodes { id } }
            claims { totalCount pageInfo { ...Page } nodes { id } } } } }""",
    ),
    Case(
        "before the epoch with microseconds",
        """{ article(id: "<<Article:The Eagle>>") { ...ArticleFields
            events { nodes { ...EventFields } } claims { nodes { ...ClaimFields } } } }""",
    ),
    Case(
        "late edition and the tie",
        """{ a: article(url: "https://globalwire.example/news/late-edition") {
            publishedAt ingestedAt }
          b: articles(first: 100, filter: {publishedAfter: "2025-06-12T00:00:00Z"}) {
            edges { cursor node { title publishedAt } } } }""",
    ),
    # -- aliases, __typename, fragments ------------------------------------------------
    Case(
        "aliases everywhere",
        """{ __typename q: __typename
          first: articles(first: 2) { t: __typename total: totalCount
            info: pageInfo { more: hasNextPage less: hasPreviousPage s: startCursor
              e: endCursor t: __typename }
            list: edges { c: cursor n: node { i: id h: title t: __typename
              src: source { n: name } } } }
          again: articles(first: 2) { nodes { title } }
          who: actor(name: "Müller") { n: name k: kind a: aliases } }""",
    ),
    Case(
        "the same field twice, merged",
        """{ articles(first: 2) { nodes { id } } articles(first: 2) { nodes { title }
            totalCount } actor(name: "China") { name } actor(name: "China") { id name
            claims(first: 1) { nodes { id } } claims(first: 1) { nodes { text } } } }""",
    ),
    Case(
        "inline fragments on Node and on types",
        """{ nodes(ids: ["<<Article:Café>>", "<<Actor:José Müller-Lüdenscheidt>>",
            "<<Event:Apollo 11 landing>>", "<<Claim:习近平 a démenti>>",
            "<<Source:Archive ☃>>"]) {
            __typename ... on Node { id } ...NodeId
            ... on Article { title ... on Node { id } }
            ... on Actor { name affiliation { ... on Node { __typename id } } }
            ... on Event { title ... { kind } }
            ... on Claim { text span { start end } }
            ... on Source { name ...SourceFields } } }""",
    ),
    Case(
        "named fragments on the root and on connections",
        """query { ...Root } fragment Root on Query { __typename
            articles(first: 2) { ...Articles } }
          fragment Articles on ArticleConnection { totalCount nodes { ...ArticleFields } }""",
    ),
    Case(
        "fragments with directives",
        """query($yes: Boolean!, $no: Boolean = false) {
            articles(first: 3) @include(if: $yes) { nodes { title @skip(if: $yes)
              id @include(if: $no) ... on Article @include(if: true) { url }
              ...ArticleFields @skip(if: true) } }
            actors(first: 2) @skip(if: $no) { nodes { name } }
            events(first: 2) @include(if: false) { nodes { title } }
            claims(first: 2) @skip(if: true) { totalCount } }""",
        {"yes": True},
    ),
    Case(
        "directives the other way",
        """query($yes: Boolean!, $no: Boolean = false) {
            articles(first: 3) @include(if: $yes) { nodes { title @skip(if: $yes)
              id @include(if: $no) } }
            actors(first: 2) @skip(if: $no) { nodes { name } } }""",
        {"yes": False, "no": True},
    ),
    Case(
        "everything skipped below a connection",
        """{ articles(first: 2) { nodes { title @skip(if: true) } }
            actors(first: 2) { totalCount @include(if: false) } }""",
    ),
    # -- node, nodes, lookups ------------------------------------------------------------
    *[
        Case(
            f"node of every type: {token}",
            f"query($id: ID!) {{ node(id: $id) {{ __typename id ...{type_name}Fields }} }}",
            {"id": f"<<{token}>>"},
        )
        for type_name, token in (
            ("Article", "Article:Café"),
            ("Article", "Article:Sans date"),
            ("Actor", "Actor:José Müller-Lüdenscheidt"),
            ("Actor", "Actor:Xi Jinping"),
            ("Actor", "Merged:习近平"),
            ("Actor", "Merged:Neil A. Armstrong"),
            ("Actor", "Merged:N. Armstrong"),
            ("Event", "Event:Réunion"),
            ("Event", "Event:Événement sans date"),
            ("Claim", "Claim:Une phrase"),
            ("Claim", "Claim:José Müller"),
            ("Source", "Source:Plain Wire"),
            ("Source", "Source:Unknown source"),
            ("Article", "Missing:Article"),
            ("Actor", "Missing:Actor"),
            ("Event", "Missing:Event"),
            ("Claim", "Missing:Claim"),
            ("Source", "Missing:Source"),
            ("Event", "Article:Café"),
        )
    ],
    Case(
        "nodes with missing and merged ids",
        """{ nodes(ids: ["<<Missing:Article>>", "<<Merged:习近平>>", "<<Actor:Xi Jinping>>",
            "<<Merged:Neil A. Armstrong>>", "<<Missing:Actor>>", "<<Article:Café>>",
            "<<Article:Café>>"]) { __typename id ... on Actor { name aliases
            claims { totalCount nodes { text } } articles { nodes { title } } } } }""",
    ),
    Case("nodes of nothing", "{ nodes(ids: []) { id } }"),
    Case(
        "nodes by variable",
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Event { title } } }",
        {"ids": ["<<Event:Réunion>>", "<<Missing:Event>>", "<<Event:Apollo 11 landing>>"]},
    ),
    Case(
        "lookups by id, url and name",
        """query($a: ID, $u: String, $n: String, $e: ID!, $c: ID!) {
            byId: article(id: $a) { title } byUrl: article(url: $u) { title }
            actor(name: $n) { name } event(id: $e) { title } claim(id: $c) { text }
            merged: actor(id: "<<Merged:习近平>>") { id name }
            chained: actor(id: "<<Merged:Neil A. Armstrong>>") { id name }
            none: actor(name: "nobody at all") { id } noUrl: article(url: "") { id } }""",
        {
            "a": "<<Article:Café>>",
            "u": "https://archive.example/1969/moon",
            "n": "ミュラー",
            "e": "<<Event:Appel>>",
            "c": "<<Claim:La Bundesregierung>>",
        },
    ),
    Case(
        "actor by alias, by merged name, by normalised name",
        """{ a: actor(name: "Beijing") { name } b: actor(name: "习近平") { name aliases }
            c: actor(name: "  josé   müller-lüdenscheidt ") { name }
            d: actor(name: "Neil A. Armstrong") { name } e: actor(name: "MOFCOM") { name }
            f: actor(name: "") { name } }""",
    ),
    Case(
        "lookups of missing rows",
        """{ article(id: "<<Missing:Article>>") { id } event(id: "<<Missing:Event>>") { id }
            claim(id: "<<Missing:Claim>>") { id } actor(id: "<<Missing:Actor>>") { id } }""",
    ),
    # -- connections: every argument ----------------------------------------------------
    *[
        Case(
            f"articles {order}",
            f"""{{ articles(first: 100, orderBy: {order}) {{ {PAGE}
                nodes {{ title publishedAt ingestedAt }} }} }}""",
        )
        for order in (
            "PUBLISHED_AT_DESC",
            "PUBLISHED_AT_ASC",
            "INGESTED_AT_DESC",
            "INGESTED_AT_ASC",
        )
    ],
    *[
        Case(
            f"events {order}",
            f"{{ events(first: 100, orderBy: {order}) {{ {PAGE} nodes {{ title date }} }} }}",
        )
        for order in ("DATE_DESC", "DATE_ASC")
    ],
    Case(
        "a source's articles in every order",
        """query($o: ArticleOrder) { sources(first: 100) { nodes {
            a: articles(orderBy: PUBLISHED_AT_DESC) { edges { cursor node { title } } }
            b: articles(orderBy: PUBLISHED_AT_ASC) { edges { cursor node { title } } }
            c: articles(orderBy: INGESTED_AT_DESC, last: 2) { edges { cursor node { title } } }
            d: articles(orderBy: INGESTED_AT_ASC) { edges { cursor node { title } } }
            e: articles(orderBy: $o) { edges { cursor } } f: articles(orderBy: null) {
              totalCount pageInfo { ...Page } } } } }""",
        {"o": "INGESTED_AT_ASC"},
    ),
    Case(
        "orderBy by variable and null",
        """query($o: ArticleOrder, $e: EventOrder) { a: articles(first: 3, orderBy: $o) {
            nodes { title } } b: articles(first: 3, orderBy: null) { nodes { title } }
            events(first: 3, orderBy: $e) { nodes { title } } }""",
        {"o": "INGESTED_AT_ASC", "e": None},
    ),
    *[
        Case(
            f"after and before on {page} ({arguments})",
            "{ "
            + (f"{field_}(orderBy: {order}, " if order else f"{field_}(")
            + arguments.replace("C", f"<<Cursor:{page}:")
            + ") { "
            + PAGE
            + " } }",
        )
        for page, field_, order in (
            ("articles", "articles", None),
            ("articles/PUBLISHED_AT_ASC", "articles", "PUBLISHED_AT_ASC"),
            ("articles/INGESTED_AT_DESC", "articles", "INGESTED_AT_DESC"),
            ("articles/INGESTED_AT_ASC", "articles", "INGESTED_AT_ASC"),
            ("articles/undated", "articles", None),
            ("events", "events", None),
            ("events/DATE_ASC", "events", "DATE_ASC"),
            ("actors", "actors", None),
            ("claims", "claims", None),
            ("sources", "sources", None),
        )
        for arguments in (
            'first: 2, after: "C1>>"',
            'last: 2, before: "C4>>"',
            'last: 10, after: "C0>>"',
            'first: 10, before: "C5>>"',
            'after: "C0>>", before: "C3>>"',
            'last: 1, after: "C1>>", before: "C3>>"',
            'after: "C3>>", before: "C1>>"',
        )
    ],
    Case(
        "nested cursors",
        """query($s: String, $c: String, $a: String, $e: String, $r: String, $ae: String) {
            sources(first: 1) { nodes { articles(first: 2, after: $s) { ...Q } } }
            actor(name: "China") {
              claims(last: 2, before: $c) { ...P } claimsAbout(first: 2, after: $a) { ...P }
              events(first: 2, after: $e) { totalCount pageInfo { ...Page }
                edges { cursor node { role event { id } } } }
              articles(last: 3, before: $r) { ...Q } }
            events(filter: {kind: NEGOTIATION}) { nodes { articles(first: 1, after: $ae) {
              ...Q } } } }
          fragment P on ClaimConnection { totalCount pageInfo { ...Page }
            edges { cursor node { id } } }
          fragment Q on ArticleConnection { totalCount pageInfo { ...Page }
            edges { cursor node { id } } }""",
        {
            "s": "<<Cursor:Source.articles:1>>",
            "c": "<<Cursor:Actor.claims:3>>",
            "a": "<<Cursor:Actor.claimsAbout:0>>",
            "e": "<<Cursor:Actor.events:1>>",
            "r": "<<Cursor:Actor.articles:3>>",
            "ae": "<<Cursor:Event.articles:0>>",
        },
    ),
    Case(
        "nested cursors of an article",
        """{ articles(filter: {search: "Truth Social"}) { nodes {
            claims(after: "<<Cursor:Article.claims:1>>", first: 2) { ...Q }
            actors(before: "<<Cursor:Article.actors:3>>") { totalCount edges { cursor } }
            events(last: 1, after: "<<Cursor:Article.events:0>>") { totalCount
              pageInfo { ...Page } } } } }
          fragment Q on ClaimConnection { totalCount pageInfo { ...Page }
            edges { cursor node { id } } }""",
    ),
    Case(
        "a source's articles ordered ascending with a cursor",
        """{ sources(first: 1) { nodes { articles(orderBy: PUBLISHED_AT_ASC, first: 1,
            after: "<<Cursor:Source.articles/ASC:0>>") { totalCount pageInfo { ...Page }
            nodes { title } } } } }""",
    ),
    Case(
        "page sizes at the limits",
        """{ a: articles(first: 1) { ...A } b: articles(first: 100) { ...A }
            c: articles(last: 1) { ...A } d: articles(last: 100) { ...A }
            e: articles { ...A } f: articles(first: null, last: null) { ...A } }
          fragment A on ArticleConnection { totalCount pageInfo { ...Page }
            edges { cursor node { id } } }""",
    ),
    Case(
        "page sizes by variable",
        """query($f: Int, $l: Int) { claims(first: $f) { ...C } last: claims(last: $l) { ...C }
            actor(name: "China") { claims(first: $f) { ...C } } }
          fragment C on ClaimConnection { pageInfo { ...Page } nodes { id } }""",
        {"f": 3, "l": None},
    ),
    Case(
        "only totalCount, only pageInfo, only __typename",
        """{ a: articles { totalCount } b: articles(first: 2) { pageInfo { ...Page } }
            c: articles { __typename } d: events(first: 1) { __typename totalCount }
            e: actor(name: "China") { claims { totalCount __typename }
              events { pageInfo { hasNextPage } } } }""",
    ),
    *[
        Case(f"page info without an aggregate ({i})", query)
        for i, query in enumerate(
            [
                "{ articles { pageInfo { hasPreviousPage } } }",
                """{ a: articles(last: 2) { pageInfo { hasNextPage __typename } }
                  b: articles(filter: {search: "zzzz"}) { pageInfo { hasPreviousPage } }
                  c: actor(name: "China") { claims { __typename pageInfo { __typename } } }
                  d: events(after: "<<Cursor:events:1>>") { pageInfo { hasPreviousPage } } }""",
                """{ sources { nodes { articles(last: 1, before: "<<Cursor:Source.articles:0>>") {
                    pageInfo { hasNextPage } } } } }""",
            ]
        )
    ],
    # -- filters: every field ----------------------------------------------------------
    Case(
        "article filters",
        """query($src: ID, $act: ID, $ev: ID, $after: DateTime, $before: DateTime) {
            a: articles(first: 100, filter: {sourceId: $src}) { totalCount nodes { title } }
            b: articles(first: 100, filter: {actorId: $act}) { totalCount nodes { title } }
            c: articles(first: 100, filter: {eventId: $ev}) { totalCount nodes { title } }
            d: articles(first: 100, filter: {publishedAfter: $after}) { totalCount }
            e: articles(first: 100, filter: {publishedBefore: $before}) { totalCount
              nodes { publishedAt } }
            f: articles(first: 100, filter: {search: "Café"}) { nodes { title } }
            g: articles(first: 100, filter: {search: ""}) { totalCount }
            h: articles(first: 100, filter: {sourceId: $src, search: "rien",
              publishedAfter: null}) { totalCount nodes { title } }
            i: articles(filter: {}) { totalCount }
            j: articles(filter: null) { totalCount }
            k: articles(filter: {actorId: "<<Merged:习近平>>"}) { nodes { title } }
            l: articles(filter: {search: "\\"quoted phrase\\" or -excluded"}) { totalCount } }""",
        {
            "src": "<<Source:Économie>>",
            "act": "<<Actor:Scott Bessent>>",
            "ev": "<<Event:Appel>>",
            "after": "2025-06-10T06:15:30.123456+00:00",
            "before": "1970-01-01T00:00:00.000001Z",
        },
    ),
    Case(
        "article filters on a source's articles",
        """{ sources(first: 100) { nodes { name
            articles(filter: {publishedAfter: "2025-06-10T00:00:00.5+02:00"},
                     orderBy: INGESTED_AT_DESC) { totalCount nodes { title } }
            none: articles(filter: {actorId: "<<Actor:NASA>>"}) { totalCount
              pageInfo { ...Page } nodes { id } } } } }""",
    ),
    Case(
        "claim filters",
        """query($k: ClaimKind, $who: ID, $about: ID, $ev: ID) {
            a: claims(first: 100, filter: {kind: $k}) { totalCount nodes { text } }
            b: claims(first: 100, filter: {claimantId: $who}) { nodes { text } }
            c: claims(first: 100, filter: {aboutId: $about}) { nodes { text } }
            d: claims(first: 100, filter: {eventId: $ev}) { nodes { text } }
            e: claims(first: 100, filter: {search: "négociation"}) { nodes { text } }
            f: claims(first: 100, filter: {kind: NO_COMMENT, search: ""}) { nodes { text } }
            g: claims(filter: {claimantId: "<<Merged:Neil A. Armstrong>>"}) { nodes { text } }
            h: claims(filter: {aboutId: "<<Merged:习近平>>"}) { nodes { text } }
            i: actor(name: "China") { claims(filter: {kind: DENIAL, eventId: $ev}) {
              totalCount } }
            j: articles(first: 100) { nodes { claims(filter: {kind: $k}) { totalCount
              nodes { id } } } } }""",
        {
            "k": "QUOTE",
            "who": "<<Actor:Xi Jinping>>",
            "about": "<<Actor:China>>",
            "ev": "<<Event:Appel>>",
        },
    ),
    Case(
        "actor filters",
        """{ a: actors(first: 100, filter: {kind: PERSON}) { totalCount nodes { name } }
            b: actors(first: 100, filter: {country: "de"}) { nodes { name country } }
            c: actors(first: 100, filter: {search: "ミュラー"}) { nodes { name } }
            d: actors(first: 100, filter: {search: "100%_\\\\"}) { nodes { name } }
            e: actors(first: 100, filter: {kind: COUNTRY, country: "CN", search: "chin"}) {
              nodes { name } }
            f: actors(filter: {search: ""}) { totalCount }
            g: actors(filter: {country: "ZZ"}) { totalCount nodes { id } } }""",
    ),
    Case(
        "event filters",
        """query($from: Date, $to: Date) {
            a: events(first: 100, filter: {kind: MEETING}) { nodes { title } }
            b: events(first: 100, filter: {status: UNKNOWN}) { nodes { title date } }
            c: events(first: 100, filter: {actorId: "<<Actor:Xi Jinping>>"}) {
              nodes { title } }
            d: events(first: 100, filter: {actorId: "<<Merged:习近平>>"}) { nodes { title } }
            e: events(first: 100, filter: {from: $from}) { nodes { title date } }
            f: events(first: 100, filter: {to: $to}, orderBy: DATE_ASC) { nodes { date } }
            g: events(first: 100, filter: {from: "2025-06-01", to: "2025-06-30",
              kind: NEGOTIATION, status: OCCURRED}) { totalCount } }""",
        {"from": "2025-07-01", "to": "1969-07-20"},
    ),
    # -- empty things ------------------------------------------------------------------
    Case(
        "empty connections",
        """{ articles(filter: {search: "nothing matches this zzzz"}) { ...E }
            actors(filter: {search: "nothing matches this zzzz"}) { totalCount
              pageInfo { ...Page } nodes { id } }
            events(filter: {kind: VOTE, status: CANCELLED}) { totalCount edges { cursor } }
            actor(name: "NASA") { claims { totalCount pageInfo { ...Page } nodes { id } }
              claimsAbout { totalCount edges { cursor } } articles(last: 5) { ...E } }
            event(id: "<<Event:Événement sans date>>") { participants { role } causedBy { id }
              leadsTo { id title } articles { ...E } claims { totalCount }
              disclaimers { text } } }
          fragment E on ArticleConnection { totalCount pageInfo { ...Page }
            edges { cursor } nodes { id } }""",
    ),
    Case("only __typename", "{ __typename }"),
    Case(
        "a NUL in a name (no actor has it)",
        "query($s: String) { actor(name: $s) { id } }",
        {"s": "a\x00b"},
    ),
    Case(
        "operations by name",
        """query Articles { articles(first: 2) { nodes { ...Brief } } }
          query Both($n: Int = 2) { actors(first: $n) { nodes { id name } }
            articles(first: $n) { nodes { ...Brief } } }
          mutation Nothing { deleteClaim(id: "x") { deletedId } }
          fragment Brief on Article { id title publishedAt }""",
        operation="Both",
    ),
    Case(
        "variables with defaults",
        """query($n: Int = 3, $f: ArticleFilter = {search: "China"},
            $o: ArticleOrder = PUBLISHED_AT_ASC, $yes: Boolean = true) {
            articles(first: $n, filter: $f, orderBy: $o) { totalCount
              nodes { title @include(if: $yes) } } }""",
    ),
    Case(
        "variables with defaults, overridden",
        """query($n: Int = 3, $f: ArticleFilter = {search: "China"},
            $o: ArticleOrder = PUBLISHED_AT_ASC, $yes: Boolean = true) {
            articles(first: $n, filter: $f, orderBy: $o) { totalCount
              nodes { title @include(if: $yes) } } }""",
        {"n": 5, "f": {"sourceId": "<<Source:Archive ☃>>", "search": ""}, "o": None, "yes": False},
    ),
    Case(
        "a union spread inside a type",
        """{ articles(first: 3) { nodes { ... on SearchResult { __typename
            ... on Article { title } ... on Actor { name } } } } }""",
    ),
    *[
        Case(f"a disclaimer's source's articles, where there is no disclaimer ({i})", query)
        for i, query in enumerate(
            [
                """{ sources(first: 100) { nodes { name disclaimer { text source {
                    articles(first: 100) { nodes { title } } } } } } }""",
                """{ article(url: "https://archive.example/0001/year-one") { title disclaimer {
                    source { articles { nodes { title disclaimer { text } } } } } } }""",
                """{ node(id: "<<Article:Year ninety-nine>>") { ... on Article {
                    claims { nodes { id } } disclaimer { heading source {
                    articles(last: 1) { nodes { id } } } } } } }""",
                """{ events(first: 100) { nodes { disclaimers { source {
                    articles(first: 1) { nodes { id } } } } } } }""",
                """{ node(id: "<<Source:Archive ☃>>") { ... on Source { name disclaimer {
                    source { articles { nodes { id } } } } } } }""",
            ]
        )
    ],
    Case(
        "rows no source is behind",
        """{ actor(name: "Nobody’s “Actor”") { ...ActorFields claims { totalCount }
            events { nodes { role event { ...EventFields articles { totalCount } } } }
            articles { totalCount pageInfo { ...Page } } } }""",
    ),
    Case(
        "only rows no source is behind",
        """{ actor(name: "Nobody’s “Actor”") { name } }""",
    ),
    Case(
        "links that are not causes",
        """{ events(first: 100, orderBy: DATE_ASC) { nodes { title causedBy { title
            causedBy { title } } leadsTo { title leadsTo { title } } } } }""",
    ),
    Case(
        "an undisclaimed source's articles",
        """{ node(id: "<<Source:Archive ☃>>") { ... on Source { disclaimer { text }
            articles { nodes { title disclaimer { heading text } } } } } }""",
    ),
    Case(
        "the first instants and years",
        """{ articles(first: 3, orderBy: PUBLISHED_AT_ASC) { edges { cursor node { title
            publishedAt } } }
          events(last: 4) { edges { cursor node { title date datePrecision } } }
          old: articles(filter: {publishedBefore: "0100-01-01T00:00:00Z"}) { totalCount } }""",
    ),
    Case(
        "instants without an offset",
        """query($d: DateTime) { a: articles(first: 100,
            filter: {publishedAfter: "2025-06-10T08:00:00"}) { totalCount nodes { title } }
          b: articles(first: 100, filter: {publishedBefore: $d}) { totalCount } }""",
        {"d": "2025-06-12T02:00:00"},
    ),
    # -- falls back ----------------------------------------------------------------------
    Case(
        "search",
        """{ search(query: "Müller 東京", first: 5) { totalCount pageInfo { ...Page }
            edges { cursor node { __typename ... on Node { id } } } }
            articles(first: 1) { nodes { title } } }""",
        compiles=False,
    ),
    Case("introspection", "{ __schema { queryType { name } } }", compiles=False),
    Case(
        "introspection of a type",
        '{ __type(name: "Article") { name fields { name } } articles(first: 1) { totalCount } }',
        compiles=False,
    ),
    # -- errors --------------------------------------------------------------------------
    *[
        Case(f"error: {name}", query, variables, refused=True)
        for name, query, variables in [
            ("malformed id", '{ node(id: "bm9wZQ") { id } }', None),
            ("id of another type", '{ event(id: "<<Actor:China>>") { id } }', None),
            ("id not base64", '{ claim(id: "%%%") { id } }', None),
            (
                "id out of range",
                '{ node(id: "QXJ0aWNsZTo5OTk5OTk5OTk5OTk5OTk5OTk5OQ==") { id } }',
                None,
            ),
            ("nodes with one bad id", '{ nodes(ids: ["<<Article:Café>>", "x"]) { id } }', None),
            (
                "too many ids",
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                {"ids": ["<<Article:Café>>"] * 101},
            ),
            (
                "filter id of another type",
                """{ claims(filter: {claimantId: "<<Event:Appel>>"}) {
                totalCount } }""",
                None,
            ),
            (
                "nested filter bad id",
                """{ actor(name: "China") { claims(filter: {eventId:
                "nope"}) { totalCount } } }""",
                None,
            ),
            (
                "event filter bad id",
                '{ events(filter: {actorId: "<<Source:TokenWatch>>"}) { totalCount } }',
                None,
            ),
            (
                "cursor of another field",
                '{ events(after: "<<Cursor:articles:1>>") { totalCount } }',
                None,
            ),
            (
                "cursor of another order",
                """{ articles(orderBy: PUBLISHED_AT_ASC,
                after: "<<Cursor:articles:1>>") { totalCount } }""",
                None,
            ),
            (
                "nested cursor of the root field",
                """{ actor(name: "China") {
                claims(after: "<<Cursor:claims:1>>") { totalCount } } }""",
                None,
            ),
            (
                "cursor of another nested field",
                """{ actor(name: "China") {
                claimsAbout(before: "<<Cursor:Actor.claims:1>>") { totalCount } } }""",
                None,
            ),
            (
                "cursor variable of another field",
                """query($c: String) { sources(after: $c) {
                totalCount } }""",
                {"c": "<<Cursor:actors:0>>"},
            ),
            ("first 0", "{ articles(first: 0) { totalCount } }", None),
            ("last 0", "{ events(last: 0) { totalCount } }", None),
            (
                "first by variable out of range",
                "query($n: Int) { sources(first: $n) { totalCount } }",
                {"n": 1000},
            ),
            (
                "nested last out of range",
                """{ articles(first: 1) { nodes {
                claims(last: 101) { totalCount } } } }""",
                None,
            ),
            (
                "both first and last by variables",
                """query($f: Int, $l: Int) {
                articles(first: $f, last: $l) { totalCount } }""",
                {"f": 1, "l": 1},
            ),
            (
                "article with both id and url",
                """{ article(id: "<<Article:Café>>",
                url: "https://archive.example/1969/moon") { id } }""",
                None,
            ),
            ("actor with neither", "{ actor { id } }", None),
            (
                "actor with both by variables",
                "query($i: ID, $n: String) { actor(id: $i, name: $n) { id } }",
                {"i": "<<Actor:China>>", "n": "China"},
            ),
            (
                "wrong variable type",
                "query($n: Int) { articles(first: $n) { totalCount } }",
                {"n": "three"},
            ),
            ("missing required variable", "query($id: ID!) { node(id: $id) { id } }", {}),
            (
                "null for a required variable",
                "query($id: ID!) { node(id: $id) { id } }",
                {"id": None},
            ),
            (
                "wrong enum variable",
                "query($o: ArticleOrder) { articles(orderBy: $o) { totalCount } }",
                {"o": "NEWEST"},
            ),
            (
                "wrong DateTime variable",
                """query($d: DateTime) { articles(filter:
                {publishedAfter: $d}) { totalCount } }""",
                {"d": "yesterday"},
            ),
            ("wrong Date literal", '{ events(filter: {from: "2025-13-45"}) { totalCount } }', None),
            ("unknown field", "{ articles { nodes { nope } } }", None),
            ("syntax error", "{ articles { nodes { title }", None),
            (
                "a NUL in a search",
                "query($s: String) { claims(filter: {search: $s}) { totalCount } }",
                {"s": "a\x00b"},
            ),
            (
                "an instant beyond year 1 in UTC",
                '{ articles(filter: {publishedAfter: "0001-01-01T00:00:00+14:00"}) '
                "{ totalCount } }",
                None,
            ),
            (
                "an instant beyond year 9999 in UTC, by variable",
                """query($d: DateTime) { a: articles(first: 1) { nodes { title } }
                    b: articles(filter: {publishedBefore: $d}) { totalCount } }""",
                {"d": "9999-12-31T23:59:59-14:00"},
            ),
            (
                "a lone surrogate",
                """query($s: String, $u: String) { claims(filter: {search: $s}) { totalCount }
                    article(url: $u) { id } }""",
                {"s": "\ud800", "u": "x\udfff"},
            ),
            ("an Int for an ID", "query($id: ID!) { node(id: $id) { id } }", {"id": 12}),
            (
                "one bad field among good ones",
                """{ articles(first: 2) { nodes { title } }
                node(id: "bad") { id } }""",
                None,
            ),
        ]
    ],
]


def all_cases() -> list[Case]:
    """Every case the in-process differential runs."""
    return [
        *suite_cases(),
        *bench_cases(),
        *(replace(c, query=with_fragments(c.query)) for c in HAND_WRITTEN),
    ]


CASES = all_cases()


def _params(cases: list[Case]) -> list[Any]:
    """Cases as parameters; a known difference is an expected failure, strict, so that
    it shows when fixed."""
    return [
        pytest.param(
            case, marks=[pytest.mark.xfail(strict=True, reason=case.known)] if case.known else []
        )
        for case in cases
    ]


@pytest.mark.parametrize("case", _params(CASES), ids=str)
async def test_both_executors_answer_alike(
    dataset_engine: AsyncEngine, dataset: Dataset, case: Case
) -> None:
    query = dataset.resolve(case.query)
    variables = dataset.resolve(case.variables)
    response, compiled = await compare(dataset_engine, query, variables, case.operation)
    assert ("errors" in response) == case.refused, response
    expected = case.compiles and not case.refused
    assert compiled == expected, f"compiled: {compiled}, expected {expected}: {query}"


async def test_a_refused_argument_beside_a_running_statement(
    dataset_engine: AsyncEngine, dataset: Dataset
) -> None:
    """The error nulls the whole response and graphql-core cancels the sibling resolvers;
    a statement they were running must end first, or the session's connection is left
    unusable and the disclaimers' statement fails with an unmasked, uncoded error."""
    query = """{ search(query: "China") { edges { node { ... on Event { causedBy { title } } } }
        nodes { ... on Event { claims(before: "x") { totalCount } } } } }"""
    for _ in range(20):
        for executor in ("resolvers", "compiled"):
            response, compiled = await _execute(dataset_engine, query, None, executor)
            assert not compiled
            (error,) = response["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error


async def test_every_row_by_its_id(dataset_engine: AsyncEngine, dataset: Dataset) -> None:
    """`nodes` over every row's ID (a hundred at a time, the most it takes), every field."""
    ids = [
        str(relay.GlobalID(type_name, str(row_id)))
        for type_name, rows in dataset.rows.items()
        for row_id, _ in rows
    ] + [dataset.global_id(f"Merged:{merged}") for merged, _ in MERGES]
    query = with_fragments(
        """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ...ArticleFields
            ...ClaimFields ...SourceFields ... on Event { title date datePrecision }
            ... on Actor { name aliases affiliation { name } } } }"""
    )
    assert len(ids) > 100
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        response, compiled = await compare(dataset_engine, query, {"ids": chunk})
        assert compiled
        assert all(node is not None for node in response["data"]["nodes"])


def test_the_cases_cover_every_read_field() -> None:
    """Every field of every type a query can reach appears in some hand-written case."""
    schema: GraphQLSchema = schema_for("compiled").graphql_schema
    text = "\n".join(c.query for c in HAND_WRITTEN) + "\n".join(FRAGMENTS.values())
    named = set(re.findall(r"\b(\w+)\b", text))
    missing = []
    reachable = ["Query"]
    seen: set[str] = set()
    while reachable:
        name = reachable.pop()
        if name in seen:
            continue
        seen.add(name)
        type_ = schema.get_type(name)
        for field_name, definition in getattr(type_, "fields", {}).items():
            if field_name not in named:
                missing.append(f"{name}.{field_name}")
            inner = definition.type
            while hasattr(inner, "of_type"):
                inner = inner.of_type
            reachable.append(inner.name)
        for possible in getattr(type_, "types", ()):
            reachable.append(possible.name)
    assert missing == []


# -- walking every connection, page by page, both ways -----------------------------------


def _the_connection(data: Any) -> Any:
    """The one connection inside a response (descending through `nodes` lists)."""
    while "edges" not in data:
        (data,) = (value for value in data.values() if isinstance(value, dict | list))
        if isinstance(data, list):
            (data,) = data
    return data


def _field(template: str, args: str) -> str:
    return template.replace("{args}", args) if "{args}" in template else f"{template}({args})"


WALKS = [
    *[("{ CONNECTION " + EDGES + " }", template) for template in ROOT_CONNECTIONS],
    *[
        (
            f'{{ actor(name: "{actor}") {{ CONNECTION '
            f"{PARTICIPATION_EDGES if template == 'events' else EDGES} }} }}",
            template,
        )
        for actor, templates in NESTED_CONNECTIONS.items()
        for template in templates
    ],
    *[
        (
            '{ node(id: "<<Source:Global Wire>>") { ... on Source { CONNECTION ' + EDGES + " } } }",
            template,
        )
        for template in (
            "articles",
            "articles(orderBy: PUBLISHED_AT_ASC, {args})",
            "articles(orderBy: INGESTED_AT_DESC, {args})",
        )
    ],
    (
        "{ CONNECTION " + EDGES + " }",
        'articles(filter: {actorId: "<<Actor:China>>"}, orderBy: PUBLISHED_AT_ASC, {args})',
    ),
    ("{ CONNECTION " + EDGES + " }", 'claims(filter: {search: "China"}, {args})'),
    (
        "{ CONNECTION " + EDGES + " }",
        "events(filter: {status: OCCURRED}, orderBy: DATE_ASC, {args})",
    ),
    *[
        (
            '{ node(id: "<<Article:Café>>") { ... on Article { CONNECTION ' + EDGES + " } } }",
            template,
        )
        for template in ("claims", "actors", "events")
    ],
    *[
        ('{ event(id: "<<Event:U.S.-China trade talks>>") { CONNECTION ' + EDGES + " } }", template)
        for template in ("articles", "claims")
    ],
    ('{ actor(name: "Xi Jinping") { CONNECTION ' + PARTICIPATION_EDGES + " } }", "events"),
]


@pytest.mark.parametrize(("wrap", "template"), WALKS, ids=[f"{w[:30]}|{t}" for w, t in WALKS])
async def test_walks_page_alike(
    dataset_engine: AsyncEngine, dataset: Dataset, wrap: str, template: str
) -> None:
    """Every connection walked with `first: 3` and back with `last: 3`: each page equal
    both ways, compiled, and the walk visits every row once."""
    wrap, template = dataset.resolve(wrap), dataset.resolve(template)
    compared = 0
    walked: dict[bool, list[str]] = {False: [], True: []}
    for backwards in (False, True):
        cursor: str | None = None
        while True:
            if backwards:
                args = "last: 3" + (f', before: "{cursor}"' if cursor else "")
            else:
                args = "first: 3" + (f', after: "{cursor}"' if cursor else "")
            query = wrap.replace("CONNECTION", _field(template, args))
            response, compiled = await compare(dataset_engine, query)
            assert compiled, query
            compared += 1
            connection = _the_connection(response["data"])
            keys = [json.dumps(edge["node"]) for edge in connection["edges"]]
            walked[backwards] = keys + walked[True] if backwards else walked[False] + keys
            info = connection["pageInfo"]
            more = info["hasPreviousPage"] if backwards else info["hasNextPage"]
            if not more:
                break
            cursor = info["startCursor"] if backwards else info["endCursor"]
            assert compared < 200, "paging does not end"
    assert walked[False] == walked[True]
    assert len(set(walked[False])) == len(walked[False]) > 0


# -- generated queries -------------------------------------------------------------------

GENERATED_EXAMPLES = 300


def _scalars(dataset: Dataset) -> dict[str, st.SearchStrategy[Any]]:
    """Values for the generated arguments: mostly ids, cursors and texts of the dataset,
    so that most queries find something, with a few that find nothing or are refused."""
    tokens = [
        "Article:Café",
        "Article:Sans date",
        "Article:The Eagle",
        "Article:U.S. and Chinese",
        "Actor:China",
        "Actor:Xi Jinping",
        "Actor:José Müller-Lüdenscheidt",
        "Merged:习近平",
        "Event:Réunion",
        "Event:U.S.-China trade talks in London",
        "Claim:José Müller",
        "Claim:Une phrase",
        "Source:Global Wire",
        "Source:Économie",
        "Missing:Claim",
    ]
    ids = [dataset.global_id(token) for token in tokens] + ["not-an-id"]
    cursors = [cursor for page in dataset.cursors.values() for cursor in page[:2]]
    texts = [
        "China",
        "Müller",
        "東京",
        "trade talks",
        "",
        "us",
        "CN",
        "https://archive.example/1969/moon",
        "Beijing",
        '"quoted" \\ text',
    ]
    return {
        "ID": st.sampled_from(ids).map(nodes.String),
        "Int": st.sampled_from([1, 2, 3, 5, 100, 0]).map(nodes.Int),
        "String": st.sampled_from(texts + cursors).map(nodes.String),
        "DateTime": st.sampled_from(
            ["2025-06-06T00:00:00Z", "2025-06-10T06:15:30.123456+00:00", "1969-01-01T00:00:00Z"]
        ).map(nodes.String),
        "Date": st.sampled_from(["2025-06-09", "1969-07-20", "2025-07-01"]).map(nodes.String),
    }


def generated_queries(dataset: Dataset) -> list[str]:
    """Queries hypothesis-graphql generates over every root field of the read schema,
    deterministically, shared out over the fields."""
    schema = schema_for("compiled").graphql_schema
    root = schema.query_type
    assert root is not None
    found: list[str] = []
    each = settings(
        max_examples=-(-GENERATED_EXAMPLES // len(root.fields)),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    for name in sorted(root.fields):
        strategy = queries(schema, fields=[name], custom_scalars=_scalars(dataset))

        @each
        @given(strategy)
        def collect(query: str) -> None:
            if query not in found:
                found.append(query)

        collect()
    return found


# Row ids a repaired argument may name, by the type the argument expects.
REPAIR_IDS = {
    "Article": [
        "Article:Café",
        "Article:Sans date",
        "Article:The Eagle",
        "Article:U.S. and Chinese",
    ],
    "Actor": ["Actor:China", "Actor:Xi Jinping", "Merged:习近平", "Actor:José Müller-Lüdenscheidt"],
    "Event": ["Event:Réunion", "Event:U.S.-China trade talks in London", "Event:Apollo 11"],
    "Claim": ["Claim:José Müller", "Claim:Une phrase", "Claim:习近平 a démenti"],
    "Source": ["Source:Global Wire", "Source:Économie", "Source:Unknown source"],
}
REPAIR_IDS["Node"] = [token for tokens in REPAIR_IDS.values() for token in tokens]
ARGUMENT_IDS = {"article": "Article", "actor": "Actor", "event": "Event", "claim": "Claim"}
FILTER_IDS = {
    "sourceId": "Source",
    "actorId": "Actor",
    "claimantId": "Actor",
    "aboutId": "Actor",
    "eventId": "Event",
}


class Repair(Visitor):
    """Makes the arguments of a generated operation ones the API accepts: one of
    `first` and `last`, page sizes in range, IDs of the type expected, cursors of the
    connection they are passed to, exactly one key for `article` and `actor`. Generated
    arguments are mostly refused, and a refused operation leaves the compiler untested."""

    def __init__(self, type_info: TypeInfo, dataset: Dataset) -> None:
        super().__init__()
        self.type_info = type_info
        self.dataset = dataset

    def _id(self, type_name: str, seed: str) -> StringValueNode:
        tokens = REPAIR_IDS[type_name]
        return StringValueNode(
            value=self.dataset.global_id(tokens[sum(map(ord, seed)) % len(tokens)])
        )

    def _cursor(self, parent: str, name: str, order: str | None, seed: str) -> Any:
        if parent == "Query" and name in ("articles", "events"):
            page = name if order in (None, "PUBLISHED_AT_DESC", "DATE_DESC") else f"{name}/{order}"
        elif parent == "Query":
            page = name
        elif parent == "Source":
            page = {None: "Source.articles", "PUBLISHED_AT_DESC": "Source.articles"}.get(
                order, "Source.articles/ASC" if order == "PUBLISHED_AT_ASC" else ""
            )
        else:
            page = f"{parent}.{name}"
        cursors = self.dataset.cursors.get(page)
        if not cursors:
            return None
        return StringValueNode(value=cursors[sum(map(ord, seed)) % len(cursors)])

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        if not node.arguments:
            return None
        parent = self.type_info.get_parent_type()
        name = node.name.value
        values: dict[str, ValueNode] = {a.name.value: a.value for a in node.arguments}

        def given(argument: str) -> bool:
            value = values.get(argument)
            return value is not None and not isinstance(value, NullValueNode)

        def seed(argument: str) -> str:
            return print_ast(values[argument])

        if given("first") and given("last"):
            del values["last"]
        for size in ("first", "last"):
            value = values.get(size)
            if isinstance(value, IntValueNode) and not 1 <= int(value.value) <= 100:
                values[size] = IntValueNode(value="2")
        if name in ("article", "actor") and parent is not None and parent.name == "Query":
            other = "url" if name == "article" else "name"
            if given("id") and given(other):
                del values[other]
            elif not given("id") and not given(other):
                values["id"] = self._id(ARGUMENT_IDS[name], name)
        if name in ARGUMENT_IDS and given("id"):
            values["id"] = self._id(ARGUMENT_IDS[name], seed("id"))
        if name == "node" and given("id"):
            values["id"] = self._id("Node", seed("id"))
        ids = values.get("ids")
        if name == "nodes" and isinstance(ids, ListValueNode):
            values["ids"] = ListValueNode(
                values=tuple(self._id("Node", print_ast(v)) for v in ids.values[:100])
            )
        order = values.get("orderBy")
        order_name = order.value if isinstance(order, EnumValueNode) else None
        for bound in ("after", "before"):
            if given(bound):
                cursor = self._cursor(parent.name if parent else "", name, order_name, seed(bound))
                if cursor is None:
                    del values[bound]
                else:
                    values[bound] = cursor
        condition = values.get("filter")
        if isinstance(condition, ObjectValueNode):
            values["filter"] = ObjectValueNode(
                fields=tuple(
                    ObjectFieldNode(
                        name=f.name,
                        value=self._id(FILTER_IDS[f.name.value], print_ast(f.value))
                        if f.name.value in FILTER_IDS and not isinstance(f.value, NullValueNode)
                        else f.value,
                    )
                    for f in condition.fields
                )
            )
        arguments = tuple(
            ArgumentNode(name=NameNode(value=argument), value=value)
            for argument, value in values.items()
        )
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=arguments,
            directives=node.directives,
            selection_set=node.selection_set,
        )


def repaired(query: str, dataset: Dataset) -> str:
    """`query` with arguments the API accepts (see `Repair`)."""
    schema = schema_for("compiled").graphql_schema
    type_info = TypeInfo(schema)
    document = parse(query)
    return print_ast(visit(document, TypeInfoVisitor(type_info, Repair(type_info, dataset))))


@pytest.mark.slow
async def test_generated_queries_answer_alike(
    dataset_engine: AsyncEngine, dataset: Dataset
) -> None:
    """Each generated query as generated (mostly refused: the errors must be equal), and
    repaired (mostly answered: by the compiled path).

    As generated, a query may fall back without an error: an argument the resolvers
    would refuse (a foreign cursor, a page size out of range) under a parent that turns
    out null is never resolved by them, while the compiled path checks every argument
    before it runs. Repaired, every argument is one the API accepts, so the compiled
    path must answer whatever the resolvers answer without an error.
    """
    generated = generated_queries(dataset)
    assert len(generated) >= GENERATED_EXAMPLES // 2
    fixed = list(dict.fromkeys(repaired(query, dataset) for query in generated))
    compiled_count = 0
    for query, accepted in [*((q, False) for q in generated), *((q, True) for q in fixed)]:
        response, compiled = await compare(dataset_engine, query)
        if accepted:
            assert compiled != falls_back(query, response), (compiled, query, response)
        else:
            assert not (compiled and falls_back(query, response)), (query, response)
        compiled_count += compiled
    # most repaired queries are answered, and by the compiled path
    assert compiled_count >= len(generated) * 3 // 4, (compiled_count, len(generated))


# -- over HTTP -----------------------------------------------------------------------------

HTTP_CASES = [
    "every article field",
    "every event field",
    "nodes with missing and merged ids",
    "lookups by id, url and name",
    "article filters",
    "the unicode article by variable url",
    "search",
    "error: cursor of another field",
    "error: wrong variable type",
    "error: syntax error",
    "error: one bad field among good ones",
    "only __typename",
    "empty connections",
]


@pytest.fixture(scope="module")
def http_cases() -> list[Case]:
    named = {case.name: case for case in CASES}
    chosen = [named[name] for name in HTTP_CASES if name in named]
    chosen += [case for case in CASES if case.name.startswith("bench-")]
    return chosen


# The same document with values in turn: the first request makes an operation known, the
# later ones take the short path, or the long way when a value is refused.
Sequence = tuple[str, str | None, list[dict[str, Any] | None]]
HTTP_SEQUENCES: list[Sequence] = [
    (
        (BENCH / "q2_actor.graphql").read_text(),
        None,
        [
            {"id": "<<Actor:China>>"},
            {"id": "<<Merged:习近平>>"},
            {"id": "<<Missing:Actor>>"},
            {"id": "<<Article:Café>>"},
            {"id": "not-an-id"},
            {"id": "<<Actor:José Müller-Lüdenscheidt>>"},
        ],
    ),
    (
        "query($id: ID!) { node(id: $id) { id ... on Article { title } } }",
        None,
        [
            {"id": "<<Article:Café>>"},
            {"id": "<<Missing:Article>>"},
            {"id": "<<Source:Plain Wire>>"},
        ],
    ),
    (
        """query($f: Int, $l: Int, $a: String) { claims(first: $f, last: $l, after: $a) {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor node { id } } } }""",
        None,
        [
            {"f": 3},
            {"f": 1000},
            {"f": 0},
            {"f": None, "l": 2},
            {"f": 2, "l": 2},
            {"f": 2, "a": "<<Cursor:claims:1>>"},
            {"f": 2, "a": "<<Cursor:actors:1>>"},
            {"l": 2, "a": "<<Cursor:claims:1>>"},
        ],
    ),
    (
        """query($s: String, $d: DateTime) { claims(filter: {search: $s}) { totalCount }
            articles(filter: {publishedAfter: $d}) { totalCount } }""",
        None,
        [
            {"s": "China", "d": "2025-06-10T06:15:30.123456Z"},
            {"s": "", "d": None},
            {"s": "a\u0000b", "d": None},
            {"s": "China", "d": "0001-01-01T00:00:00+14:00"},
            {"s": "négociation", "d": "1969-07-20T20:17:40.0001+00:00"},
        ],
    ),
    (
        """query Articles { articles(first: 2) { nodes { ...Brief } } }
          query Both($n: Int = 2) { actors(first: $n) { nodes { id name } }
            articles(first: $n) { nodes { ...Brief } } }
          fragment Brief on Article { id title publishedAt }""",
        "Both",
        [None, {"n": 3}, {"n": -3}, {"n": 1}],
    ),
    (
        """query Articles { articles(first: 2) { nodes { ...Brief } } }
          query Both($n: Int = 2) { actors(first: $n) { nodes { id name } }
            articles(first: $n) { nodes { ...Brief } } }
          fragment Brief on Article { id title publishedAt }""",
        "Articles",
        [None, None],
    ),
]


@pytest.mark.parametrize(
    ("query", "operation", "runs"), HTTP_SEQUENCES, ids=[q[:40] for q, _, _ in HTTP_SEQUENCES]
)
async def test_one_document_with_values_in_turn(
    dataset_engine: AsyncEngine,
    dataset: Dataset,
    query: str,
    operation: str | None,
    runs: list[dict[str, Any] | None],
) -> None:
    """In-process too, one cached statement serves every value of a shape, and a value
    the resolvers refuse still goes to them."""
    for variables in runs:
        resolved = dataset.resolve(query)
        response, compiled = await compare(
            dataset_engine, resolved, dataset.resolve(variables), operation
        )
        assert compiled != falls_back(resolved, response), (variables, response)


async def _exchange(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, str, Any]:
    answer = await client.post("/graphql", json=body)
    return (
        answer.status_code,
        answer.headers["content-type"],
        _without_request_ids(answer.json()),
    )


async def test_http_answers_alike(
    dataset: Dataset, http_cases: list[Case], shortcut_answers: ShortcutAnswers
) -> None:
    """Over HTTP the compiled path splices PostgreSQL's JSON into the body unparsed, and
    answers known operations by the short path: the statuses, media types and parsed
    bodies must still be those of the resolvers, the first time and the next."""
    exchanges = [
        (case.name, case.query, case.operation, [case.variables]) for case in http_cases
    ] + [(query[:40], query, operation, runs) for query, operation, runs in HTTP_SEQUENCES]
    async with (
        http_client(None, dataset.url, executor="compiled") as compiled,
        http_client(None, dataset.url, executor="resolvers") as resolvers,
    ):
        for name, query, operation, runs in exchanges:
            for variables in runs:
                body = {
                    "query": dataset.resolve(query),
                    "variables": dataset.resolve(variables),
                    "operationName": operation,
                }
                expected = await _exchange(resolvers, body)
                for attempt in ("first", "again"):
                    got = await _exchange(compiled, body)
                    assert got[:2] == expected[:2], (name, attempt, variables, got, expected)
                    assert_same(got[2], expected[2], f"{name} ({attempt}, {variables})")
        (every,) = [case for case in CASES if case.name == "every article field"]
        params = {"query": dataset.resolve(every.query)}
        got_get, expected_get = [
            await c.get("/graphql", params=params) for c in (compiled, resolvers)
        ]
        assert got_get.status_code == expected_get.status_code == 200
        assert "errors" not in expected_get.json()
        assert_same(got_get.json(), expected_get.json(), "GET")
    assert shortcut_answers.answered > len(http_cases)


def _without_request_ids(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", []):
        _without_request_id(error)
    return body
