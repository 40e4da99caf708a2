"""Subscriptions at `/graphql`: graphql-transport-ws over WebSocket, and Strawberry's
multipart HTTP subscriptions (`Accept: multipart/mixed`, as Apollo Client and urql send).

Both transports are Strawberry's own (`strawberry.asgi.GraphQL`); this module only
gives them what newsgraph adds:

- a public server's trusted documents: anonymous callers subscribe only with documents of
  its manifest, as over HTTP (`http.persisted`);
- the caller: the API key from `connection_init`'s payload (`{"authorization": "Bearer
  <key>"}`, or the upgrade request's `Authorization` header), or from the HTTP header;
  `NEWSGRAPH_REQUIRE_READ_KEY` refuses a connection without one (close code 4403);
- a context per operation: Strawberry shares one context among every operation of a
  connection, but a subscription's session, loaders and reached rows are its own;
- the limits per connection and per process, refused with a coded error, not Strawberry's
  uncoded one; the rate budget charged for every subscription, shared ones included;
- one execution per distinct subscription, shared by every client running it
  (`http.multiplex`);
- pings: an idle connection is pinged every `ws_ping_interval` seconds and closed when a
  ping goes unanswered for as long (graphql-transport-ws `ping`/`pong`).

The schema's extensions (limits, node estimate, error codes, disclaimers) apply to a
subscription's document as to any other.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from graphql import parse, validate
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import (
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types.execution import PreExecutionError

from newsgraph.access.callers import identify
from newsgraph.access.scopes import Caller
from newsgraph.background import Background
from newsgraph.errors import NewsgraphError, TooManySubscriptionsError
from newsgraph.http.multiplex import Multiplexer, shared_key
from newsgraph.http.runtime import Runtime
from newsgraph.http.trusted import Manifest
from newsgraph.limits.budget import charge, sized
from newsgraph.limits.cost import PageSizeError
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import NewsgraphSchema
from newsgraph.schema.errors import graphql_error, with_code

__all__ = ["LiveConnection", "LiveView", "streaming_or"]

logger = logging.getLogger("newsgraph.http")

# graphql-transport-ws has no code for it; 4408 is its code for a client that went quiet
PING_TIMEOUT_CODE = 4408


@dataclass(eq=False)
class Running:
    """How many subscriptions this process runs, against `subscriptions_per_process`."""

    limit: int
    count: int = 0


@dataclass(eq=False)
class LiveConnection:
    """What the operations of one connection (a WebSocket, or one multipart request)
    share: the caller, once known, and how many of them run."""

    runtime: Runtime
    request: Request | WebSocket
    process: Running
    connection_params: dict[str, Any] | None = None
    caller: Caller | None = None
    running: int = 0
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    @property
    def address(self) -> str | None:
        """The client's address, the unit of an anonymous caller's budget."""
        return self.request.client.host if self.request.client else None

    async def authenticate(self, authorization: str | None, how: str) -> Caller:
        """The caller this credential vouches for (raises `AuthenticationError`)."""
        sessionmaker = await self.runtime.sessionmaker()
        async with sessionmaker() as session:
            self.caller = await identify(
                session,
                authorization,
                require_read_key=self.runtime.settings.require_read_key,
                address=self.address,
                how=how,
            )
        return self.caller

    async def admit(self) -> Callable[[], None]:
        """Counts one more operation against the connection's and the process's limits
        (multipart HTTP: authenticating it first); the callable releases it."""
        settings = self.runtime.settings
        if self.caller is None:  # multipart HTTP: the header is the credential
            await self.authenticate(
                self.request.headers.get("authorization"), "send `Authorization: Bearer <key>`"
            )
        if self.running >= settings.subscriptions_per_connection:
            raise TooManySubscriptionsError(
                f"this connection runs {settings.subscriptions_per_connection} operations "
                "already (NEWSGRAPH_SUBSCRIPTIONS_PER_CONNECTION): complete one first, or "
                "open another connection",
                limit=settings.subscriptions_per_connection,
            )
        if self.process.count >= self.process.limit:
            raise TooManySubscriptionsError(
                f"this server process runs {self.process.limit} subscriptions already "
                "(NEWSGRAPH_SUBSCRIPTIONS_PER_PROCESS): retry later or on another process",
                limit=self.process.limit,
            )
        self.running += 1
        self.process.count += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.running -= 1
                self.process.count -= 1

        return release

    async def operation_context(self) -> RequestContext:
        """A context of the operation's own: its session, loaders and reached rows."""
        assert self.caller is not None
        sessionmaker = await self.runtime.sessionmaker()
        return RequestContext(
            session=sessionmaker(),
            settings=self.runtime.settings,
            caller=self.caller,
            rate_limiter=self.runtime.rate_limiter,
            request_id=f"{self.request_id}-{self.running}",
            feed=await self.runtime.change_feed(),
        )


