"""`/graphql` over HTTP, as the GraphQL-over-HTTP spec describes it, on Strawberry's schema.

The endpoint reads the operation (query string of a GET, JSON body of a POST, a batch
when `max_batch` allows), authenticates the caller, runs the operation through
`schema.execute` (Strawberry's pipeline: caches, limits, validation, the budget, error
codes and masking) on one session within `request_timeout`, and answers with the status
the errors call for (`http.answers`) and the caching they allow (`http.caching`). A
document named by hash or id is resolved first (`http.persisted`). Browsers asking for
HTML get GraphiQL (`http.graphiql`).

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
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from newsgraph.access.callers import identify
from newsgraph.db.failures import as_newsgraph_error
from newsgraph.errors import (
    MethodNotAllowedError,
    NewsgraphError,
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
from newsgraph.http.caching import HttpCaching
from newsgraph.http.graphiql import GraphiQL
from newsgraph.http.persisted import PersistedQueries, persisted_hash
from newsgraph.http.runtime import Runtime
from newsgraph.http.shortcut import Shortcut
from newsgraph.http.trusted import Manifest
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import NewsgraphSchema
from newsgraph.schema.errors import graphql_error, with_code

__all__ = ["GraphQLEndpoint", "OperationRequest"]

logger = logging.getLogger("newsgraph.http")

_OVER_POST = frozenset({OperationType.QUERY, OperationType.MUTATION})
_OVER_GET = frozenset({OperationType.QUERY})
# The parameters that make a GET an operation (else it asks for GraphiQL).
_OPERATION_PARAMETERS = frozenset({"query", "documentId", "extensions"})


@dataclass(frozen=True)
class OperationRequest:
    """One GraphQL request's parameters, checked for type: the document's text, or its
    SHA-256 (`extensions.persistedQuery`) or id (`documentId`), or a text and its hash."""

    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None
    sha256: str | None = None
    document_id: str | None = None

    @classmethod
    def from_json(cls, data: object, where: str = "the body") -> OperationRequest:
        """The parameters in a decoded JSON body (or one operation of a batch)."""
        if not isinstance(data, dict):
            raise RequestError(
                f'{where} must be a JSON object like {{"query": "..."}}, not {_json_kind(data)}'
            )
        query = data.get("query")
        extensions = _object_or_none(data.get("extensions"), f"{where}: `extensions`")
        sha256 = persisted_hash(extensions, where)
        document_id = _string_or_none(data.get("documentId"), f"{where}: `documentId`")
        if query is None and sha256 is None and not document_id:
            raise RequestError(
                f"{where} has no GraphQL query: set `query` to the document (or name a "
                "persisted one by `documentId` or `extensions.persistedQuery`)"
            )
        if query is not None and (not isinstance(query, str) or not query.strip()):
            raise RequestError(f"{where}: `query` must be the document's text")
        if document_id is not None and (query is not None or sha256 is not None):
            raise RequestError(
                f"{where}: send `documentId` alone, without `query` or a persisted query hash"
            )
        return cls(
            query=query,
            variables=_object_or_none(data.get("variables"), f"{where}: `variables`"),
            operation_name=_string_or_none(data.get("operationName"), f"{where}: `operationName`"),
            extensions=extensions,
            sha256=sha256,
            document_id=document_id,
        )

    @classmethod
    def from_query_string(cls, request: Request) -> OperationRequest:
        """The parameters of a GET: `query` or `documentId`, and `variables`/`extensions`
        as JSON text."""
        params = request.query_params
        decoded: dict[str, Any] = {"query": params.get("query")}
        for name in ("operationName", "documentId"):
            if params.get(name):
                decoded[name] = params[name]
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

    def __init__(
        self, runtime: Runtime, schema: NewsgraphSchema, manifest: Manifest | None = None
    ) -> None:
        self.runtime = runtime
        self.schema = schema
        self.settings = runtime.settings
        self.shortcut = Shortcut(schema)
        self.persisted = PersistedQueries(self.settings, manifest)
        self.caching = HttpCaching(self.settings.cache_max_age)
        self.graphiql = GraphiQL(self.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        media_type = _response_media_type(request.headers.get("accept", ""))
        try:
            response, answered = await self._answer(request, media_type)
        except Exception as exc:
            response, answered = self._failure(request, exc, media_type), False
        await self.caching.apply(request, response, answered=answered)(scope, receive, send)

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

    async def _answer(self, request: Request, media_type: str) -> tuple[Response, bool]:
        """The answer, and whether it is the data of every operation without an error."""
        if request.method == "GET" and not _OPERATION_PARAMETERS & request.query_params.keys():
            return self.graphiql.page(request), False
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
                    if context.wrote and self.runtime.read_route is not None:
                        await self.runtime.read_route.wrote(context.caller)
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
        response = _response(results, batched=batched, media_type=media_type)
        return response, request.state.outcome == "OK"

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
        caller = await identify(
            session,
            request.headers.get("authorization"),
            require_read_key=self.settings.require_read_key,
            address=request.client.host if request.client else None,
        )
        request.state.caller = caller.key_name or caller.client
        route = self.runtime.read_route
        replica = route is not None and route.reads_from_replica(caller)
        return RequestContext(
            session=session,
            settings=self.settings,
            caller=caller,
            rate_limiter=self.runtime.rate_limiter,
            request_id=_request_id(request),
            reader=route.reader if route is not None and replica else self.runtime.reader,
            raw_json=True,
            read_sessions=route.sessions if route is not None and replica else None,
        )

    async def _execute(
        self, operation: OperationRequest, context: RequestContext, allowed: frozenset[Any]
    ) -> ExecutionResult:
        try:
            resolved = await self.persisted.resolve(
                query=operation.query,
                sha256=operation.sha256,
                document_id=operation.document_id,
                context=context,
            )
        except NewsgraphError as refusal:  # this operation's own: a batch's others still run
            return ExecutionResult(data=None, errors=[with_code(graphql_error(refusal))])
        result = await self._run(resolved.query, operation, context, allowed)
        await self.persisted.register(resolved, result, context)
        return result

    async def _run(
        self,
        query: str,
        operation: OperationRequest,
        context: RequestContext,
        allowed: frozenset[Any],
    ) -> ExecutionResult:
        short = await self.shortcut.answer(  # known operations are queries, fine over GET too
            query, operation.operation_name, operation.variables, context
        )
        if short is not None:
            return short
        try:
            return await self.schema.execute(
                query,
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
