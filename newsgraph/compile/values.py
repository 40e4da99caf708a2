"""How a value is written in the response, as SQL: the same text the resolver path sends.

Strawberry answers an ID as base64 of `Type:id`, a DateTime with `isoformat()` (seconds,
microseconds only when there are any, `+00:00`), a Date as `YYYY-MM-DD` and an enum by
its member's name; cursors are `newsgraph.resolvers.pagination.Cursor`. Each function
here builds the SQL expression that writes the same characters from a column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, case, cast, func, literal_column, null
from sqlalchemy.dialects.postgresql import JSON

from newsgraph.resolvers.declarations import Scalar

__all__ = [
    "MAX_KEYS",
    "NotCompilableError",
    "constant",
    "cursor_text",
    "global_id",
    "json_object",
    "scalar_value",
]

# json_build_object takes at most 100 arguments (PostgreSQL's FUNC_MAX_ARGS).
MAX_KEYS = 50


class NotCompilableError(Exception):
    """This operation is answered by the resolver path (the reason says why)."""


def constant(text: str) -> ColumnElement[Any]:
    """An SQL string literal written into the statement (a response key, a type name, a
    format): quotes doubled, as standard-conforming strings (PostgreSQL's default) want.
    Values from a request are never written this way; they are bound parameters."""
    quoted = text.replace("'", "''")
    return literal_column(f"'{quoted}'", String)


def json_object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    """A JSON object with these keys, in this order."""
    if len(pairs) > MAX_KEYS:
        raise NotCompilableError(f"an object of {len(pairs)} keys (PostgreSQL builds {MAX_KEYS})")
    arguments: list[ColumnElement[Any]] = []
    for key, value in pairs:
        arguments += [constant(key), value]
    return func.json_build_object(*arguments, type_=JSON)


def global_id(type_name: str, row_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """The global ID of row `row_id` of type `type_name`."""
    text = constant(f"{type_name}:").op("||")(cast(row_id, String))
    return func.encode(func.convert_to(text, constant("UTF8")), constant("base64"))


def _datetime(column: ColumnElement[Any]) -> ColumnElement[Any]:
    utc = func.timezone(constant("UTC"), column)
    seconds = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
    micros = func.to_char(utc, constant("US"))
    fraction = case(
        (micros == constant("000000"), constant("")), else_=constant(".").op("||")(micros)
    )
    text = seconds.op("||")(fraction).op("||")(constant("+00:00"))
    return case((column.is_(None), null()), else_=text)


def scalar_value(column: ColumnElement[Any], scalar: Scalar) -> ColumnElement[Any]:
    """A column's value as the response writes it."""
    if scalar is Scalar.DATETIME:
        return _datetime(column)
    if scalar is Scalar.DATE:
        return func.to_char(column, constant("YYYY-MM-DD"))
    if scalar is Scalar.ENUM:
        return func.upper(column)
    if scalar is Scalar.TEXT_LIST:
        return func.to_json(column, type_=JSON)
    return column


def _cursor_key(key: ColumnElement[Any] | None, kind: str) -> ColumnElement[Any]:
    """The key inside a cursor, as JSON text (see `Cursor`)."""
    if key is None:
        return constant("null")
    if kind == "datetime":
        micros = cast(
            cast(func.extract("epoch", key) * literal_column("1000000"), BigInteger), String
        )
        return case((func.isfinite(key), micros), else_=constant("null"))
    if kind == "date":
        quoted = (
            constant('"')
            .op("||")(func.to_char(key, constant("YYYY-MM-DD")))
            .op("||")(constant('"'))
        )
        return case((func.isfinite(key), quoted), else_=constant("null"))
    return cast(key, String)


def cursor_text(
    made_for: str, key: ColumnElement[Any] | None, row_id: ColumnElement[Any], kind: str
) -> ColumnElement[Any]:
    """The cursor of a row: URL-safe base64, unpadded, of `["made_for",key,id]`."""
    raw = (
        constant(f'["{made_for}",')
        .op("||")(_cursor_key(key, kind))
        .op("||")(constant(","))
        .op("||")(cast(row_id, String))
        .op("||")(constant("]"))
    )
    encoded = func.encode(func.convert_to(raw, constant("UTF8")), constant("base64"))
    # base64 breaks lines every 76 characters; `translate` drops newlines and padding
    return func.translate(encoded, constant("+/=\n"), constant("-_"))
