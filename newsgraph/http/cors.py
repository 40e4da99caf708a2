"""CORS: Starlette's middleware, with its refusals answered in JSON like every other one.

The allowed origins, request headers and preflight lifetime come from settings
(`NEWSGRAPH_CORS_ORIGINS`, `NEWSGRAPH_CORS_HEADERS`, `NEWSGRAPH_CORS_MAX_AGE`); a refused
preflight is a coded 403 that says what was refused and which setting allows it.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from newsgraph.errors import PermissionDeniedError
from newsgraph.http.answers import problem

__all__ = ["Cors"]


class Cors(CORSMiddleware):
    """Allows the configured origins; a refused preflight is a coded JSON 403."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refusal = problem(PermissionDeniedError(self._refused(request_headers)))
        for name, value in response.headers.items():
            if name.startswith("access-control-") or name == "vary":
                refusal.headers[name] = value
        return refusal

    def _refused(self, request_headers: Headers) -> str:
        """What the preflight asked for that is not allowed, and the setting that would."""
        origin = request_headers.get("origin", "")
        if not self.is_allowed_origin(origin):
            return (
                f"origin {origin!r} may not call this API from a browser: the allowed "
                "origins are set by NEWSGRAPH_CORS_ORIGINS"
            )
        method = request_headers.get("access-control-request-method", "")
        if method not in self.allow_methods:
            return f"method {method!r} is not served to browsers: use GET or POST"
        asked = request_headers.get("access-control-request-headers", "")
        headers = [h.strip().lower() for h in asked.split(",") if h.strip()]
        refused = [h for h in headers if h not in self.allow_headers]
        return (
            f"request headers {', '.join(refused)} are not allowed from origin {origin!r}: the "
            "allowed headers are set by NEWSGRAPH_CORS_HEADERS"
        )
