"""`/graphql` over HTTP: transport rules first, then Strawberry, then a status per outcome.

Before any GraphQL work a request must be a GET (queries only) or a POST with a JSON
body (`application/json` or `application/graphql-response+json`) of at most
`max_body_bytes`: a form post or `text/plain` from another site's page, which a
browser sends without asking CORS, never reaches execution. Then the API key (if any)
is checked, and the request runs on one session within `request_timeout`.

Every refusal is a GraphQL-shaped JSON body with `extensions.code`, and the status
says what a client should do: 401/403 (credentials), 413 (smaller body), 415 (JSON),
429 and 503 (retry after `Retry-After` seconds), 504 (ask for less).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, GraphQLRequestProtocol

from newsgraph.access.keys import authenticate
from newsgraph.access.scopes import Caller
from newsgraph.db.failures import is_unavailable
from newsgraph.errors import AuthenticationError, DatabaseError
from newsgraph.http.runtime import Runtime
from newsgraph.resolvers.context import RequestContext
from newsgraph.schema import schema

__all__ = ["GraphQLView"]

logger = logging.getLogger("newsgraph.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON_BODIES = ("application/json", GRAPHQL_RESPONSE)
RETRY_AFTER_UNAVAILABLE_S = 5
_BEARER = {"WWW-Authenticate": "Bearer"}
# When errors of several kinds come back, the first of these decides the status.
_STATUS_BY_CODE = (
    ("SERVICE_UNAVAILABLE", 503),
    ("TIMEOUT", 504),
    ("RATE_LIMITED", 429),
    ("UNAUTHENTICATED", 401),
    ("FORBIDDEN", 403),
    ("QUERY_TOO_COMPLEX", 400),
)
_CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "SERVICE_UNAVAILABLE",
    504: "TIMEOUT",
}


class Refused(HTTPException):
    """A request refused before execution, with the code and headers its answer carries."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code or _CODE_BY_STATUS.get(status_code, "BAD_REQUEST")
        self.headers = dict(headers or {})


def _problem(
    status: int, message: str, code: str, headers: Mapping[str, str] = {}, **extensions: str
) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
        status_code=status,
        headers=dict(headers),
    )


