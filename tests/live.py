"""Real servers on local ports, for clients that need a socket (schemathesis, the fuzzers,
a browser)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(app: ASGIApp, *, ready_path: str = "/healthz") -> Iterator[str]:
    """`app` under uvicorn in a thread on 127.0.0.1, its base URL while the block runs."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + ready_path, timeout=1)
            break
        except httpx.TransportError:
            threading.Event().wait(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