class OperationScopedSchema:
    """The schema as Strawberry's transports call it: each operation on a context of its
    own instead of the connection's, counted against the limits, and a subscription
    others run too joined to their execution (`http.multiplex`)."""

    def __init__(
        self, schema: NewsgraphSchema, multiplexer: Multiplexer, manifest: Manifest | None
    ) -> None:
        self.schema = schema
        self.multiplexer = multiplexer
        # a public server with a manifest runs only its documents for anonymous callers
        self.trusted_only = manifest if schema.settings.public else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.schema, name)

    async def stream(
        self, query: str | None, *, context_value: LiveConnection, **kwargs: Any
    ) -> AsyncGenerator[Any, None]:
        """Strawberry's `Schema.stream`, on a context of the operation's own, or shared."""
        try:
            release = await context_value.admit()
        except NewsgraphError as refusal:
            return _refused(refusal)
        manifest, caller = self.trusted_only, context_value.caller
        if manifest is not None and caller is not None and not caller.authenticated:
            try:
                manifest.require(query, how="subscribe with a listed document, as its text stands")
            except NewsgraphError as refusal:
                release()
                return _refused(refusal)

        variables, operation_name = kwargs.get("variable_values"), kwargs.get("operation_name")
        key = shared_key(query, variables, operation_name)
        if key is not None:
            # a member joins an execution that was checked and charged once: it pays
            # its own way into it here
            assert query is not None  # shared_key found a document
            try:
                if not self._charge(query, variables, operation_name, context_value):
                    key = None  # not a valid document: its own run answers with the errors
            except NewsgraphError as refusal:
                release()
                return _refused(refusal)

        async def start() -> AsyncGenerator[Any, None]:
            try:
                context = await context_value.operation_context()
            except NewsgraphError as refusal:
                return _refused(refusal)
            context.charged = key is not None
            results = await self.schema.stream(query, context_value=context, **kwargs)
            return _closing(results, context)

        results = await start() if key is None else self.multiplexer.join(key, start)
        return _released(results, release)

    def _charge(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        connection: LiveConnection,
    ) -> bool:
        """Charges the document's cost to the caller (raises the refusal: too complex, or
        over the budget); False when it does not validate, so nothing was charged."""
        document = parse(query)
        if validate(self.schema.graphql_schema, document):
            return False
        try:
            found = sized(
                self.schema.graphql_schema,
                document,
                operation_name,
                variables,
                max_nodes=self.schema.settings.max_nodes,
            )
        except PageSizeError:
            return False
        assert connection.caller is not None
        charge(connection.runtime.rate_limiter, connection.caller.client, found)
        return True


async def _refused(refusal: NewsgraphError) -> AsyncGenerator[Any, None]:
    yield PreExecutionError(data=None, errors=[with_code(graphql_error(refusal))])


async def _released(
    results: AsyncGenerator[Any, None], release: Callable[[], None]
) -> AsyncGenerator[Any, None]:
    try:
        async for result in results:
            yield result
    finally:
        release()
        with suppress(Exception):
            await results.aclose()


async def _closing(
    results: AsyncGenerator[Any, None], context: RequestContext
) -> AsyncGenerator[Any, None]:
    try:
        async for result in results:
            # the message is complete (its disclaimers too): its connection goes back to
            # the pool now, not when the next message comes
            await context.session.close()
            yield result
    finally:
        with suppress(Exception):
            await results.aclose()
        await asyncio.shield(context.session.close())


class PingingHandler(BaseGraphQLTransportWSHandler[LiveConnection, None]):
    """Strawberry's graphql-transport-ws handler, with server pings on idle connections."""

    ping_interval: float = 0
    _pinging: Background | None = None
    _answered = True

    async def handle_task_exception(self, error: Exception) -> None:
        if isinstance(error, WebSocketDisconnected):
            return  # the client went away while a message was on its way: nothing to report
        await super().handle_task_exception(error)

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        if self.ping_interval > 0:
            self._pinging = Background("newsgraph websocket pings")
            self._pinging.start(self._ping)

    async def handle_message(self, message: Message) -> None:
        self._answered = True  # any message shows the client is there
        await super().handle_message(message)

    async def shutdown(self) -> None:
        if self._pinging is not None:
            await self._pinging.stop()
        await super().shutdown()

    async def _ping(self) -> None:
        with suppress(Exception):
            while True:
                await asyncio.sleep(self.ping_interval)
                if not self._answered:
                    reason = f"no pong within {self.ping_interval:g} s"
                    await self.websocket.close(code=PING_TIMEOUT_CODE, reason=reason)
                    return
                if self.connection_acknowledged:
                    self._answered = False
                    await self.send_message({"type": "ping"})


class LiveView(GraphQL[LiveConnection, None]):
    """Strawberry's ASGI view, for subscriptions only (queries go to `GraphQLEndpoint`)."""

    def __init__(
        self, runtime: Runtime, schema: NewsgraphSchema, manifest: Manifest | None = None
    ) -> None:
        settings = runtime.settings
        self.multiplexer = Multiplexer(settings.subscription_queue)
        self.running = Running(settings.subscriptions_per_process)
        super().__init__(
            OperationScopedSchema(schema, self.multiplexer, manifest),  # type: ignore[arg-type]
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=None,  # ours is coded (`operation_context`)
            allowed_origins=settings.cors_origins,
        )
        self.runtime = runtime
        interval = settings.ws_ping_interval
        self.graphql_transport_ws_handler_class = type(
            "Handler", (PingingHandler,), {"ping_interval": interval}
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> LiveConnection:
        return LiveConnection(self.runtime, request, self.running)

    async def on_ws_connect(self, context: LiveConnection) -> None:
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        if not isinstance(authorization, str):
            authorization = context.request.headers.get("authorization")
        try:
            await context.authenticate(
                authorization,
                'put the key in connection_init: {"authorization": "Bearer <key>"}',
            )
        except NewsgraphError as refusal:
            logger.info("subscription connection refused: %s", refusal)
            raise ConnectionRejectionError({"message": str(refusal)}) from None

    def encode_json(self, data: object) -> str:
        return orjson.dumps(data).decode()


def streaming_or(plain: ASGIApp, streaming: ASGIApp) -> ASGIApp:
    """`/graphql` over HTTP: multipart subscription requests to `streaming`, the rest
    (and any other request) to `plain`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            accept = dict(scope["headers"]).get(b"accept", b"")
            if b"multipart/mixed" in accept:
                await streaming(scope, receive, send)
                return
        await plain(scope, receive, send)

    return app
