"""The exceptions newsgraph raises on purpose, and the one table that says how each is answered.

    NewsgraphError                 base: caught at entry points, printed without a traceback
     ├── ConfigurationError        a setting has a bad value (names the variable)
     ├── AssetError                a GraphiQL asset cannot be fetched, or not the pinned bytes
     ├── DatabaseError             the database cannot be reached or prepared
     │    ├── EmbeddedDatabaseError    the embedded PostgreSQL failed to start or stop
     │    └── UnavailableError     unreachable, restarting, or no free connection in time
     ├── InputError                user input is invalid (names where: file, document, field)
     │    ├── DocumentError        a structured document failed validation
     │    └── EditError            an edit (a write mutation) names bad values or missing rows
     ├── AuthenticationError       an API key is missing where required, unknown or revoked
     ├── PermissionDeniedError     the caller's key lacks the scope (a write with a read key)
     │    └── NotTrustedError      a document outside the trusted-documents manifest (public)
     ├── QueryTooComplexError      the document exceeds a limit (depth, aliases, nodes, ...)
     ├── RateLimitedError          the caller spent its budget; retry after some seconds
     ├── TimedOutError             a statement or the whole request ran out of time
     ├── ConflictError             a write kept colliding with concurrent writes
     ├── SubscriptionError         a subscription cannot start or go on
     │    ├── CursorExpiredError   `after:` names a change older than the log keeps: refetch
     │    ├── TooManySubscriptionsError    over the per-connection or per-process limit
     │    └── SubscriberTooSlowError       its queue overflowed: ended, resume with `after:`
     └── RequestError              the HTTP request is not a GraphQL request we take
          ├── MethodNotAllowedError
          ├── NotFoundError
          ├── PayloadTooLargeError
          ├── UnsupportedMediaTypeError
          ├── PersistedQueryNotFoundError      a hash this server does not know (yet)
          └── PersistedQueryNotSupportedError  a hash where persisted queries are off

`answer_for(error)` gives each (and the GraphQL errors raised while executing) its
`extensions.code` and HTTP status; the CLI prints the
message, the HTTP layer and the GraphQL error formatting read the same table, so an
error is coded and given a status in one place. Every message says which input, which
value and what to do, so it can be shown as is.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANSWERS",
    "GRAPHQL_ERROR",
    "INTERNAL",
    "Answer",
    "AssetError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "CursorExpiredError",
    "DatabaseError",
    "DocumentError",
    "EditError",
    "EmbeddedDatabaseError",
    "InputError",
    "MethodNotAllowedError",
    "NewsgraphError",
    "NotFoundError",
    "NotTrustedError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PersistedQueryNotFoundError",
    "PersistedQueryNotSupportedError",
    "Problem",
    "QueryTooComplexError",
    "RateLimitedError",
    "RequestError",
    "SubscriberTooSlowError",
    "SubscriptionError",
    "TimedOutError",
    "TooManySubscriptionsError",
    "UnavailableError",
    "UnsupportedMediaTypeError",
    "answer_for",
]

RETRY_AFTER_UNAVAILABLE_S = 5


class NewsgraphError(Exception):
    """Base of every error newsgraph raises deliberately.

    `extensions` go into the GraphQL error next to its code (a limit, a retry delay);
    `headers` into the HTTP answer when this error decides it (`Retry-After`).
    """

    extensions: Mapping[str, Any] = {}
    headers: Mapping[str, str] = {}


class ConfigurationError(NewsgraphError):
    """A setting is missing or has a value that cannot be used."""


class AssetError(NewsgraphError):
    """`newsgraph graphiql-assets` could not fetch a file, or got other bytes than pinned."""


class DatabaseError(NewsgraphError):
    """The database cannot be reached, created or migrated."""


class EmbeddedDatabaseError(DatabaseError):
    """The embedded PostgreSQL server could not be started, reused or stopped."""


class UnavailableError(DatabaseError):
    """The database does not answer now: a client should retry in a few seconds."""

    headers = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE_S)}

    def __init__(self, message: str = "the database is unavailable; retry in a few seconds"):
        super().__init__(message)


class InputError(NewsgraphError):
    """Input from a user (a file, a CLI argument, a mutation) is invalid."""


class AuthenticationError(NewsgraphError):
    """The request carries no valid API key where one is needed."""

    headers = {"WWW-Authenticate": "Bearer"}


class PermissionDeniedError(NewsgraphError):
    """The caller is not allowed to do what it asked."""


class NotTrustedError(PermissionDeniedError):
    """A public server with a trusted-documents manifest runs only the documents it lists."""


class QueryTooComplexError(NewsgraphError):
    """A document asks for more than a limit allows; nothing of it ran."""

    def __init__(self, message: str, *, limit: int, actual: int | None = None) -> None:
        super().__init__(message)
        self.extensions = {"limit": limit} | ({} if actual is None else {"actual": actual})


class RateLimitedError(NewsgraphError):
    """The caller's budget does not cover this query now."""

    def __init__(self, message: str, *, retry_after: int, cost: int) -> None:
        super().__init__(message)
        self.extensions = {"retryAfter": retry_after, "cost": cost}
        self.headers = {"Retry-After": str(retry_after)}


