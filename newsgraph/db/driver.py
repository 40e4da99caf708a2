"""Plain asyncpg connections: for the bulk import and the checks before it.

An import writes through one connection with set-based statements and COPY, so it
needs nothing SQLAlchemy adds, and does not pay its start-up cost either.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["connect", "driver_dsn"]

_DRIVER = re.compile(r"^(postgres(?:ql)?)\+\w+://")


def driver_dsn(url: str) -> str:
    """The URL as asyncpg reads it: `postgresql+asyncpg://` (SQLAlchemy's form) made plain."""
    return _DRIVER.sub(r"\1://", url.strip())


async def connect(
    url: str, *, statement_timeout: float = 0, application_name: str | None = None
) -> Any:
    """An asyncpg connection to `url`; `statement_timeout` in seconds, 0: none;
    `application_name` tells it apart in `pg_stat_activity`."""
    import asyncpg

    settings = {"statement_timeout": str(round(statement_timeout * 1000))}
    if application_name is not None:
        settings["application_name"] = application_name
    return await asyncpg.connect(driver_dsn(url), server_settings=settings)
