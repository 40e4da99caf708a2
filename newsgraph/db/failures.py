"""What a database exception means for the client: retry later, too slow, bad value, or a bug.

Exceptions arrive wrapped (SQLAlchemy around asyncpg around an OSError), so each test
walks the chain of causes. `as_newsgraph_error` turns the ones a client can act on into
the typed errors of `newsgraph.errors`, whose table gives them a code and a status.
"""

from __future__ import annotations

from collections.abc import Iterator

from newsgraph.errors import (
    ConflictError,
    InputError,
    NewsgraphError,
    TimedOutError,
    UnavailableError,
)

__all__ = [
    "RETRYABLE_SQLSTATES",
    "as_newsgraph_error",
    "database_message",
    "is_unavailable",
    "sqlstate",
]

# A unique violation from a concurrent insert of the same row, a serialization failure,
# a deadlock, or a row deleted by a concurrent merge: running the transaction again
# resolves each.
RETRYABLE_SQLSTATES = frozenset({"23505", "40001", "40P01", "23503"})
# Connection exceptions (class 08, asyncpg's ConnectionDoesNotExistError among them), and
# the server shutting down or starting up (57P0x).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
_QUERY_CANCELED = "57014"
_DATA_EXCEPTION = "22"


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
    from sqlalchemy import exc as sa_exc  # only when there is an error to look at

    for cause in _chain(error):
        if isinstance(cause, sa_exc.TimeoutError):  # the pool had no free connection
            return True
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True  # SQLAlchemy's dialect saw the connection close under it
        if isinstance(cause, OSError | ConnectionError):
            return True
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
            return True
    return False


def database_message(error: BaseException) -> str:
    """PostgreSQL's own message for `error`, first line only (it names no internals)."""
    for cause in _chain(error):
        if isinstance(getattr(cause, "sqlstate", None), str):
            return str(cause).split("\n")[0]
    return str(error).split("\n")[0]


def as_newsgraph_error(error: BaseException) -> NewsgraphError | None:
    """The typed error a database failure means for the client; None for a bug."""
    if isinstance(error, NewsgraphError):
        return error
    if is_unavailable(error):
        return UnavailableError()
    state = sqlstate(error)
    if state == _QUERY_CANCELED:
        return TimedOutError(
            "a database statement ran longer than the statement timeout "
            "(NEWSGRAPH_STATEMENT_TIMEOUT): ask for less, or narrow the filter"
        )
    if state is not None and state.startswith(_DATA_EXCEPTION):
        return InputError(f"PostgreSQL refused a value: {database_message(error)}")
    if state in RETRYABLE_SQLSTATES:  # still colliding after every retry
        return ConflictError(
            "the write kept colliding with concurrent writes to the same rows; "
            "nothing was written: send it again"
        )
    return None
