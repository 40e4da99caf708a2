"""The declarative base every model derives from, with the constraint naming convention.

Named constraints make migrations deterministic: Alembic can drop and recreate them
by name on every PostgreSQL, and an error from the database names the rule it broke.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Enum, ForeignKey, MetaData, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["WRITER_SETTING", "Base", "CreatedUpdated", "WrittenBy", "enum_column_type"]

# The API key behind the current write transaction, as a transaction-local PostgreSQL
# setting: every writer (mutations, ingest, raw SQL in a merge) stamps rows the same way.
WRITER_SETTING = "newsgraph.api_key_id"
_CURRENT_WRITER = text(f"nullif(current_setting('{WRITER_SETTING}', true), '')::bigint")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Root of the newsgraph models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CreatedUpdated:
    """Audit timestamps, set by the database so every writer agrees on the clock."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class WrittenBy:
    """Which API key created a row and which one last changed it (NULL: a local tool).

    The database fills both from `WRITER_SETTING`: inserts through the column default,
    updates through the `stamp_update` trigger (migration 0003), which also moves
    `updated_at`, so an UPDATE written in plain SQL is audited like an ORM one.
    """

    created_by_key_id: Mapped[int | None] = mapped_column(
        BigInteger,
        ForeignKey("api_key.id", ondelete="SET NULL"),
        index=True,
        server_default=_CURRENT_WRITER,
    )
    updated_by_key_id: Mapped[int | None] = mapped_column(
        BigInteger,
        ForeignKey("api_key.id", ondelete="SET NULL"),
        index=True,
        server_default=_CURRENT_WRITER,
    )


def enum_column_type(enum: type[StrEnum], name: str) -> Enum:
    """A text column restricted by a CHECK to the enum's values (no PostgreSQL ENUM type).

    CHECK constraints can be changed in a migration without the ALTER TYPE dance, and
    the stored values are the lower-case strings of the document format.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
