"""Global IDs: what the API hands out for a row (`Type:id`, base64) and reads back."""

from __future__ import annotations

from strawberry import relay

from newsgraph.errors import InputError

__all__ = ["BIGINT", "decode_id"]

# Row ids are PostgreSQL bigints; anything outside never names a row.
BIGINT = range(-(2**63), 2**63)


def decode_id(value: str, *expected: str, argument: str = "id") -> tuple[str, int]:
    """The type name and row id inside a global ID, checked against the expected types
    (and against PostgreSQL's bigint range, so that no statement is sent for it)."""
    try:
        global_id = relay.GlobalID.from_id(value)
        row_id = int(global_id.node_id)
    except (ValueError, TypeError):
        row_id = None
    if row_id is None or row_id not in BIGINT:
        raise InputError(f"`{argument}`: {value!r} is not an ID this API handed out")
    if expected and global_id.type_name not in expected:
        raise InputError(
            f"`{argument}`: {value!r} is the ID of {_a(global_id.type_name)}, "
            f"expected {' or '.join(_a(name) for name in expected)}"
        )
    return global_id.type_name, row_id


def _a(type_name: str) -> str:
    return f"{'an' if type_name[:1] in 'AEIOU' else 'a'} {type_name}"
