"""The `info` every resolver receives, typed with newsgraph's request context."""

from __future__ import annotations

import strawberry

from newsgraph.resolvers.context import RequestContext

__all__ = ["Info"]

Info = strawberry.Info[RequestContext, None]
