"""The exceptions newsgraph raises on purpose.

    NewsgraphError                 base: caught at entry points, printed without a traceback
     ├── ConfigurationError        a setting has a bad value (names the variable)
     ├── DatabaseError             the database cannot be reached or prepared
     │    └── EmbeddedDatabaseError    the embedded PostgreSQL failed to start or stop
     ├── InputError                user input is invalid (names where: file, document, field)
     │    └── DocumentError        a structured document failed validation
     └── PermissionDeniedError     the caller may not do this (a write without permission)

Every message says which input, which value and what to do, so the CLI can print it as is.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "DatabaseError",
    "DocumentError",
    "EmbeddedDatabaseError",
    "InputError",
    "NewsgraphError",
    "PermissionDeniedError",
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


class PermissionDeniedError(NewsgraphError):
    """The caller is not allowed to do what it asked."""


class DocumentError(InputError):
    """A structured document is invalid; `where` says which file, document and field."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        super().__init__(f"{where}: " + "; ".join(problems))
