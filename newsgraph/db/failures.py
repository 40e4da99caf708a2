"""What a database exception means for the client: retry later, too slow, or a bug.

Exceptions arrive wrapped (SQLAlchemy around asyncpg around an OSError), so each test
walks the chain of causes.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

__all__ = [
    "RETRYABLE_SQLSTATES",
    "database_message",
    "is_invalid_value",
    "is_timeout",
    "is_unavailable",
    "sqlstate",
]

# A unique violation from a concurrent insert of the same row, a serialization failure,
# a deadlock, or a row deleted by a concurrent merge: running the transaction again
# resolves each.
RETRYABLE_SQLSTATES = frozenset({"23505", "40001", "40P01", "23503"})
# Connection exceptions (class 08), and the server shutting down or starting up (57P0x).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
_QUERY_CANCELED = "57014"


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )


def sqlstate(error: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind `error`, if any."""
    for cause in _chain(error):
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached, is restarting, or no connection is free in time."""
    for cause in _chain(error):
        if isinstance(cause, sa_exc.TimeoutError):  # the pool had no free connection
            return True
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, OSError | ConnectionError):
            return True
        if type(cause).__name__ in {"ConnectionDoesNotExistError", "InterfaceError"} and (
            "connection" in str(cause).lower()
        ):
            return True
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
            return True
    return False


def is_timeout(error: BaseException) -> bool:
    """PostgreSQL cancelled a statement that ran past `statement_timeout`."""
    return sqlstate(error) == _QUERY_CANCELED


def is_invalid_value(error: BaseException) -> bool:
    """PostgreSQL refused a value a client sent (class 22, data exception): a NUL
    character in text, a number out of range, a string too long for its column."""
    state = sqlstate(error)
    return state is not None and state.startswith("22")


def database_message(error: BaseException) -> str:
    """PostgreSQL's own message for `error`, first line only (it names no internals)."""
    for cause in _chain(error):
        if isinstance(getattr(cause, "sqlstate", None), str):
            return str(cause).split("\n")[0]
    return str(error).split("\n")[0]
