"""What every edit needs: validated values, rows that exist (locked), and its errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.base import Base
from newsgraph.errors import EditError, Problem

__all__ = ["locked_row", "locked_rows", "validated"]

ModelT = TypeVar("ModelT", bound=BaseModel)
RowT = TypeVar("RowT", bound=Base)


def validated(model: type[ModelT], values: dict[str, Any], field: Sequence[str]) -> ModelT:
    """`values` checked by a document model; its complaints become `EditError` problems."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise EditError(
            *(
                Problem(
                    field=(*field, *(_camel(str(part)) for part in error["loc"])),
                    message=error["msg"].removeprefix("Value error, "),
                )
                for error in exc.errors()
            )
        ) from None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def locked_row(
    session: AsyncSession, model: type[RowT], row_id: int, field: Sequence[str]
) -> RowT:
    """Row `row_id` of `model`, locked until the transaction ends; NOT_FOUND otherwise."""
    return (await locked_rows(session, model, {tuple(field): row_id}))[0]


async def locked_rows(
    session: AsyncSession, model: type[RowT], ids: dict[tuple[str, ...], int]
) -> list[RowT]:
    """Rows of `model` in the order of `ids`, locked in id order (so that two edits
    locking the same rows cannot deadlock); NOT_FOUND for each id without a row."""
    column = model.__table__.c.id
    found = {
        int(row.id): row  # type: ignore[attr-defined]
        for row in (
            await session.scalars(
                select(model)
                .where(column.in_(set(ids.values())))
                .order_by(column)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).all()
    }
    missing = [
        Problem(field=field, message=f"no {model.__name__.lower()} has this ID", code="NOT_FOUND")
        for field, row_id in ids.items()
        if row_id not in found
    ]
    if missing:
        raise EditError(*missing)
    return [found[row_id] for row_id in ids.values()]
