"""CORS for real browser apps: the tracing and client headers they send, what their code
may read, preflights cached, refusals in JSON that name the setting to change."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from newsgraph.errors import ConfigurationError
from newsgraph.settings import DEFAULT_CORS_HEADERS, load_settings
from tests.helpers import http_client

APP = "https://app.example"


def preflight(headers: str, origin: str = APP) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": headers,
    }


@pytest.fixture
async def cors(database_url: str, db_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(db_engine, database_url, cors_origins=[APP]) as client:
        yield client


async def test_the_headers_real_apps_send_pass_the_preflight(cors: httpx.AsyncClient) -> None:
    asked = "content-type, authorization, " + ", ".join(DEFAULT_CORS_HEADERS)
    response = await cors.options("/graphql", headers=preflight(asked))
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == APP
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"traceparent", "tracestate", "baggage", "sentry-trace"} <= allowed
    assert {"apollographql-client-name", "apollographql-client-version"} <= allowed
    assert {"x-request-id", "apollo-require-preflight", "authorization"} <= allowed
    assert response.headers["access-control-max-age"] == "600"


async def test_browser_code_may_read_retry_after_and_the_request_id(
    cors: httpx.AsyncClient,
) -> None:
    response = await cors.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"origin": APP, "traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert exposed == {"retry-after", "x-request-id"}


async def test_a_header_not_allowed_is_refused_in_json_naming_the_setting(
    cors: httpx.AsyncClient,
) -> None:
    response = await cors.options("/graphql", headers=preflight("traceparent, x-secret"))
    assert response.status_code == 403
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == (
        "request headers x-secret are not allowed from origin 'https://app.example': the "
        "allowed headers are set by NEWSGRAPH_CORS_HEADERS"
    )


async def test_a_disallowed_origin_is_refused_in_json(cors: httpx.AsyncClient) -> None:
    response = await cors.options(
        "/graphql", headers=preflight("traceparent", origin="https://evil.example")
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "origin 'https://evil.example' may not call this API" in error["message"]
    assert "NEWSGRAPH_CORS_ORIGINS" in error["message"]
    assert "access-control-allow-origin" not in response.headers


async def test_the_allowed_headers_and_preflight_lifetime_are_configurable(
    database_url: str, db_engine: AsyncEngine
) -> None:
    async with http_client(
        db_engine, database_url, cors_origins=[APP], cors_headers=["x-tenant"], cors_max_age=60
    ) as client:
        custom = await client.options("/graphql", headers=preflight("x-tenant, content-type"))
        tracing = await client.options("/graphql", headers=preflight("traceparent"))
    assert custom.status_code == 200
    assert custom.headers["access-control-max-age"] == "60"
    assert tracing.status_code == 403


def test_header_names_are_checked_when_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_CORS_HEADERS", "Traceparent, X-Tenant")
    assert load_settings().cors_headers == ["traceparent", "x-tenant"]
    monkeypatch.setenv("NEWSGRAPH_CORS_HEADERS", "x-tenant, not a header")
    with pytest.raises(ConfigurationError, match=r"NEWSGRAPH_CORS_HEADERS: .*'not a header'"):
        load_settings()
