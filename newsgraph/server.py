"""The ASGI application: `/graphql` (HTTP and GraphiQL, its assets under
`/graphql/static/`; subscriptions over WebSocket and multipart HTTP), `/healthz`,
`/readyz`, `/metrics`.

`create_app(settings)` builds the app and opens nothing; the database engine (and the
embedded PostgreSQL, when no URL is configured) starts with the app's lifespan (see
`newsgraph.http.runtime`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from newsgraph.http.cors import Cors
from newsgraph.http.draining import DrainingMiddleware
from newsgraph.http.endpoint import GraphQLEndpoint
from newsgraph.http.graphiql import StaticAssets
from newsgraph.http.live import LiveView, streaming_or
from newsgraph.http.runtime import Runtime
from newsgraph.http.transport import TransportRules
from newsgraph.http.trusted import Manifest
from newsgraph.logs import configure_logging
from newsgraph.metrics import AppMetrics, MetricsEndpoint
from newsgraph.observability import RequestLogMiddleware
from newsgraph.schema import make_schema
from newsgraph.settings import MetricsAccess, Settings, load_settings
from newsgraph.tracing import tracing_middleware

__all__ = ["create_app", "create_app_from_environment"]


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    """The newsgraph ASGI app; pass `engine` to run it on a database you manage."""
    settings = settings or load_settings()
    runtime = Runtime(settings, engine)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        ready, detail = await runtime.readiness()
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", **detail},
            status_code=200 if ready else 503,
            headers={} if ready else {"Retry-After": "5"},
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    manifest = Manifest.load(settings.trusted_documents) if settings.trusted_documents else None
    schema = make_schema(settings)
    live = LiveView(runtime, schema, manifest)  # subscriptions: WebSocket and multipart HTTP
    graphql = TransportRules(
        streaming_or(GraphQLEndpoint(runtime, schema, manifest), live),
        max_body_bytes=settings.max_body_bytes,
    )
    # with /metrics off nothing is counted; the route still answers, with a JSON 404
    metrics = (
        None
        if settings.metrics_access is MetricsAccess.OFF
        else AppMetrics(runtime.pool_watch, lambda: runtime.reader)
    )
    middleware = [
        *tracing_middleware(settings),
        Middleware(RequestLogMiddleware, observers=[metrics.observe] if metrics else []),
        Middleware(DrainingMiddleware),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                Cors,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", *settings.cors_headers],
                # what browser code may read: when to retry (429, 503), and the log line's id
                expose_headers=["Retry-After", "X-Request-ID"],
                max_age=settings.cors_max_age,
            )
        )
    app = Starlette(
        debug=settings.debug,
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", live),
            Route("/graphql/static/{path:path}", StaticAssets(settings)),
            Route("/metrics", MetricsEndpoint(runtime, metrics)),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.live = live
    return app


def create_app_from_environment() -> Starlette:
    """The app factory uvicorn workers call (`--workers`, `--reload`): settings from env.

    A worker is a fresh interpreter, so what the parent command set up for its process
    (logging, the garbage collector's tuning) does not reach it: each worker does its
    own, from the same settings.
    """
    from newsgraph.serving import tune_garbage_collector  # uvicorn runs this: it is loaded

    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    app = create_app(settings)
    tune_garbage_collector()
    return app
