"""Running the app under uvicorn: in this process, or workers under a supervisor.

`newsgraph serve` loads this only when it serves, so other commands do not pay for
importing uvicorn.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import ChangeReload, Multiprocess

from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.settings import Settings

__all__ = ["exit_cleanly_on_signals", "load_demo", "run_uvicorn", "tune_garbage_collector"]

logger = logging.getLogger("newsgraph")
# Seconds uvicorn lets requests in flight finish after SIGTERM before it cancels them.
GRACEFUL_SHUTDOWN_S = 10


class _Server(uvicorn.Server):
    """uvicorn's server, saying "serving" once its sockets listen, not before."""

    def __init__(self, config: uvicorn.Config, settings: Settings) -> None:
        super().__init__(config)
        self.settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            bound = [sock.getsockname() for server in self.servers for sock in server.sockets]
            _log_serving(self.settings, bound[0][1], workers=1)


def run_uvicorn(settings: Settings, url: str, *, workers: int, reload: bool) -> None:
    """Serve in this process, or bind here and supervise worker (or reloading) processes.

    Graceful shutdown is uvicorn's (in-flight requests finish, up to
    `GRACEFUL_SHUTDOWN_S`); the app's `DrainingMiddleware` answers requests that arrive
    meanwhile with 503. With several processes each one drains itself.
    """
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
        "ws_per_message_deflate": settings.ws_compression,
    }
    if workers == 1 and not reload:
        from newsgraph.server import create_app

        _Server(uvicorn.Config(create_app(settings), **options), settings).run()
        return
    # worker processes import the app afresh and read their settings from the environment
    os.environ["NEWSGRAPH_DATABASE_URL"] = url
    config = uvicorn.Config(
        "newsgraph.server:create_app_from_environment",
        factory=True,
        workers=workers,
        reload=reload,
        **options,
    )
    sock = config.bind_socket()
    # listen before the workers start, so connections queue until one accepts them
    sock.listen(config.backlog)
    _log_serving(settings, sock.getsockname()[1], workers=workers)
    if config.should_reload:
        ChangeReload(config, target=uvicorn.Server(config).run, sockets=[sock]).run()
    else:
        _Supervisor(config, sockets=[sock]).run()


class _Supervisor(Multiprocess):
    """uvicorn's worker supervisor, closing its copy of the listening socket first on stop.

    Otherwise, while the workers drain, the port still listens through the supervisor's
    copy: new connections queue where no worker will ever accept them, and hang until the
    supervisor exits. Closed, they are refused at once, and a client can go elsewhere.
    """

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def _log_serving(settings: Settings, port: int, *, workers: int) -> None:
    """Say where the API listens; GraphiQL's URL only where GraphiQL is on (not public)."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    address = f"http://{host}:{port}"
    extra: dict[str, Any] = {"address": address, "workers": workers}
    if not settings.public:
        extra["graphiql"] = f"{address}/graphql"
    logger.info("serving", extra=extra)


def tune_garbage_collector() -> None:
    """Collect less often in the server: a response builds thousands of short-lived
    objects, and Python's default thresholds spend a tenth of a feed request in full
    collections that find nothing to free. Objects alive at start are frozen out of it."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def exit_cleanly_on_signals() -> None:
    """Turn SIGTERM/SIGINT into a normal exit, so the embedded PostgreSQL is stopped.

    uvicorn shuts down gracefully on these signals (in-flight requests finish) and then
    raises the signal again with the handlers it found installed: these, which unwind
    the stack through the `finally` that stops the embedded server. (Worker supervisors
    keep their own handlers and return normally, which unwinds the same way.)
    """
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


async def load_demo(url: str) -> None:
    """Store the demo article in an empty database."""
    from newsgraph.demo import load_demo_if_empty

    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            result = await load_demo_if_empty(session)
        if result is not None:
            logger.info("demo article loaded", extra={"article_id": result.article_id})
    finally:
        await engine.dispose()
