"""The ASGI application: `/graphql` (HTTP and GraphiQL), `/healthz`, `/readyz`.

`create_app(settings)` builds the app and opens nothing; the database engine (and the
embedded PostgreSQL, when no URL is configured) starts with the app's lifespan, or on
the first request when the app is mounted inside another one whose lifespan does not
reach it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from newsgraph.db.embedded import EmbeddedPostgres
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.db.migrate import current_revisions, head_revisions
from newsgraph.observability import RequestLogMiddleware, count_statements
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import schema
from newsgraph.settings import Settings, load_settings

__all__ = ["create_app", "create_app_from_environment"]

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 3.0
GRAPHQL_RESPONSE = "application/graphql-response+json"


class Runtime:
    """The resources one app holds: engine, sessions, and the embedded server it started."""

    def __init__(self, settings: Settings, engine: AsyncEngine | None) -> None:
        self.settings = settings
        self._given_engine = engine
        self._engine = engine
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._embedded: EmbeddedPostgres | None = None
        self._lock = asyncio.Lock()
        self.heads = head_revisions()

    async def start(self) -> None:
        """Open the engine (starting the embedded server first if needed); idempotent."""
        async with self._lock:
            if self._sessionmaker is not None:
                return
            if self._engine is None:
                url = self.settings.database_url
                if url is None:
                    self._embedded = EmbeddedPostgres(self.settings.data_dir)
                    url = await asyncio.to_thread(self._embedded.start)
                self._engine = make_engine(
                    url, pool_size=self.settings.pool_size, pool_timeout=self.settings.pool_timeout
                )
            count_statements(self._engine)
            self._sessionmaker = make_sessionmaker(self._engine)

    async def stop(self) -> None:
        """Close what `start` opened (an engine passed in stays the caller's)."""
        async with self._lock:
            if self._engine is not None and self._given_engine is None:
                await self._engine.dispose()
                self._engine = None
            if self._embedded is not None:
                await asyncio.to_thread(self._embedded.stop)
                self._embedded = None
            self._sessionmaker = None

    async def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions on the app's engine, starting it on first use."""
        if self._sessionmaker is None:
            await self.start()
        assert self._sessionmaker is not None
        return self._sessionmaker

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Whether the database answers and is migrated to the code's head revision."""
        try:
            await self.sessionmaker()
            assert self._engine is not None
            async with asyncio.timeout(READY_TIMEOUT_S), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                current = await current_revisions(connection)
        except Exception as exc:  # any failure to reach the database means "not ready"
            return False, {"database": "unreachable", "error": type(exc).__name__}
        if current != self.heads:
            return False, {
                "database": "ok",
                "migrations": "behind",
                "current": sorted(current),
                "head": sorted(self.heads),
            }
        return True, {"database": "ok", "migrations": "head"}


class GraphQLApp(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with one database session per request."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sessionmaker = await self.runtime.sessionmaker()
        async with sessionmaker() as session:
            scope.setdefault("state", {})["session"] = session
            await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        if isinstance(response, Response) and GRAPHQL_RESPONSE in request.headers.get("accept", ""):
            response.headers["content-type"] = GRAPHQL_RESPONSE
        return RequestContext(session=request.state.session, settings=self.runtime.settings)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """Strawberry's JSON response, in the media type the client asked for.

        With `Accept: application/graphql-response+json` (GraphQL over HTTP), a document
        that failed to parse or validate is a request error: no `data`, status 400.
        """
        media_type = sub_response.headers.get("content-type", "application/json")
        del sub_response.headers["content-type"]
        rejected = media_type == GRAPHQL_RESPONSE and _request_error(response_data)
        if rejected and isinstance(response_data, dict):
            response_data = {k: v for k, v in response_data.items() if k != "data"}  # type: ignore[assignment]
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        if rejected:
            response.status_code = 400
        return response


def _request_error(response_data: object) -> bool:
    """A response whose every error is a parse or validation error, with no data."""
    if not isinstance(response_data, dict) or response_data.get("data") is not None:
        return False
    errors = response_data.get("errors") or []
    return bool(errors) and all(
        (error.get("extensions") or {}).get("code") == "GRAPHQL_VALIDATION_FAILED"
        for error in errors
    )


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

    graphql = GraphQLApp(runtime)
    middleware = [Middleware(RequestLogMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    app = Starlette(
        debug=settings.debug,
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app


def create_app_from_environment() -> Starlette:
    """The app factory uvicorn workers call (`--workers`, `--reload`): settings from env."""
    return create_app(load_settings())
