"""Settings: the environment variables, their fallbacks, and errors that name them."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.db.engine import async_url
from newsgraph.errors import ConfigurationError
from newsgraph.settings import LogFormat, default_data_dir, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "NEWSGRAPH_DATABASE_URL",
        "DATABASE_URL",
        "NEWSGRAPH_PORT",
        "NEWSGRAPH_CORS_ORIGINS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url is None
    assert settings.uses_embedded_database
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.data_dir == default_data_dir()
    assert settings.cors_origins == []
    assert settings.log_format is LogFormat.JSON


def test_root_keeps_the_embedded_server_out_of_its_home() -> None:
    import os

    if os.geteuid() == 0:
        assert default_data_dir() == Path("/var/lib/newsgraph")
    else:
        assert str(default_data_dir()).startswith(str(Path.home()))


def test_newsgraph_url_wins_over_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://fallback@db/x")
    assert load_settings().database_url == "postgresql://fallback@db/x"
    monkeypatch.setenv("NEWSGRAPH_DATABASE_URL", "postgresql://primary@db/y")
    assert load_settings().database_url == "postgresql://primary@db/y"


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_CORS_ORIGINS", "https://a.example, https://b.example")
    assert load_settings().cors_origins == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NEWSGRAPH_PORT", "eighty", "NEWSGRAPH_PORT: Input should be a valid integer"),
        ("NEWSGRAPH_PORT", "70000", "NEWSGRAPH_PORT: Input should be less than or equal to 65535"),
        (
            "NEWSGRAPH_LOG_FORMAT",
            "xml",
            "NEWSGRAPH_LOG_FORMAT: Input should be 'json' or 'console'",
        ),
        (
            "NEWSGRAPH_DATABASE_URL",
            "mysql://x@y/z",
            "NEWSGRAPH_DATABASE_URL: Value error, expected a postgresql://",
        ),
        ("NEWSGRAPH_DEBUG", "maybe", "NEWSGRAPH_DEBUG: Input should be a valid boolean"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        load_settings()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@h:5433/db", "postgresql+asyncpg://u:p@h:5433/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u@h/db?sslmode=require", "postgresql+asyncpg://u@h/db?ssl=require"),
        (
            "postgresql://postgres@/news?host=/run/pg",
            "postgresql+asyncpg://postgres@/news?host=%2Frun%2Fpg",
        ),
    ],
)
def test_urls_as_users_write_them_get_the_async_driver(url: str, expected: str) -> None:
    assert async_url(url).render_as_string(hide_password=False) == expected


def test_an_unknown_sslmode_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="sslmode='sometimes'"):
        async_url("postgresql://u@h/db?sslmode=sometimes")