class TimedOutError(NewsgraphError):
    """A statement ran past `statement_timeout`, or the request past `request_timeout`."""


class ConflictError(NewsgraphError):
    """A write collided with concurrent writes on every attempt; nothing was written."""


class SubscriptionError(NewsgraphError):
    """A subscription cannot start, or cannot go on; the message says what to do instead."""


class CursorExpiredError(SubscriptionError):
    """`after:` names a change the log no longer keeps (`change_retention`): what changed
    since cannot be replayed, so the client has to refetch its data and subscribe anew."""


class TooManySubscriptionsError(SubscriptionError):
    """A connection or the process runs as many subscriptions as it may."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.extensions = {"limit": limit}


class SubscriberTooSlowError(SubscriptionError):
    """A subscriber read its messages slower than they came and its queue filled up; the
    subscription ended rather than the server's memory growing. `after` in the extensions
    is the cursor to resume from."""

    def __init__(self, message: str, *, limit: int, after: str | None) -> None:
        super().__init__(message)
        self.extensions = {"limit": limit} | ({} if after is None else {"after": after})


class RequestError(NewsgraphError):
    """The HTTP request cannot carry a GraphQL operation (bad JSON, a batch when off, ...)."""


class MethodNotAllowedError(RequestError):
    """The HTTP method cannot do this (a mutation over GET, a PUT)."""

    def __init__(self, message: str, *, allow: str) -> None:
        super().__init__(message)
        self.headers = {"Allow": allow}


class NotFoundError(RequestError):
    """Nothing is served here (GraphiQL on a public server)."""


class PayloadTooLargeError(RequestError):
    """The request body is larger than `max_body_bytes`."""


class UnsupportedMediaTypeError(RequestError):
    """The request body is not JSON (a form post, `text/plain`)."""


class PersistedQueryNotFoundError(RequestError):
    """A persisted query's hash this server does not know: send the document with it.

    The message is the one Apollo's persisted-queries link (and urql's persistedExchange)
    look for before sending the full document; it cannot say more without breaking them.
    """

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotSupportedError(RequestError):
    """Persisted queries are off here (`NEWSGRAPH_APQ_LIMIT=0`, no manifest): send documents.

    The message is the one Apollo's link looks for before it stops sending hashes.
    """

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotSupported")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the path to the value at fault, what, and a code.

    `field` is the path into the input as a client wrote it (`("input", "actors", 0,
    "kind")`), kept structured so each consumer (userErrors, a CLI line) renders it.
    Codes: INVALID_INPUT (a value is malformed), INVALID_DOCUMENT (a structured document
    is), INVALID_ID (an ID of the wrong type), NOT_FOUND (an ID names no row), CONFLICT
    (the value is taken, or the edit contradicts the data).
    """

    field: tuple[str | int, ...]
    message: str
    code: str = "INVALID_INPUT"

    @property
    def path(self) -> str:
        """The field as one readable path: `actors[0].kind`."""
        rendered = ""
        for part in self.field:
            if isinstance(part, int):
                rendered += f"[{part}]"
            else:
                rendered += f".{part}" if rendered else part
        return rendered

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.field else self.message


