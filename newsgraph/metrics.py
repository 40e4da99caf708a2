"""Prometheus metrics of one app, and `GET /metrics`, which exposes them.

Requests are measured once, by the request log (`newsgraph.observability.RequestRecord`),
and counted here from that record; the database pool is read when Prometheus scrapes.
Each app has a registry of its own, not prometheus-client's global one, so several apps
in one process (tests, an app mounted twice) never count into each other. With
`--workers N` every worker process has its own numbers, and a scrape reaches one worker.

Every label takes a bounded set of values, because each distinct value is a time
series kept forever, here and in Prometheus:

- `route`: `/graphql`, `/healthz`, `/readyz`, `/metrics`, or `other` for any other path;
- `outcome` and `code`: `OK` or an `extensions.code` of newsgraph's error table (the
  first error's); a refusal that sets no code (transport rules, draining, an unknown
  path) is given the code its HTTP status has in that table;
- `operation` (on `/graphql` only): the `operationName` a client sent, for the first
  `MAX_OPERATION_NAMES` distinct names that ran without error; any other name is
  `(other)`, a batch is `(batch)`, and `(none)` means no name: the document had none, or
  the request was refused before its name was read. Only names that ran count
  towards the cap, so a client sending junk names cannot use the slots up for free;
- `kind`: `ok`, `client_error` or `server_error`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.gc_collector import GCCollector
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from newsgraph.access.keys import authenticate
from newsgraph.access.scopes import Scope as KeyScope
from newsgraph.compile.readers import ReadPool
from newsgraph.db.failures import as_newsgraph_error
from newsgraph.errors import (
    ANSWERS,
    INTERNAL,
    AuthenticationError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    answer_for,
)
from newsgraph.http.answers import problem
from newsgraph.http.runtime import Runtime
from newsgraph.observability import PoolUsage, PoolWatch, RequestRecord
from newsgraph.settings import MetricsAccess

__all__ = ["MAX_OPERATION_NAMES", "AppMetrics", "MetricsEndpoint", "OperationNames"]

MAX_OPERATION_NAMES = 100
ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
OTHER_ROUTE = "other"
OTHER_OPERATION = "(other)"  # parentheses: no GraphQL name can take these values
NO_NAME = "(none)"
BATCH = "(batch)"
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")

# Probes answer 503 as information, not as a refusal; refusals count where clients call.
_REFUSING_ROUTES = frozenset({"/graphql", "/metrics"})
# Statuses that name exactly one code in the table (405 METHOD_NOT_ALLOWED, ...); 400
# names several and stays `HTTP_400`.
_CODES_BY_STATUS: dict[int, set[str]] = {}
for _answer in [*ANSWERS.values(), INTERNAL]:
    _CODES_BY_STATUS.setdefault(_answer.status, set()).add(_answer.code)
_STATUS_CODES = {
    status: next(iter(codes)) for status, codes in _CODES_BY_STATUS.items() if len(codes) == 1
}
_SERVER_CODES = frozenset(a.code for a in [*ANSWERS.values(), INTERNAL] if a.status >= 500)
# Refused: the operation did not run because of the request (a 4xx), or the server shed
# it (503); parse and validation failures are refusals under either media type.
_REFUSAL_CODES = frozenset(
    {a.code for a in ANSWERS.values() if a.request_error and (a.status < 500 or a.status == 503)}
    | {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}
)
# Statements one request sends: a handful for a query, one per level of nesting.
_STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)


class OperationNames:
    """The `operation` label: the first `limit` distinct names that ran, then `(other)`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._known: set[str] = set()

    def label(self, name: str | None, *, ran: bool) -> str:
        """The label for `name`; a new name is admitted only when its operation `ran`."""
        if name is None:
            return NO_NAME
        if name == BATCH or name in self._known:
            return name
        if ran and len(self._known) < self.limit and _NAME.match(name):
            self._known.add(name)
            return name
        return OTHER_OPERATION


def _code(record: RequestRecord) -> str:
    if record.outcome is not None:
        return record.outcome
    if record.status < 400:
        return "OK"
    return _STATUS_CODES.get(record.status, f"HTTP_{record.status}")


def _kind(code: str, status: int) -> str:
    if code == "OK":
        return "ok"
    if status >= 500 or code in _SERVER_CODES:
        return "server_error"
    return "client_error"


