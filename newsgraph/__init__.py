"""newsgraph: news articles as a graph of sources, articles, events, actors and claims.

Importing the package starts nothing and reads no environment: build `Settings` (or
let `create_app` read them) and pass them on.

    import newsgraph
    app = newsgraph.create_app()                      # an ASGI app: /graphql, /healthz, /readyz
    result = await newsgraph.schema.execute(query, context_value=newsgraph.build_context(session))
"""

from newsgraph.resolvers.context import RequestContext, build_context
from newsgraph.schema import schema
from newsgraph.server import create_app
from newsgraph.settings import Settings

__all__ = ["RequestContext", "Settings", "build_context", "create_app", "schema"]
