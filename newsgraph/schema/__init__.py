"""The GraphQL schema: types, inputs, connections, and their assembly."""

from __future__ import annotations

import strawberry

from newsgraph.schema.errors import ErrorCodes
from newsgraph.schema.query import Query

__all__ = ["schema"]

schema = strawberry.Schema(query=Query, extensions=[ErrorCodes])