class _PoolCollector:
    """The database pools, read at scrape time (a gauge set per request would go stale):
    SQLAlchemy's, for the resolver path and writes, and the compiled reads' own."""

    def __init__(self, watch: PoolWatch, read_pool: Callable[[], ReadPool | None]) -> None:
        self.watch = watch
        self.read_pool = read_pool

    def collect(self) -> Iterable[Metric]:
        yield from _pool_gauges("newsgraph_db_pool", "Sessions", self.watch.usage())
        reader = self.read_pool()
        if reader is not None:
            yield from _pool_gauges("newsgraph_read_pool", "Compiled reads", reader.usage())


def _pool_gauges(prefix: str, callers: str, usage: PoolUsage) -> Iterable[Metric]:
    yield GaugeMetricFamily(
        f"{prefix}_waiting",
        f"{callers} waiting for a database connection (queued, or while one is opened).",
        value=usage.waiting,
    )
    for name, value, help_text in (
        ("in_use", usage.in_use, "Database connections checked out of the pool."),
        ("idle", usage.idle, "Database connections open and free in the pool."),
        ("size", usage.size, "Connections the pool may open (NEWSGRAPH_POOL_SIZE)."),
    ):
        if value is not None:
            yield GaugeMetricFamily(f"{prefix}_{name}", help_text, value=value)


class AppMetrics:
    """The metrics of one app, in a registry of its own."""

    def __init__(
        self, pool: PoolWatch, read_pool: Callable[[], ReadPool | None] = lambda: None
    ) -> None:
        self.registry = CollectorRegistry()
        self.operations = OperationNames()
        self.requests = Counter(
            "newsgraph_requests",
            "HTTP requests by route, GraphQL operation name and outcome code.",
            ["route", "operation", "outcome"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "newsgraph_request_duration_seconds",
            "Time from the request's arrival to the end of its answer.",
            ["route", "kind"],
            registry=self.registry,
        )
        self.statements = Histogram(
            "newsgraph_request_sql_statements",
            "SQL statements one request sent.",
            ["route"],
            buckets=_STATEMENT_BUCKETS,
            registry=self.registry,
        )
        self.refused = Counter(
            "newsgraph_requests_refused",
            "Requests turned away, by code (RATE_LIMITED, QUERY_TOO_COMPLEX, ...).",
            ["code"],
            registry=self.registry,
        )
        self.registry.register(_PoolCollector(pool, read_pool))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)

    def observe(self, record: RequestRecord) -> None:
        """Count one finished request (a `RequestLogMiddleware` observer)."""
        route = record.route_path if record.route_path in ROUTES else OTHER_ROUTE
        code = _code(record)
        operation = ""
        if route == "/graphql":
            operation = self.operations.label(record.operation, ran=code == "OK")
        self.requests.labels(route, operation, code).inc()
        self.duration.labels(route, _kind(code, record.status)).observe(record.duration_s)
        self.statements.labels(route).observe(record.sql_statements)
        if route in _REFUSING_ROUTES and code in _REFUSAL_CODES:
            self.refused.labels(code).inc()

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The registry in the format `accept` asks for (Prometheus text, or OpenMetrics)."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


class MetricsEndpoint:
    """`GET /metrics`: open, off (404), or for API keys with the admin scope only.

    Refusals are JSON in the GraphQL error shape, like every other refusal of the
    server, and record their code for the request log and the metrics themselves.
    """

    def __init__(self, runtime: Runtime, metrics: AppMetrics | None) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.access = runtime.settings.metrics_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._answer(request)
        except Exception as exc:
            typed = as_newsgraph_error(exc)
            if typed is None:
                raise
            request.state.outcome = answer_for(typed).code
            response = problem(typed)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        if self.metrics is None or self.access is MetricsAccess.OFF:
            raise NotFoundError("metrics are off on this server (NEWSGRAPH_METRICS=off)")
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowedError(
                f"{request.method} is not served here: read the metrics with a GET", allow="GET"
            )
        if self.access is MetricsAccess.KEY:
            await self._authorize(request)
        request.state.outcome = "OK"
        body, content_type = self.metrics.exposition(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})

    async def _authorize(self, request: Request) -> None:
        """Let only a key with the admin scope through: the metrics show traffic."""
        authorization = request.headers.get("authorization")
        if not authorization:
            raise AuthenticationError(
                "the metrics need an API key with the admin scope (NEWSGRAPH_METRICS=key): "
                "send `Authorization: Bearer <key>`"
            )
        sessionmaker = await self.runtime.sessionmaker()
        async with sessionmaker() as session:
            caller = await authenticate(session, authorization)
        request.state.caller = caller.key_name
        if not caller.may(KeyScope.ADMIN):
            raise PermissionDeniedError(
                f"API key {caller.key_name!r} may not read the metrics: they need a key with "
                "the admin scope (`newsgraph keys create --scope admin`)"
            )
