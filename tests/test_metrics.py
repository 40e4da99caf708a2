"""`GET /metrics`: what it counts, who may read it, and that its labels stay bounded."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Mount

from newsgraph.metrics import MAX_OPERATION_NAMES, OperationNames
from newsgraph.server import create_app
from newsgraph.settings import MetricsAccess, Settings, load_settings
from tests.helpers import create_key, http_client

FEED = "query Feed { articles(first: 5) { nodes { title source { name } } } }"


def metric(exposition: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name` with exactly `labels` in a text exposition."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return None


def refused_before_parsing(exposition: str, code: str) -> float | None:
    """How many /graphql requests were refused with `code` before an operation was known."""
    return metric(
        exposition, "newsgraph_requests_total", route="/graphql", operation="(none)", outcome=code
    )


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


async def test_a_query_is_counted_with_its_operation_outcome_and_statements(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="newsgraph.request")
    response = await client.post("/graphql", json={"query": FEED, "operationName": "Feed"})
    assert response.status_code == 200, response.text
    # the request's own count, whichever way its SQL went (compiled, or sessions)
    (logged,) = [r for r in caplog.records if getattr(r, "path", None) == "/graphql"]
    sent: int = logged.__dict__["sql_statements"]  # an `extra=` field of the log line
    assert sent > 0

    exposition = await scrape(client)
    requests = "newsgraph_requests_total"
    assert metric(exposition, requests, route="/graphql", operation="Feed", outcome="OK") == 1
    statements = "newsgraph_request_sql_statements"
    assert metric(exposition, f"{statements}_count", route="/graphql") == 1
    assert metric(exposition, f"{statements}_sum", route="/graphql") == sent
    duration = "newsgraph_request_duration_seconds"
    assert metric(exposition, f"{duration}_count", route="/graphql", kind="ok") == 1
    assert metric(exposition, f"{duration}_count", route="/graphql", kind="client_error") is None


async def test_a_rate_limited_request_is_counted_as_refused(
    database_url: str, db_engine: AsyncEngine
) -> None:
    async with http_client(db_engine, database_url, rate_limit=1) as client:
        assert (await client.post("/graphql", json={"query": FEED})).status_code == 200
        limited = await client.post("/graphql", json={"query": FEED})
        assert limited.status_code == 429, limited.text
        exposition = await scrape(client)
    assert metric(exposition, "newsgraph_requests_refused_total", code="RATE_LIMITED") == 1
    assert refused_before_parsing(exposition, "RATE_LIMITED") == 1
    duration = "newsgraph_request_duration_seconds_count"
    assert metric(exposition, duration, route="/graphql", kind="client_error") == 1


async def test_refusals_of_the_transport_rules_are_counted_by_their_code(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.put("/graphql")).status_code == 405
    form = await client.post("/graphql", content=b"query=x", headers={"content-type": "text/plain"})
    assert form.status_code == 415
    exposition = await scrape(client)
    refused = "newsgraph_requests_refused_total"
    assert metric(exposition, refused, code="METHOD_NOT_ALLOWED") == 1
    assert metric(exposition, refused, code="UNSUPPORTED_MEDIA_TYPE") == 1
    assert refused_before_parsing(exposition, "METHOD_NOT_ALLOWED") == 1


async def test_other_routes_are_counted_without_an_operation(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/no/such/page")).status_code == 404
    exposition = await scrape(client)
    requests = "newsgraph_requests_total"
    assert metric(exposition, requests, route="/healthz", operation="", outcome="OK") == 1
    assert metric(exposition, requests, route="other", operation="", outcome="NOT_FOUND") == 1
    # an unknown path is not a refusal of the API
    assert metric(exposition, "newsgraph_requests_refused_total", code="NOT_FOUND") is None


async def test_pool_gauges_show_connections_in_use_and_requests_waiting(
    database_url: str, write_key: str
) -> None:
    # the app's own engine: a pool of one connection plus one of overflow
    app = create_app(Settings(database_url=database_url, pool_size=1, rate_limit=0))
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            exposition = await scrape(client)
            assert metric(exposition, "newsgraph_db_pool_in_use") == 0
            assert metric(exposition, "newsgraph_db_pool_waiting") == 0

            sessionmaker = await runtime.sessionmaker()
            async with sessionmaker() as first, sessionmaker() as second:
                await first.execute(text("SELECT 1"))  # both connections are taken now
                await second.execute(text("SELECT 1"))
                # a request with a key looks the key up on a session of the pool
                waiting_request = asyncio.create_task(
                    client.post(
                        "/graphql",
                        json={"query": "{ sources { totalCount } }"},
                        headers={"Authorization": f"Bearer {write_key}"},
                    )
                )
                for _ in range(100):
                    exposition = await scrape(client)
                    if metric(exposition, "newsgraph_db_pool_waiting") == 1:
                        break
                    await asyncio.sleep(0.02)
                assert metric(exposition, "newsgraph_db_pool_waiting") == 1
                assert metric(exposition, "newsgraph_db_pool_in_use") == 2
                assert metric(exposition, "newsgraph_db_pool_size") == 1
            response = await waiting_request
            assert response.status_code == 200, response.text

            exposition = await scrape(client)
            assert metric(exposition, "newsgraph_db_pool_waiting") == 0
            assert metric(exposition, "newsgraph_db_pool_in_use") == 0

            # a transaction that ends without ever asking for a connection waits no more
            async with sessionmaker() as idle:
                async with idle.begin() as began:
                    pass
                exposition = await scrape(client)
                assert began.sync_transaction is not None  # still held, not collected
                assert metric(exposition, "newsgraph_db_pool_waiting") == 0
            # the overflow connection is closed on its return; the pool keeps its one
            assert metric(exposition, "newsgraph_db_pool_idle") == 1
    finally:
        await runtime.stop()


async def test_read_pool_gauges_show_compiled_reads_in_use_and_waiting(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, pool_size=1, rate_limit=0))
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post("/graphql", json={"query": "{ sources { totalCount } }"})
            assert response.status_code == 200, response.text
            exposition = await scrape(client)
            assert metric(exposition, "newsgraph_read_pool_size") == 1
            assert metric(exposition, "newsgraph_read_pool_idle") == 1
            assert metric(exposition, "newsgraph_read_pool_in_use") == 0

            reader = runtime.reader
            holding = asyncio.create_task(reader.fetch("SELECT pg_sleep(0.5)::text, null", []))
            waiting = asyncio.create_task(reader.fetch("SELECT 'done', null", []))
            for _ in range(100):
                exposition = await scrape(client)
                if metric(exposition, "newsgraph_read_pool_waiting") == 1:
                    break
                await asyncio.sleep(0.01)
            assert metric(exposition, "newsgraph_read_pool_waiting") == 1
            assert metric(exposition, "newsgraph_read_pool_in_use") == 1
            await holding
            assert await waiting == ("done", None)
            exposition = await scrape(client)
            assert metric(exposition, "newsgraph_read_pool_waiting") == 0
            assert metric(exposition, "newsgraph_read_pool_in_use") == 0
    finally:
        await runtime.stop()


async def test_a_mounted_app_labels_routes_inside_itself(
    database_url: str, db_engine: AsyncEngine
) -> None:
    news = create_app(Settings(database_url=database_url, rate_limit=0), engine=db_engine)
    outer = Starlette(routes=[Mount("/news", app=news)])
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/news/healthz")).status_code == 200
        exposition = (await client.get("/news/metrics")).text
    labels = {"route": "/healthz", "operation": "", "outcome": "OK"}
    assert metric(exposition, "newsgraph_requests_total", **labels) == 1


async def test_each_app_counts_into_its_own_registry(
    database_url: str, db_engine: AsyncEngine
) -> None:
    async with (
        http_client(db_engine, database_url) as busy,
        http_client(db_engine, database_url) as idle,
    ):
        await busy.get("/healthz")
        busy_exposition, idle_exposition = await scrape(busy), await scrape(idle)
    labels = {"route": "/healthz", "operation": "", "outcome": "OK"}
    assert metric(busy_exposition, "newsgraph_requests_total", **labels) == 1
    assert metric(idle_exposition, "newsgraph_requests_total", **labels) is None


async def test_metrics_can_be_turned_off(database_url: str, db_engine: AsyncEngine) -> None:
    async with http_client(db_engine, database_url, metrics="off") as client:
        response = await client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "NEWSGRAPH_METRICS" in error["message"]


async def test_metrics_are_read_with_a_get(client: httpx.AsyncClient) -> None:
    response = await client.post("/metrics")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_public_mode_needs_an_admin_key(
    database_url: str, db_engine: AsyncEngine, write_key: str
) -> None:
    admin_key = await create_key(database_url, "ops", "admin")
    async with http_client(db_engine, database_url, public=True) as client:
        anonymous = await client.get("/metrics")
        writer = await client.get("/metrics", headers={"Authorization": f"Bearer {write_key}"})
        admin = await client.get("/metrics", headers={"Authorization": f"Bearer {admin_key}"})

    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert writer.status_code == 403
    assert writer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert admin.status_code == 200, admin.text
    # the refusals were counted, and who asked shows in the answer to the admin
    refused = "newsgraph_requests_refused_total"
    assert metric(admin.text, refused, code="UNAUTHENTICATED") == 1
    assert metric(admin.text, refused, code="FORBIDDEN") == 1


def test_metrics_setting_reads_words_and_numbers() -> None:
    assert load_settings(metrics="0").metrics_access is MetricsAccess.OFF
    assert load_settings(metrics="1").metrics_access is MetricsAccess.ON
    assert load_settings(metrics="KEY").metrics_access is MetricsAccess.KEY
    assert load_settings(metrics="off", public=True).metrics_access is MetricsAccess.OFF
    assert Settings.defaults().metrics_access is MetricsAccess.ON
    assert load_settings(public=True).metrics_access is MetricsAccess.KEY


def test_operation_names_are_capped() -> None:
    names = OperationNames(limit=2)
    assert names.label("Junk", ran=False) == "(other)"  # a name that did not run takes no slot
    assert names.label("Feed", ran=True) == "Feed"
    assert names.label("not a name!", ran=True) == "(other)"
    assert names.label("Story", ran=True) == "Story"
    assert names.label("Third", ran=True) == "(other)"
    assert names.label("Feed", ran=False) == "Feed"  # known names keep their label
    assert names.label(None, ran=True) == "(none)"
    assert names.label("(batch)", ran=True) == "(batch)"
    assert MAX_OPERATION_NAMES == 100
