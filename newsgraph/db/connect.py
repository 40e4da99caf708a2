"""Which PostgreSQL a command talks to: the configured URL, or the embedded server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from newsgraph.db.embedded import embedded_postgres
from newsgraph.settings import Settings

__all__ = ["database_url"]


@contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The configured URL; without one, an embedded server's for the duration of the block."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    with embedded_postgres(settings.data_dir) as url:
        yield url
