"""What every mutation shares: `UserError`, turning edit errors into them, and `attempt`.

`attempt` runs one edit as one transaction (retried after a lost race, stamped with the
caller's key), turns an expected failure into `userErrors`, and forgets every row the
request had loaded, so the payload reads the data as it is now.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.failures import database_message, is_invalid_value
from newsgraph.db.transactions import write_transaction
from newsgraph.errors import DocumentError, EditError, InputError, Problem
from newsgraph.schema.info import Info
from newsgraph.schema.relay import decode_id

__all__ = ["UserError", "attempt", "given", "row_id", "user_errors"]

T = TypeVar("T")
_PATH = re.compile(r"^(?P<path>[\w.\[\]]+): (?P<message>.+)$")


@strawberry.type(description="An expected failure of a mutation: which input, what, why.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path to the input at fault.")
    message: str = strawberry.field(description="What is wrong and what to do.")
    code: str = strawberry.field(
        description="INVALID_INPUT, INVALID_DOCUMENT, INVALID_ID, NOT_FOUND or CONFLICT."
    )


def user_errors(error: InputError) -> list[UserError]:
    """The `userErrors` of an input error, with paths into the mutation's arguments."""
    if isinstance(error, EditError):
        return [
            UserError(field=list(p.field), message=p.message, code=p.code) for p in error.problems
        ]
    if isinstance(error, DocumentError):
        errors = []
        for problem in error.problems:
            match = _PATH.match(problem)
            path = re.split(r"[.\[\]]+", match["path"].strip("]")) if match else []
            message = match["message"] if match else problem
            errors.append(
                UserError(
                    field=["input", "document", *path], message=message, code="INVALID_DOCUMENT"
                )
            )
        return errors
    return [UserError(field=["input"], message=str(error), code="INVALID_INPUT")]


def row_id(value: Any, type_name: str, *field: str) -> int:
    """The row id in a global ID argument; an ID of another type or none is a user error."""
    try:
        return decode_id(str(value), type_name, argument=".".join(field))[1]
    except InputError as error:
        raise EditError(Problem(field=field, message=str(error), code="INVALID_ID")) from None


def given(input: object, *names: str) -> dict[str, Any]:
    """The fields of an input object the client set (UNSET ones left out), by name."""
    return {
        name: getattr(input, name)
        for name in names
        if getattr(input, name, strawberry.UNSET) is not strawberry.UNSET
    }


async def attempt(
    info: Info, work: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run `work` as one write transaction: its result, or why nothing was written."""
    context = info.context
    async with context.lock:
        try:
            result = await write_transaction(
                context.session, work, writer_key_id=context.caller.key_id
            )
        except InputError as error:
            return None, user_errors(error)
        except DBAPIError as error:
            if not is_invalid_value(error):
                raise
            message = f"PostgreSQL refused a value: {database_message(error)}"
            return None, [UserError(field=["input"], message=message, code="INVALID_INPUT")]
        finally:
            context.session.expunge_all()
    context.loaders.clear()
    return result, []