class DocumentError(InputError):
    """A structured document is invalid; `where` says which file and document."""

    def __init__(self, where: str, problems: list[Problem]) -> None:
        self.where = where
        self.problems = problems
        super().__init__(f"{where}: " + "; ".join(str(problem) for problem in problems))


class EditError(InputError):
    """An edit that cannot be made; nothing of it was written."""

    def __init__(self, *problems: Problem) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class Answer:
    """How an error is answered: its `extensions.code`, the HTTP status, and whether it
    refuses the whole request.

    A refusal (`request_error`) means the operation did not run or must not be trusted
    in part: the response carries no `data` and the status is `status`. Otherwise it is a
    field error: the rest of the data stands and the status stays 200.
    """

    code: str
    status: int
    request_error: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)


# Looked up along each exception's class hierarchy, most specific first.
ANSWERS: dict[type[BaseException], Answer] = {
    UnavailableError: Answer("SERVICE_UNAVAILABLE", 503),
    DatabaseError: Answer("SERVICE_UNAVAILABLE", 503),
    TimedOutError: Answer("TIMEOUT", 504),
    RateLimitedError: Answer("RATE_LIMITED", 429),
    AuthenticationError: Answer("UNAUTHENTICATED", 401),
    NotTrustedError: Answer("PERSISTED_QUERY_NOT_IN_LIST", 403),
    PermissionDeniedError: Answer("FORBIDDEN", 403),
    QueryTooComplexError: Answer("QUERY_TOO_COMPLEX", 400),
    MethodNotAllowedError: Answer("METHOD_NOT_ALLOWED", 405),
    NotFoundError: Answer("NOT_FOUND", 404),
    PayloadTooLargeError: Answer("PAYLOAD_TOO_LARGE", 413),
    UnsupportedMediaTypeError: Answer("UNSUPPORTED_MEDIA_TYPE", 415),
    # 200, as Apollo Server answers them: the clients read the error, then send the query
    PersistedQueryNotFoundError: Answer("PERSISTED_QUERY_NOT_FOUND", 200),
    PersistedQueryNotSupportedError: Answer("PERSISTED_QUERY_NOT_SUPPORTED", 200),
    RequestError: Answer("BAD_REQUEST", 400),
    CursorExpiredError: Answer("CURSOR_EXPIRED", 410),
    TooManySubscriptionsError: Answer("TOO_MANY_SUBSCRIPTIONS", 429),
    SubscriberTooSlowError: Answer("SUBSCRIBER_TOO_SLOW", 503),
    InputError: Answer("BAD_USER_INPUT", 400, request_error=False),
    ConflictError: Answer("CONFLICT", 409, request_error=False),
    ConfigurationError: Answer("INTERNAL", 500),
}
INTERNAL = Answer("INTERNAL", 500, request_error=False)
# graphql-core and Strawberry raise GraphQLError on purpose while executing, about input
# (an ID argument that does not parse, an enum value out of range).
GRAPHQL_ERROR = Answer("BAD_USER_INPUT", 400, request_error=False)


def answer_for(error: BaseException) -> Answer:
    """The answer the table gives `error` (INTERNAL for anything not raised on purpose)."""
    for kind in type(error).__mro__:
        answer = ANSWERS.get(kind)
        if answer is not None:
            if isinstance(error, NewsgraphError) and error.headers:
                return Answer(answer.code, answer.status, answer.request_error, error.headers)
            return answer
    # Looked up where graphql-core is loaded already (it alone raises its errors), so
    # that importing this module, as every command does, does not load it.
    graphql = sys.modules.get("graphql")
    if graphql is not None and isinstance(error, graphql.GraphQLError):
        return GRAPHQL_ERROR
    return INTERNAL
