"""GraphQL over HTTP as the spec says, one test per defect found by hand or by schemathesis.

Every answer is JSON in one error shape (`message`, `locations`/`path` where they apply,
`extensions.code`); refusals carry no `data`; nothing malformed reaches PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import create_key, http_client, recording

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _global_id(type_name: str, row_id: int | str) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def _error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    (error,) = body["errors"]
    return dict(error)


@pytest.mark.parametrize("body", [b'"hi"', b"5", b"null", b"true", b"[1]"])
async def test_a_json_body_that_is_not_an_object_is_a_bad_request(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = _error(response)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "JSON object" in error["message"] or "batched operations are off" in error["message"]
    assert "data" not in response.json()


async def test_several_operations_need_an_operation_name(client: httpx.AsyncClient) -> None:
    document = "query A { __typename } query B { sources { totalCount } }"
    response = await client.post("/graphql", json={"query": document})
    assert response.status_code == 400
    error = _error(response)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "operationName" in error["message"]
    assert "data" not in response.json()
    chosen = await client.post("/graphql", json={"query": document, "operationName": "B"})
    assert chosen.json()["data"] == {"sources": {"totalCount": 1}}
    unknown = await client.post("/graphql", json={"query": document, "operationName": "C"})
    assert unknown.status_code == 400
    assert "no operation named 'C'" in _error(unknown)["message"]


@pytest.mark.parametrize(
    ("accept", "status"), [(GRAPHQL_RESPONSE, 400), ("application/json", 200), ("*/*", 200)]
)
async def test_a_syntax_error_is_coded_and_a_request_error_for_the_graphql_media_type(
    client: httpx.AsyncClient, accept: str, status: int
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ articles { "}, headers={"accept": accept}
    )
    assert response.status_code == status
    error = _error(response)
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert error["locations"] == [{"line": 1, "column": 14}]
    assert ("data" in response.json()) == (status == 200)
    media_type = GRAPHQL_RESPONSE if accept == GRAPHQL_RESPONSE else "application/json"
    assert response.headers["content-type"] == media_type


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_refused_in_json(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, OPTIONS"
    assert _error(response)["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_preflight_without_allowed_origins_is_refused_in_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 403
    assert _error(response)["extensions"]["code"] == "FORBIDDEN"
    assert "access-control-allow-origin" not in response.headers


async def test_a_preflight_from_a_disallowed_origin_is_refused_in_json(
    database_url: str, db_engine: AsyncEngine
) -> None:
    async with http_client(db_engine, database_url, cors_origins=["https://app.example"]) as client:
        allowed = await client.options(
            "/graphql",
            headers={"origin": "https://app.example", "access-control-request-method": "POST"},
        )
        refused = await client.options(
            "/graphql",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
    assert allowed.status_code == 200
    assert refused.status_code == 403
    error = _error(refused)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "NEWSGRAPH_CORS_ORIGINS" in error["message"]


@pytest.mark.parametrize("row_id", ["99999999999999999999", "-99999999999999999999", "1e3"])
async def test_ids_outside_bigint_never_reach_postgresql(
    client: httpx.AsyncClient, db_engine: AsyncEngine, row_id: str
) -> None:
    query = "query($id: ID!) { node(id: $id) { id } }"
    with recording(db_engine) as statements:
        response = await client.post(
            "/graphql", json={"query": query, "variables": {"id": _global_id("Actor", row_id)}}
        )
    error = _error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not an ID this API handed out" in error["message"]
    assert "int64" not in error["message"]
    assert "range" not in error["message"]
    assert error["path"] == ["node"]
    assert not [s for s in statements.statements if "FROM actor" in s]


async def test_a_garbage_cursor_is_refused_clearly(client: httpx.AsyncClient) -> None:
    garbage = base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode()
    for cursor in (garbage, "not a cursor", base64.urlsafe_b64encode(b'["x", 1]').decode()):
        response = await client.post(
            "/graphql",
            json={"query": f'{{ articles(after: "{cursor}") {{ totalCount }} }}'},
        )
        error = _error(response)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "is not a cursor this API handed out" in error["message"]
        assert "codec" not in error["message"]
        assert error["path"] == ["articles"]


async def _end_cursor(client: httpx.AsyncClient, field: str) -> str:
    response = await client.post(
        "/graphql", json={"query": f"{{ {field} {{ pageInfo {{ endCursor }} }} }}"}
    )
    name = field.split("(")[0]
    cursor: str = response.json()["data"][name]["pageInfo"]["endCursor"]
    return cursor


async def test_a_cursor_is_refused_under_another_order_or_field(
    client: httpx.AsyncClient,
) -> None:
    ascending = await _end_cursor(client, "events(first: 1, orderBy: DATE_ASC)")
    same = await client.post(
        "/graphql",
        json={"query": f'{{ events(orderBy: DATE_ASC, after: "{ascending}") {{ totalCount }} }}'},
    )
    assert "errors" not in same.json()
    for query in (
        f'{{ events(orderBy: DATE_DESC, after: "{ascending}") {{ totalCount }} }}',
        f'{{ claims(after: "{ascending}") {{ totalCount }} }}',
    ):
        error = _error(await client.post("/graphql", json={"query": query}))
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "this cursor was made for Query.events/DATE_ASC" in error["message"]


async def test_page_size_errors_say_where_like_other_input_errors(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ sources { nodes { articles(first: 101) { totalCount } } } }"}
    )
    error = _error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["sources", "nodes", "articles"]
    assert error["locations"] == [{"line": 1, "column": 21}]


async def test_a_401_never_carries_data_whatever_its_cause(
    database_url: str, db_engine: AsyncEngine
) -> None:
    mutation = 'mutation { createSource(input: {name: "X"}) { source { id } } }'
    unknown_key = "ngk_000000000000_" + "A" * 43
    answers = []
    async with http_client(db_engine, database_url) as anonymous:
        answers.append(await anonymous.post("/graphql", json={"query": mutation}))
    async with http_client(db_engine, database_url, key=unknown_key) as keyed:
        answers.append(await keyed.post("/graphql", json={"query": "{ __typename }"}))
    async with http_client(db_engine, database_url, require_read_key=True) as strict:
        answers.append(await strict.post("/graphql", json={"query": "{ __typename }"}))
    for response in answers:
        assert response.status_code == 401, response.text
        assert "data" not in response.json()
        assert "path" not in _error(response)
        assert response.headers["www-authenticate"] == "Bearer"
        assert _error(response)["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_read_key_writing_gets_403_without_data(
    database_url: str, db_engine: AsyncEngine
) -> None:
    key = await create_key(database_url, "reader", "read")
    async with http_client(db_engine, database_url, key=key) as client:
        response = await client.post(
            "/graphql",
            json={"query": 'mutation { createSource(input: {name: "X"}) { source { id } } }'},
        )
    assert response.status_code == 403
    assert "data" not in response.json()
    error = _error(response)
    assert "path" not in error, "a refused request ran no field"
    assert error["locations"] == [{"line": 1, "column": 12}]


@pytest.mark.parametrize("accept", ["*/*", "application/json", ""])
async def test_a_get_without_a_query_is_a_json_error_unless_a_browser_asks(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.get("/graphql", headers={"accept": accept})
    assert response.status_code == 400
    assert _error(response)["extensions"]["code"] == "BAD_REQUEST"
    page = await client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("name", ["Bell\x07Source", "Line\nbreak", "Tab\tSource", "C1\x85"])
async def test_create_source_refuses_control_characters(
    database_url: str, db_engine: AsyncEngine, name: str
) -> None:
    key = await create_key(database_url, "writer", "write")
    mutation = """mutation($name: String!) {
      createSource(input: {name: $name}) { source { id } userErrors { field message code } } }"""
    async with http_client(db_engine, database_url, key=key) as client:
        response = await client.post(
            "/graphql", json={"query": mutation, "variables": {"name": name}}
        )
    payload = response.json()["data"]["createSource"]
    assert payload["source"] is None
    (error,) = payload["userErrors"]
    assert error["field"] == ["input", "name"]
    assert error["code"] == "INVALID_INPUT"
    assert "control characters" in error["message"]


async def test_every_response_names_its_request(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert len(response.headers["x-request-id"]) == 16
    given = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "trace-42"}
    )
    assert given.headers["x-request-id"] == "trace-42"
    odd = await client.get("/healthz", headers={"x-request-id": "not ok; drop table"})
    assert odd.headers["x-request-id"] != "not ok; drop table"


async def test_variables_that_are_not_an_object_are_a_bad_request(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }", "variables": [1]}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert "`variables` must be a JSON object or null" in _error(response)["message"]
