"""`/graphql` over HTTP, as the GraphQL-over-HTTP spec describes it, on Strawberry's schema.

The endpoint reads the operation (query string of a GET, JSON body of a POST, a batch
when `max_batch` allows), authenticates the caller, runs the operation through
`schema.execute` (Strawberry's pipeline: caches, limits, validation, the budget, error
codes and masking) on one session within `request_timeout`, and answers with the status
the errors call for (`http.answers`). Browsers asking for HTML get GraphiQL.

It is small on purpose: transport rules sit in front of it (`http.transport`), and it
does nothing Strawberry's schema does, only what an HTTP transport has to.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from newsgraph.access.keys import authenticate
from newsgraph.access.scopes import Caller
from newsgraph.db.failures import as_newsgraph_error
from newsgraph.errors import (
    AuthenticationError,
    MethodNotAllowedError,
    NotFoundError,
    RequestError,
    TimedOutError,
    answer_for,
)
from newsgraph.http.answers import (
    GRAPHQL_RESPONSE,
    JSON,
    decisive,
    json_response,
    problem,
    result_body,
)
from newsgraph.http.runtime import Runtime
from newsgraph.http.shortcut import Shortcut
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import NewsgraphSchema

__all__ = ["GraphQLEndpoint", "OperationRequest"]

logger = logging.getLogger("newsgraph.http")

_OVER_POST = frozenset({OperationType.QUERY, OperationType.MUTATION})
_OVER_GET = frozenset({OperationType.QUERY})


@dataclass(frozen=True)
class OperationRequest:
    """One GraphQL request's parameters, checked for type."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: object, where: str = "the body") -> OperationRequest:
        """The parameters in a decoded JSON body (or one operation of a batch)."""
        if not isinstance(data, dict):
            raise RequestError(
                f'{where} must be a JSON object like {{"query": "..."}}, not {_json_kind(data)}'
            )
        query = data.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestError(f"{where} has no GraphQL query: set `query` to the document")
        return cls(
            query=query,
            variables=_object_or_none(data.get("variables"), f"{where}: `variables`"),
            operation_name=_string_or_none(data.get("operationName"), f"{where}: `operationName`"),
            extensions=_object_or_none(data.get("extensions"), f"{where}: `extensions`"),
        )

    @classmethod
    def from_query_string(cls, request: Request) -> OperationRequest:
        """The parameters of a GET: `query`, and `variables`/`extensions` as JSON text."""
        params = request.query_params
        decoded: dict[str, Any] = {"query": params.get("query")}
        if params.get("operationName"):
            decoded["operationName"] = params["operationName"]
        for name in ("variables", "extensions"):
            if params.get(name):
                decoded[name] = _decode(params[name], f"the `{name}` parameter")
        return cls.from_json(decoded, "the query string")


