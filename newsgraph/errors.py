"""The exceptions newsgraph raises on purpose.

    NewsgraphError                 base: caught at entry points, printed without a traceback
     ├── ConfigurationError        a setting has a bad value (names the variable)
     ├── DatabaseError             the database cannot be reached or prepared
     │    └── EmbeddedDatabaseError    the embedded PostgreSQL failed to start or stop
     ├── InputError                user input is invalid (names where: file, document, field)
     │    ├── DocumentError        a structured document failed validation
     │    └── EditError            an edit (a write mutation) names bad values or missing rows
     ├── AuthenticationError       an API key is missing where required, unknown or revoked
     └── PermissionDeniedError     the caller's key lacks the scope (a write with a read key)

Every message says which input, which value and what to do, so the CLI can print it as is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "DatabaseError",
    "DocumentError",
    "EditError",
    "EmbeddedDatabaseError",
    "InputError",
    "NewsgraphError",
    "PermissionDeniedError",
    "Problem",
]


class NewsgraphError(Exception):
    """Base of every error newsgraph raises deliberately."""


class ConfigurationError(NewsgraphError):
    """A setting is missing or has a value that cannot be used."""


class DatabaseError(NewsgraphError):
    """The database cannot be reached, created or migrated."""


class EmbeddedDatabaseError(DatabaseError):
    """The embedded PostgreSQL server could not be started, reused or stopped."""


class InputError(NewsgraphError):
    """Input from a user (a file, a CLI argument, a mutation) is invalid."""


class AuthenticationError(NewsgraphError):
    """The request carries no valid API key where one is needed."""


class PermissionDeniedError(NewsgraphError):
    """The caller is not allowed to do what it asked."""


class DocumentError(InputError):
    """A structured document is invalid; `where` says which file, document and field."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        super().__init__(f"{where}: " + "; ".join(problems))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an edit: the input path at fault, what, and a code.

    Codes: INVALID_INPUT (a value is malformed), NOT_FOUND (an ID names no row),
    CONFLICT (the value is taken, or the edit contradicts the data).
    """

    field: tuple[str, ...]
    message: str
    code: str = "INVALID_INPUT"


class EditError(InputError):
    """An edit that cannot be made; nothing of it was written."""

    def __init__(self, *problems: Problem) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{'.'.join(p.field)}: {p.message}" for p in problems))
