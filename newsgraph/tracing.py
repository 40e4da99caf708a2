"""OpenTelemetry tracing, with the `otel` extra installed and `NEWSGRAPH_OTEL=1`.

Three libraries make the spans; newsgraph only switches them on:

- OpenTelemetry's ASGI middleware: one server span per HTTP request (`tracing_middleware`);
- Strawberry's `OpenTelemetryExtension`: the GraphQL operation, its parsing, validation
  and resolvers (`tracing_extensions`, added to the schema by `make_schema`);
- OpenTelemetry's asyncpg instrumentation: one span per SQL statement (`start_tracing`,
  called when the app opens its engine). asyncpg is the driver under both of newsgraph's
  ways to the database, SQLAlchemy's sessions and the compiled reads' own connections
  (`newsgraph.compile.readers`), so it sees every statement, and each once; SQLAlchemy's
  instrumentation would miss the compiled reads.

Where spans go is configured the standard way. A process that has a tracer provider
already (run under `opentelemetry-instrument`, or an application embedding newsgraph
that set one) keeps it. Otherwise newsgraph sets one up from the OTEL_* variables:
`OTEL_SERVICE_NAME` (default `newsgraph`) and `OTEL_RESOURCE_ATTRIBUTES`,
`OTEL_TRACES_EXPORTER` (`otlp` by default, `console`, `none`, or any exporter installed
under that entry point), `OTEL_EXPORTER_OTLP_ENDPOINT` and its siblings for the OTLP
exporter, `OTEL_TRACES_SAMPLER` for sampling.

Nothing here imports OpenTelemetry until tracing is on, so the extra stays optional;
with tracing on and the extra missing, the app refuses to start, naming the extra.
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from starlette.middleware import Middleware

from newsgraph.errors import ConfigurationError
from newsgraph.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from strawberry.extensions import SchemaExtension

__all__ = [
    "provider_from_environment",
    "start_tracing",
    "tracing_extensions",
    "tracing_middleware",
]

# What the `otel` extra installs, module by module (Strawberry's extension needs the API).
_REQUIRED = (
    "opentelemetry.trace",
    "opentelemetry.sdk.trace",
    "opentelemetry.instrumentation.asgi",
    "opentelemetry.instrumentation.asyncpg",
)
_EXPORTERS_GROUP = "opentelemetry_traces_exporter"
# `otlp` means the OTLP exporter of the configured protocol; http/protobuf is the
# specification's default (and the exporter the extra installs).
_OTLP_BY_PROTOCOL = {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"}


def _require_extra() -> None:
    """Fail with a ConfigurationError naming the extra when its packages are missing."""
    for module in _REQUIRED:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigurationError(
                f"NEWSGRAPH_OTEL is on but OpenTelemetry is not installed ({exc.name} is "
                "missing): install the otel extra, `pip install 'newsgraph[otel]'`, or set "
                "NEWSGRAPH_OTEL=0"
            ) from exc


def tracing_extensions(settings: Settings) -> list[type[SchemaExtension]]:
    """The schema extensions tracing needs: Strawberry's own, or none when tracing is off."""
    if not settings.otel:
        return []
    _require_extra()
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return [OpenTelemetryExtension]


def tracing_middleware(settings: Settings) -> list[Middleware]:
    """The ASGI middleware that opens a server span per request (outermost, so every span
    of the request is inside it); none when tracing is off. `create_app` calls it, so a
    missing extra or an unknown exporter stops the app before anything starts.

    `OTEL_PYTHON_ASGI_EXCLUDED_URLS` (e.g. `healthz,readyz,metrics`) leaves probes out.
    """
    if not settings.otel:
        return []
    _require_extra()
    from opentelemetry import trace
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.util.http import get_excluded_urls

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        _exporter_points()  # a misnamed exporter stops the app here, not at start

    # the spans of each ASGI message sent and received say nothing a reader needs
    return [
        Middleware(
            OpenTelemetryMiddleware,
            excluded_urls=get_excluded_urls("ASGI"),
            exclude_spans=["receive", "send"],
        )
    ]


def start_tracing(settings: Settings) -> None:
    """Set up a tracer provider if the process has none, and trace every SQL statement.

    The asyncpg instrumentation is process-wide and set up once: a second app in the
    process, or `opentelemetry-instrument` before it, finds it in place. Statement
    parameters are not recorded (they may hold what clients searched for).
    """
    if not settings.otel:
        return
    _require_extra()
    from opentelemetry import trace
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.trace import TracerProvider

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider_from_environment())
    # its __init__ carries no annotations, which mypy --strict reports at every call
    instrumentor = AsyncPGInstrumentor(capture_parameters=False)  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def provider_from_environment() -> TracerProvider:
    """A tracer provider as the OTEL_* variables describe it (the SDK reads the resource,
    sampler and batch variables itself; this picks the exporters)."""
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes: dict[str, Any] = {}
    if not os.environ.get("OTEL_SERVICE_NAME") and "service.name=" not in os.environ.get(
        "OTEL_RESOURCE_ATTRIBUTES", ""
    ):
        attributes[SERVICE_NAME] = "newsgraph"
    provider = TracerProvider(resource=Resource.create(attributes))
    for point in _exporter_points():
        exporter: SpanExporter = point.load()()
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _exporter_points() -> list[EntryPoint]:
    """The exporters OTEL_TRACES_EXPORTER names, found but not loaded yet."""
    environ = os.environ
    names = [
        name.strip()
        for name in environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")
        if name.strip() and name.strip() != "none"
    ]
    points = []
    for name in names:
        entry_name = name
        if name == "otlp":
            protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
            )
            if protocol not in _OTLP_BY_PROTOCOL:
                raise ConfigurationError(
                    f"OTEL_EXPORTER_OTLP_PROTOCOL: {protocol!r} is not one of "
                    f"{sorted(_OTLP_BY_PROTOCOL)}"
                )
            entry_name = _OTLP_BY_PROTOCOL[protocol]
        found = entry_points(group=_EXPORTERS_GROUP, name=entry_name)
        if not found:
            installed = sorted(point.name for point in entry_points(group=_EXPORTERS_GROUP))
            raise ConfigurationError(
                f"OTEL_TRACES_EXPORTER: no span exporter {name!r} ({entry_name}) is "
                f"installed; installed: {', '.join(installed) or 'none'} (the otel extra "
                "brings otlp over http/protobuf)"
            )
        points.append(next(iter(found)))
    return points
