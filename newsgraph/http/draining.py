"""Refuse new requests with 503 once the process has begun shutting down.

On SIGTERM or SIGINT uvicorn stops accepting connections and lets the requests in flight
finish, but it notices the signal only at its next tick (up to 0.1 s later), and until
then it hands requests arriving on kept-alive connections to the app as usual. A request
that arrives once shutdown has begun would then start work the process may not finish.
This middleware answers it at once instead: 503 `SERVICE_UNAVAILABLE` with `Retry-After`
and `Connection: close`, so the client (or the load balancer) sends it again to a
running instance. `/readyz` says 503 too; only `/healthz` still answers, because the
process is alive while it drains.

How it learns that shutdown began: in every mode (one process, `--workers N`, `--reload`)
uvicorn installs its own SIGTERM/SIGINT handlers before the app's lifespan starts, but
its worker processes build plain `uvicorn.Server` objects that no subclass of ours
reaches. So when the lifespan startup completes, the middleware puts itself in front of
the handlers it finds: a signal marks the app as draining, then goes on to the server's
handler unchanged (which starts uvicorn's graceful shutdown). Every process hooks its
own handlers, so each worker drains itself. Where no lifespan reaches the app (mounted
inside another one) nothing is hooked; whoever runs the server may call `begin()`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsgraph.errors import UnavailableError, answer_for

__all__ = ["SHUTDOWN_SIGNALS", "DrainingMiddleware"]

SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Answered while draining like any other time: the process is alive, a liveness probe
# that failed now would only get it killed before its requests finish.
ALWAYS_ANSWERED = frozenset({"/healthz"})
MESSAGE = (
    "this server is shutting down and takes no new requests: send the request again "
    "after the Retry-After delay (another instance may answer sooner)"
)

_Handler = Callable[[int, FrameType | None], Any]


class DrainingMiddleware:
    """Pure ASGI middleware: while draining, every HTTP request but /healthz gets a 503."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.draining = False
        self._chained: dict[int, _Handler] = {}

    def begin(self) -> None:
        """Start draining: answer every later request (but /healthz) with 503.

        Safe to call from a signal handler: it only sets a flag.
        """
        self.draining = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._watch_lifespan(send))
        elif scope["type"] == "http" and self.draining and scope["path"] not in ALWAYS_ANSWERED:
            await self._refuse(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = UnavailableError(MESSAGE)
        answer = answer_for(error)
        response = JSONResponse(
            {"errors": [{"message": str(error), "extensions": {"code": answer.code}}]},
            status_code=answer.status,
            # close the connection: the next request should find a running instance
            headers={**answer.headers, "Connection": "close"},
        )
        await response(scope, receive, send)

    def _watch_lifespan(self, send: Send) -> Send:
        async def watched(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                self._chain_signal_handlers()
            elif message["type"] in {"lifespan.shutdown.complete", "lifespan.shutdown.failed"}:
                self._unchain_signal_handlers()
            await send(message)

        return watched

    def _chain_signal_handlers(self) -> None:
        """Run `begin` first whenever the server's shutdown handlers are called."""
        if threading.current_thread() is not threading.main_thread():
            # only the main thread may set handlers; a lifespan run elsewhere (a test
            # client's thread) belongs to no server that a signal would stop
            return
        for number in SHUTDOWN_SIGNALS:
            current = signal.getsignal(number)
            if callable(current) and current != self._on_signal:
                self._chained[number] = current
                signal.signal(number, self._on_signal)

    def _unchain_signal_handlers(self) -> None:
        """Give the server its handlers back (it restores its own predecessors later)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for number, handler in self._chained.items():
            if signal.getsignal(number) == self._on_signal:
                signal.signal(number, handler)
        self._chained.clear()

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        self.begin()
        handler = self._chained.get(number)
        if handler is not None:
            handler(number, frame)
