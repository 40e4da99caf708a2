"""The transport rules of `/graphql`, as a pure ASGI middleware in front of the endpoint.

Before any GraphQL work a request must be a GET (queries only; the endpoint checks the
operation) or a POST with a JSON body (`application/json` or
`application/graphql-response+json`) of at most `max_body_bytes`. A form post or
`text/plain` from another site's page, which a browser sends without asking CORS, never
reaches execution. The body is read here, up to the limit and no further, and handed on
to the endpoint through a `receive` that replays it.

A CORS preflight that reaches this point was not answered by the CORS middleware: no
origin is allowed (`NEWSGRAPH_CORS_ORIGINS` is empty), and it is refused in JSON.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsgraph.errors import (
    MethodNotAllowedError,
    NewsgraphError,
    PayloadTooLargeError,
    PermissionDeniedError,
    UnsupportedMediaTypeError,
)
from newsgraph.http.answers import GRAPHQL_RESPONSE, JSON, problem

__all__ = ["TransportRules"]

JSON_BODIES = frozenset({JSON, GRAPHQL_RESPONSE})
ALLOWED = "GET, POST, OPTIONS"


class TransportRules:
    """Methods, media types and the body size limit of the GraphQL endpoint."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._checked(scope, receive, send)
        except NewsgraphError as refusal:
            await problem(refusal)(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": _allow()})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> Receive:
        """Refuse what is not a GraphQL request; a POST's body, read and ready to replay."""
        method = scope["method"]
        headers = Headers(scope=scope)
        if method == "OPTIONS" and "access-control-request-method" in headers:
            raise PermissionDeniedError(
                f"origin {headers.get('origin', '(none)')!r} may not call this API from a "
                "browser: no origin is allowed (NEWSGRAPH_CORS_ORIGINS)"
            )
        if method not in ("GET", "POST", "OPTIONS"):
            raise MethodNotAllowedError(
                f"{method} is not served here: send a GET (queries) or a POST (any operation)",
                allow=ALLOWED,
            )
        if method != "POST":
            return receive
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in JSON_BODIES:
            raise UnsupportedMediaTypeError(
                f"POST bodies must be application/json, not {media_type or 'unspecified'!r}: "
                'send {"query": "...", "variables": {...}}'
            )
        return await self._read_body(headers, receive)

    async def _read_body(self, headers: Headers, receive: Receive) -> Receive:
        limit = self.max_body_bytes
        too_large = PayloadTooLargeError(
            f"the request body is larger than {limit} bytes (NEWSGRAPH_MAX_BODY_BYTES)"
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return _replay(b"", receive, first=message)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                return _replay(b"".join(chunks), receive)


def _replay(body: bytes, receive: Receive, first: Message | None = None) -> Receive:
    """A `receive` that yields the body read already, then the client's later messages."""
    pending: list[Message] = [first or {"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _allow() -> list[tuple[bytes, bytes]]:
    return [(b"allow", ALLOWED.encode()), (b"content-length", b"0")]
