"""OpenTelemetry tracing (`NEWSGRAPH_OTEL=1`): one trace per request, from the HTTP span
through the GraphQL operation down to each SQL statement; a clear refusal without the
extra; exporters chosen by the standard OTEL_* variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions.tracing import OpenTelemetryExtension

from newsgraph.errors import ConfigurationError
from newsgraph.server import create_app
from newsgraph.settings import Settings
from newsgraph.tracing import provider_from_environment, tracing_extensions, tracing_middleware
from tests.helpers import http_client

_EXPORTER = InMemorySpanExporter()
_ATTACHED_TO: set[int] = set()  # providers the exporter listens to already


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span finished during the test, whatever provider the process has."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)  # once per process: OpenTelemetry's rule
    if id(provider) not in _ATTACHED_TO:
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        _ATTACHED_TO.add(id(provider))
    _EXPORTER.clear()
    try:
        yield _EXPORTER
    finally:
        # the instrumentation is process-wide: leave no asyncpg hooks to other tests
        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        _EXPORTER.clear()


def _descends_from(
    span: ReadableSpan, ancestor: ReadableSpan, by_id: dict[int, ReadableSpan]
) -> bool:
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == ancestor.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


async def test_a_graphql_request_is_one_trace_down_to_its_sql(
    demo_url: str, db_engine: AsyncEngine, spans: InMemorySpanExporter
) -> None:
    query = "query Probe { articles(first: 1) { nodes { title source { name } } } }"
    async with http_client(db_engine, demo_url, otel=True) as client:
        response = await client.post("/graphql", json={"query": query, "operationName": "Probe"})
    assert response.status_code == 200, response.text

    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}
    (server,) = [s for s in finished if s.kind is SpanKind.SERVER and s.parent is None]
    assert server.attributes is not None
    # old or new HTTP semantic conventions, as OTEL_SEMCONV_STABILITY_OPT_IN chooses
    assert server.attributes.get("http.target", server.attributes.get("url.path")) == "/graphql"
    (operation,) = [s for s in finished if s.name == "GraphQL Query: Probe"]
    sql = [s for s in finished if (s.attributes or {}).get("db.system") == "postgresql"]
    assert sql, [s.name for s in finished]
    statements = [
        str((s.attributes or {}).get("db.statement", (s.attributes or {}).get("db.query.text")))
        for s in sql
    ]
    assert any("article" in statement for statement in statements), statements

    assert {s.context.trace_id for s in finished} == {server.context.trace_id}
    assert _descends_from(operation, server, by_id)
    assert all(_descends_from(s, server, by_id) for s in sql)


async def test_a_mutation_traces_the_statements_of_its_session(
    database_url: str, db_engine: AsyncEngine, write_key: str, spans: InMemorySpanExporter
) -> None:
    mutation = (
        'mutation Add { createSource(input: {name: "Wire", domain: "wire.example"}) '
        "{ source { name } userErrors { code } } }"
    )
    async with http_client(db_engine, database_url, key=write_key, otel=True) as client:
        response = await client.post("/graphql", json={"query": mutation})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["createSource"]["userErrors"] == []

    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind is SpanKind.SERVER and s.parent is None]
    statements = [
        str((s.attributes or {}).get("db.statement", (s.attributes or {}).get("db.query.text")))
        for s in finished
        if (s.attributes or {}).get("db.system") == "postgresql"
    ]
    assert any(statement.startswith("INSERT INTO source") for statement in statements), statements
    assert {s.context.trace_id for s in finished} == {server.context.trace_id}


def test_tracing_off_adds_nothing() -> None:
    settings = Settings(database_url="postgresql://unused/x")
    assert tracing_extensions(settings) == []
    assert tracing_middleware(settings) == []
    assert tracing_extensions(Settings(database_url="postgresql://unused/x", otel=True)) == [
        OpenTelemetryExtension
    ]


@pytest.mark.parametrize(
    "module", ["opentelemetry.sdk.trace", "opentelemetry.instrumentation.asyncpg"]
)
def test_tracing_without_the_extra_stops_the_app_naming_it(
    module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if the package were not installed
    with pytest.raises(ConfigurationError, match=r"newsgraph\[otel\]") as raised:
        create_app(Settings(database_url="postgresql://unused/x", otel=True))
    assert module in str(raised.value)


def test_an_unknown_exporter_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    with pytest.raises(ConfigurationError, match="OTEL_TRACES_EXPORTER: no span exporter 'zipkin'"):
        provider_from_environment()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")
    with pytest.raises(ConfigurationError, match="OTEL_EXPORTER_OTLP_PROTOCOL"):
        provider_from_environment()


# In a process of its own: the console exporter holds the stdout it was imported with.
_PROBE = """
from newsgraph.tracing import provider_from_environment
provider = provider_from_environment()
with provider.get_tracer("probe").start_as_current_span("probe-span"):
    pass
provider.shutdown()
"""


def _run_probe(**variables: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**environ, **variables},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_exporter_and_service_come_from_the_otel_variables() -> None:
    printed = json.loads(
        _run_probe(OTEL_TRACES_EXPORTER="console", OTEL_SERVICE_NAME="newsgraph-test")
    )
    assert printed["name"] == "probe-span"
    assert printed["resource"]["attributes"]["service.name"] == "newsgraph-test"

    unnamed = json.loads(_run_probe(OTEL_TRACES_EXPORTER="console"))
    assert unnamed["resource"]["attributes"]["service.name"] == "newsgraph"
    assert _run_probe(OTEL_TRACES_EXPORTER="none") == ""


class _Collector(BaseHTTPRequestHandler):
    """Stands in for an OpenTelemetry collector's OTLP/HTTP receiver."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads what arrived, not the server's log."""


def test_by_default_spans_go_to_an_otlp_collector() -> None:
    collector = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=collector.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
        _run_probe(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)  # no OTEL_TRACES_EXPORTER: otlp
    finally:
        collector.shutdown()
        collector.server_close()
    ((path, body),) = _Collector.received
    assert path == "/v1/traces"
    assert b"probe-span" in body
