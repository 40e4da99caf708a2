"""HTTP caching of `/graphql` answers: who may keep one, for how long, and 304s.

Only an anonymous GET whose every operation answered without an error may be kept by a
browser or a CDN, for `NEWSGRAPH_CACHE_MAX_AGE` seconds (`public, max-age=N`); with the
default 0, and for everything else (POST, mutations, keyed requests, errors, refusals),
the answer is `no-store`. A persisted query's hash over GET makes a short, stable URL
for such a cache (`newsgraph.http.persisted`).

`Vary: Accept, Authorization` keeps apart what differs for the same URL: the media type
asked for (`application/graphql-response+json` or `application/json`; GraphiQL for a
browser) and whether a key was sent (the CORS middleware adds `Origin`). A cacheable
answer carries an `ETag`, a digest of its body; a request whose `If-None-Match` names
it gets `304 Not Modified` without the body. The query still runs (the answer must be
known to compare it), so a 304 saves the transfer, not the work.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["HttpCaching"]

NO_STORE = "no-store"
VARY = ("Accept", "Authorization")
# Response headers a 304 repeats (RFC 9110 §15.4.5); the body and its length are dropped.
_KEPT_BY_304 = ("cache-control", "etag", "vary", "content-location", "expires")


class HttpCaching:
    """Sets `Cache-Control`, `Vary` and `ETag` on the endpoint's answers."""

    def __init__(self, max_age: int) -> None:
        self.max_age = max_age

    def apply(self, request: Request, response: Response, *, answered: bool) -> Response:
        """`response` with its caching headers, or a 304 when the client's copy is current.

        `answered`: every operation of the request ran and answered without an error.
        """
        for name in VARY:
            response.headers.add_vary_header(name)
        cacheable = (
            self.max_age > 0
            and answered
            and request.method == "GET"
            and response.status_code == 200
            and "authorization" not in request.headers
        )
        if not cacheable:
            response.headers["Cache-Control"] = NO_STORE
            return response
        etag = f'"{hashlib.blake2b(response.body, digest_size=16).hexdigest()}"'
        response.headers["Cache-Control"] = f"public, max-age={self.max_age}"
        response.headers["ETag"] = etag
        if _matches(request.headers.get("if-none-match", ""), etag):
            kept = {k: v for k, v in response.headers.items() if k in _KEPT_BY_304}
            return Response(status_code=304, headers=kept)
        return response


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an `If-None-Match` value names `etag` (weak comparison, as for GET)."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