def _json_kind(value: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _object_or_none(value: object, where: str) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    raise RequestError(f"{where} must be a JSON object or null, not {_json_kind(value)}")


def _string_or_none(value: object, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RequestError(f"{where} must be a string or null, not {_json_kind(value)}")


def _decode(text: str | bytes, where: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise RequestError(f"{where} is not valid JSON: {exc}") from None


def _response_media_type(accept: str) -> str:
    return GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else JSON


class GraphQLEndpoint:
    """The ASGI app behind `/graphql` (HTTP; transport rules already applied)."""

    def __init__(self, runtime: Runtime, schema: NewsgraphSchema) -> None:
        self.runtime = runtime
        self.schema = schema
        self.settings = runtime.settings
        self.shortcut = Shortcut(schema)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        media_type = _response_media_type(request.headers.get("accept", ""))
        try:
            response = await self._answer(request, media_type)
        except Exception as exc:
            response = self._failure(request, exc, media_type)
        await response(scope, receive, send)

    def _failure(self, request: Request, exc: Exception, media_type: str) -> Response:
        """The answer to an error outside GraphQL execution (a bad key, a lost database)."""
        typed = as_newsgraph_error(exc)
        if typed is not None:
            request.state.outcome = answer_for(typed).code
            return problem(typed, media_type=media_type)
        request.state.outcome = "INTERNAL"
        request_id = _request_id(request)
        logger.error("request failed", exc_info=exc, extra={"request_id": request_id})
        message = str(exc) if self.settings.debug else "Unexpected error."
        extensions = {"code": "INTERNAL", "request_id": request_id}
        body = {"errors": [{"message": message, "extensions": extensions}]}
        return json_response(body, status=500, media_type=media_type)

    async def _answer(self, request: Request, media_type: str) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            return self._graphiql(request)
        if request.method == "GET":
            operations, batched = [OperationRequest.from_query_string(request)], False
            request.state.operation = operations[0].operation_name
        else:
            operations, batched = self._operations(_decode(await request.body(), "the body"))
        request.state.operation = "(batch)" if batched else operations[0].operation_name
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                sessionmaker = await self.runtime.sessionmaker()
                session = sessionmaker()
                try:
                    context = await self._context(request, session)
                    allowed = _OVER_GET if request.method == "GET" else _OVER_POST
                    results = [await self._execute(op, context, allowed) for op in operations]
                finally:
                    # A compiled read never touches the session; closing one that holds
                    # nothing would cost more than the read itself.
                    if session.in_transaction():
                        await session.close()
        except TimeoutError:
            raise TimedOutError(
                f"the request took longer than {self.settings.request_timeout:g} s "
                "(NEWSGRAPH_REQUEST_TIMEOUT): ask for less"
            ) from None
        request.state.outcome = _outcome(results)
        return _response(results, batched=batched, media_type=media_type)

    def _graphiql(self, request: Request) -> Response:
        """GraphiQL for a browser; anything else asked for a query and sent none."""
        if "text/html" not in request.headers.get("accept", ""):
            raise RequestError(
                "no GraphQL query: send `?query=...` with a GET, or a JSON body with a POST"
            )
        if self.settings.public:
            raise NotFoundError("GraphiQL is off on a public server (NEWSGRAPH_PUBLIC)")
        return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))

    def _operations(self, data: object) -> tuple[list[OperationRequest], bool]:
        if not isinstance(data, list):
            return [OperationRequest.from_json(data)], False
        limit = self.settings.max_batch
        if limit == 0:
            raise RequestError("batched operations are off (NEWSGRAPH_MAX_BATCH=0): send one")
        if not data:
            raise RequestError("the batch is empty: send at least one operation")
        if len(data) > limit:
            raise RequestError(
                f"a batch holds at most {limit} operations (NEWSGRAPH_MAX_BATCH), got {len(data)}"
            )
        operations = [
            OperationRequest.from_json(item, f"operation {i} of the batch")
            for i, item in enumerate(data)
        ]
        return operations, True

    async def _context(self, request: Request, session: AsyncSession) -> RequestContext:
        authorization = request.headers.get("authorization")
        if authorization:
            caller = await authenticate(session, authorization)
        elif self.settings.require_read_key:
            raise AuthenticationError(
                "this server needs an API key for reads too (NEWSGRAPH_REQUIRE_READ_KEY): "
                "send `Authorization: Bearer <key>`"
            )
        else:
            caller = Caller.anonymous(request.client.host if request.client else None)
        request.state.caller = caller.key_name or caller.client
        return RequestContext(
            session=session,
            settings=self.settings,
            caller=caller,
            rate_limiter=self.runtime.rate_limiter,
            request_id=_request_id(request),
            reader=self.runtime.reader,
            raw_json=True,
        )

    async def _execute(
        self, operation: OperationRequest, context: RequestContext, allowed: frozenset[Any]
    ) -> ExecutionResult:
        short = await self.shortcut.answer(  # known operations are queries, fine over GET too
            operation.query, operation.operation_name, operation.variables, context
        )
        if short is not None:
            return short
        try:
            return await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=operation.extensions,
            )
        except InvalidOperationTypeError as exc:
            if allowed is _OVER_GET:
                raise MethodNotAllowedError(
                    f"{exc.operation_type.value} operations are not allowed over GET: send a POST",
                    allow="POST",
                ) from None
            raise RequestError(
                f"{exc.operation_type.value} operations are not served over HTTP POST"
            ) from None
        except CannotGetOperationTypeError:
            raise RequestError(
                f"the document has no operation named {operation.operation_name!r}"
            ) from None


def _request_id(request: Request) -> str:
    request_id: str = request.scope.get("state", {}).get("request_id") or "-"
    return request_id


def _outcome(results: list[ExecutionResult]) -> str:
    """What became of the request, for its log line and metrics: OK, or the first code."""
    for result in results:
        for error in result.errors or ():
            return str((error.extensions or {}).get("code", "INTERNAL"))
    return "OK"


def _response(results: list[ExecutionResult], *, batched: bool, media_type: str) -> Response:
    answered = [
        result_body(result.data, result.errors, result.extensions, media_type=media_type)
        for result in results
    ]
    bodies = [body for body, _ in answered]
    refusal = decisive(refusal for _, refusal in answered if refusal is not None)
    return json_response(
        bodies if batched else bodies[0],
        status=refusal.status if refusal else 200,
        media_type=media_type,
        headers=refusal.headers if refusal else {},
    )
