"""What every mutation shares: `UserError`, turning edit errors into them, and `attempt`.

`attempt` runs one edit as one transaction (retried after a lost race, stamped with the
caller's key), turns an expected failure into `userErrors`, and forgets every row the
request had loaded, so the payload reads the data as it is now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.failures import as_newsgraph_error
from newsgraph.db.transactions import write_transaction
from newsgraph.errors import DocumentError, EditError, InputError, Problem
from newsgraph.ids import decode_id
from newsgraph.schema.info import Info

__all__ = ["UserError", "attempt", "given", "row_id", "user_errors"]

T = TypeVar("T")


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
        return [_user_error(problem.field, problem) for problem in error.problems]
    if isinstance(error, DocumentError):
        return [_user_error(("input", "document", *p.field), p) for p in error.problems]
    return [UserError(field=["input"], message=str(error), code="INVALID_INPUT")]


def _user_error(field: tuple[str | int, ...], problem: Problem) -> UserError:
    return UserError(
        field=[str(part) for part in field], message=problem.message, code=problem.code
    )


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
        except Exception as error:  # a database error, through SQLAlchemy or asyncpg
            refused = as_newsgraph_error(error)
            if not isinstance(refused, InputError):
                raise
            return None, user_errors(refused)
        finally:
            context.session.expunge_all()
    context.loaders.clear()
    return result, []
