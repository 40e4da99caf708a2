"""CORS: Starlette's middleware, with its refusals answered in JSON like every other one."""

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
        what = bytes(response.body).decode()  # which of origin, method, headers it refused
        refusal = problem(
            PermissionDeniedError(
                f"{what} for origin {request_headers.get('origin')!r}: the origins a browser "
                "may call this API from are set by NEWSGRAPH_CORS_ORIGINS"
            )
        )
        for name, value in response.headers.items():
            if name.startswith("access-control-") or name == "vary":
                refusal.headers[name] = value
        return refusal
