"""From results and errors to HTTP answers: status, headers and a JSON body.

The status comes from the table in `newsgraph.errors` (`answer_for`). A response whose
errors include a request error (the operation was refused: 401, 429, 503, ...) carries
no `data` and takes that error's status; field errors leave the data and 200. Parse
and validation failures are request errors too, answered 400 to clients that accept
`application/graphql-response+json`; a client of the older `application/json` gets 200,
as the GraphQL-over-HTTP spec asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.responses import Response

from newsgraph.errors import INTERNAL, Answer, NewsgraphError, answer_for

__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "decisive",
    "json_response",
    "problem",
    "result_body",
]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_DOCUMENT_FAILURES = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"})
# When a response holds refusals of several kinds, the first of these statuses decides
# (200 last: a persisted query's hash unknown, answered as Apollo's clients expect).
_PRECEDENCE = (503, 504, 429, 401, 403, 405, 413, 415, 400, 404, 500, 200)


def _answer(error: GraphQLError) -> Answer:
    if error.original_error is not None:
        return answer_for(error.original_error)
    code = (error.extensions or {}).get("code")
    if code in _DOCUMENT_FAILURES:
        return Answer(str(code), 400)
    return INTERNAL


def decisive(answers: Iterable[Answer]) -> Answer | None:
    """The request error that decides the answer; None when there are only field errors."""
    refusals = [answer for answer in answers if answer.request_error]
    if not refusals:
        return None
    return min(refusals, key=lambda answer: _PRECEDENCE.index(answer.status))


def result_body(
    data: Any,
    errors: list[GraphQLError] | None,
    extensions: Mapping[str, Any] | None,
    *,
    media_type: str,
) -> tuple[dict[str, Any], Answer | None]:
    """The JSON body of one operation's result, and the refusal that sets its status."""
    refusal = decisive(map(_answer, errors or ()))
    if refusal is not None and refusal.code in _DOCUMENT_FAILURES and media_type == JSON:
        refusal = None  # application/json: 200 for every well-formed request, with data
    body: dict[str, Any] = {} if refusal is not None else {"data": data}
    if errors:
        body["errors"] = [_formatted(error, refused=refusal is not None) for error in errors]
    if extensions:
        body["extensions"] = extensions
    return body, refusal


def _formatted(error: GraphQLError, *, refused: bool) -> dict[str, Any]:
    """The error as a client sees it. A refused request ran no field, so its errors name
    no `path` (they keep `locations`, which point into the document)."""
    formatted = dict(error.formatted)
    if refused:
        formatted.pop("path", None)
    return formatted


def json_response(
    body: Any, *, status: int = 200, media_type: str = JSON, headers: Mapping[str, str] = {}
) -> Response:
    """`body` encoded by orjson (pre-encoded fragments are spliced in as they are)."""
    return Response(orjson.dumps(body), status_code=status, media_type=media_type, headers=headers)


def problem(error: NewsgraphError, *, media_type: str = JSON, **extensions: Any) -> Response:
    """The answer to an error raised outside GraphQL execution, in the GraphQL error shape."""
    answer = answer_for(error)
    body = {
        "errors": [
            {
                "message": str(error),
                "extensions": {"code": answer.code, **error.extensions, **extensions},
            }
        ]
    }
    return json_response(body, status=answer.status, media_type=media_type, headers=answer.headers)