class GraphQLView(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view behind newsgraph's transport rules, one session per request."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        super().__init__(
            schema,
            graphql_ide=None if settings.public else "graphiql",
            allow_queries_via_get=True,
        )
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the request log (the caller's name)
        request = Request(_with_json_content_type(scope), receive)
        try:
            response = await self._answer(request)
        except HTTPException as refusal:
            response = self._refusal(request, refusal)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        settings = self.runtime.settings
        await self._read_body(request)
        deadline = asyncio.timeout(settings.request_timeout)
        try:
            async with deadline:
                sessionmaker = await self.runtime.sessionmaker()
                async with sessionmaker() as session:
                    request.state.session = session
                    return await self.run(request)
        except HTTPException:
            raise
        except Exception as exc:
            if isinstance(exc, TimeoutError) and deadline.expired():
                raise Refused(
                    504,
                    f"the request took longer than {settings.request_timeout:g} s "
                    "(NEWSGRAPH_REQUEST_TIMEOUT): ask for less",
                ) from exc
            if is_unavailable(exc) or isinstance(exc, DatabaseError):
                raise _unavailable() from exc
            request_id = uuid.uuid4().hex[:16]
            logger.exception("request failed", extra={"request_id": request_id})
            message = str(exc) if settings.debug else "Unexpected error."
            return _problem(500, message, "INTERNAL", request_id=request_id)

    async def _read_body(self, request: Request) -> None:
        """Refuse what is not a GraphQL request before reading more than the limit."""
        if request.method != "POST":
            return
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in JSON_BODIES:
            raise Refused(
                415,
                f"POST bodies must be application/json, not {media_type or 'unspecified'!r}: "
                'send {"query": "...", "variables": {...}}',
            )
        limit = self.runtime.settings.max_body_bytes
        too_large = Refused(
            413, f"the request body is larger than {limit} bytes (NEWSGRAPH_MAX_BODY_BYTES)"
        )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise too_large
        request._body = bytes(body)  # Starlette's own cache: `request.body()` reads it

    def _refusal(self, request: Request, refusal: HTTPException) -> Response:
        status = refusal.status_code
        code = getattr(refusal, "code", None) or _CODE_BY_STATUS.get(status, "BAD_REQUEST")
        headers: dict[str, str] = dict(getattr(refusal, "headers", {}))
        if request.method == "GET" and refusal.reason.startswith("mutations are not allowed"):
            status, code, headers = 405, "METHOD_NOT_ALLOWED", {"Allow": "POST"}
        return _problem(status, refusal.reason, code, headers)

    def _validate_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        limit = self.runtime.settings.max_batch
        if limit == 0:
            raise Refused(400, "batched operations are off (NEWSGRAPH_MAX_BATCH=0): send one")
        if len(request_data) > limit:
            raise Refused(
                400,
                f"a batch holds at most {limit} operations (NEWSGRAPH_MAX_BATCH), "
                f"got {len(request_data)}",
            )

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_operation(*args, **kwargs)
        except MissingQueryError as exc:
            raise Refused(400, "no GraphQL query found in the request") from exc

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        if isinstance(response, Response) and GRAPHQL_RESPONSE in request.headers.get("accept", ""):
            response.headers["content-type"] = GRAPHQL_RESPONSE
        session = request.state.session
        settings = self.runtime.settings
        authorization = request.headers.get("authorization")
        address = request.client.host if request.client else None
        if authorization:
            try:
                caller = await authenticate(session, authorization)
            except AuthenticationError as exc:
                await session.rollback()
                raise Refused(401, str(exc), headers=_BEARER) from exc
        elif settings.require_read_key:
            raise Refused(
                401,
                "this server needs an API key for reads too (NEWSGRAPH_REQUIRE_READ_KEY): "
                "send `Authorization: Bearer <key>`",
                headers=_BEARER,
            )
        else:
            caller = Caller.anonymous(address)
        request.scope.setdefault("state", {})["caller"] = caller.key_name or caller.client
        return RequestContext(
            session=session,
            settings=settings,
            caller=caller,
            rate_limiter=self.runtime.rate_limiter,
        )

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """Strawberry's JSON response, in the media type the client asked for, with the
        status its errors call for.

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
        _set_status_from_codes(response, response_data)
        return response


def _with_json_content_type(scope: Scope) -> Scope:
    """Strawberry parses bodies it knows as `application/json`; the GraphQL media type is
    JSON too, so it is presented under that name."""
    headers = scope.get("headers", [])
    if not any(
        name == b"content-type" and value.startswith(GRAPHQL_RESPONSE.encode())
        for name, value in headers
    ):
        return scope
    replaced = [
        (name, b"application/json" if name == b"content-type" else value) for name, value in headers
    ]
    return {**scope, "headers": replaced}


def _unavailable() -> Refused:
    return Refused(
        503,
        "the database is unavailable; retry in a few seconds",
        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE_S)},
    )


def _codes(response_data: object) -> list[tuple[str, dict[str, Any]]]:
    results = response_data if isinstance(response_data, list) else [response_data]
    found = []
    for result in results:
        if isinstance(result, dict):
            for error in result.get("errors") or []:
                extensions = error.get("extensions") or {}
                found.append((str(extensions.get("code")), extensions))
    return found


def _set_status_from_codes(response: Response, response_data: object) -> None:
    codes = _codes(response_data)
    for code, status in _STATUS_BY_CODE:
        matching = [extensions for found, extensions in codes if found == code]
        if not matching:
            continue
        response.status_code = status
        if code == "SERVICE_UNAVAILABLE":
            response.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE_S)
        elif code == "RATE_LIMITED":
            response.headers["Retry-After"] = str(matching[0].get("retryAfter", 1))
        elif code == "UNAUTHENTICATED":
            response.headers.update(_BEARER)
        return


def _request_error(response_data: object) -> bool:
    """A response whose every error is a parse or validation error, with no data."""
    if not isinstance(response_data, dict) or response_data.get("data") is not None:
        return False
    errors = response_data.get("errors") or []
    return bool(errors) and all(
        (error.get("extensions") or {}).get("code") == "GRAPHQL_VALIDATION_FAILED"
        for error in errors
    )
