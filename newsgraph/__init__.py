"""newsgraph: news articles as a graph of sources, articles, events, actors and claims.

Importing the package starts nothing, reads no environment and loads none of its parts:
each name below is imported on first use, so `newsgraph` commands that need only a few
modules start fast.

    import newsgraph
    app = newsgraph.create_app()                      # an ASGI app: /graphql, /healthz, /readyz
    schema = newsgraph.make_schema(newsgraph.Settings())
    result = await schema.execute(query, context_value=newsgraph.build_context(session))

`newsgraph.schema` (the module) also works as the schema built from default settings:
`await newsgraph.schema.execute(...)`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsgraph import schema
    from newsgraph.resolvers.context import RequestContext, build_context
    from newsgraph.schema import make_schema
    from newsgraph.server import create_app
    from newsgraph.settings import Settings

__all__ = ["RequestContext", "Settings", "build_context", "create_app", "make_schema", "schema"]

_HOMES = {
    "RequestContext": "newsgraph.resolvers.context",
    "build_context": "newsgraph.resolvers.context",
    "make_schema": "newsgraph.schema",
    "create_app": "newsgraph.server",
    "Settings": "newsgraph.settings",
}


def __getattr__(name: str) -> Any:
    if name == "schema":
        return importlib.import_module("newsgraph.schema")
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'newsgraph' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
