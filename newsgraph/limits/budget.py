"""What an operation may cost: its node estimate within `max_nodes`, then the caller's
rate budget charged.

Both the schema extension that runs before execution (`schema.budget`) and the short
path for known operations (`http.shortcut`) apply these, so a request is held to the
same limits whichever way it is answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema

from newsgraph.errors import QueryTooComplexError, RateLimitedError
from newsgraph.limits.cost import Estimate, estimate
from newsgraph.limits.rate import RateLimiter

__all__ = ["charge", "sized"]


def sized(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    max_nodes: int,
) -> Estimate:
    """The operation's estimate; raises `PageSizeError` for a page size out of range and
    `QueryTooComplexError` above `max_nodes`."""
    found = estimate(schema, document, operation_name, variables)
    if found.nodes > max_nodes:
        raise QueryTooComplexError(
            f"the query may return up to {found.nodes:,} nodes; the limit is "
            f"{max_nodes:,} (NEWSGRAPH_MAX_NODES): ask for smaller pages",
            limit=max_nodes,
            actual=found.nodes,
        )
    return found


def charge(limiter: RateLimiter | None, client: str, found: Estimate) -> None:
    """Spend the operation's cost from `client`'s budget; raises `RateLimitedError`."""
    if limiter is None:
        return
    wait = limiter.spend(client, found.cost)
    if wait is None:
        return
    retry_after = RateLimiter.retry_after(wait)
    raise RateLimitedError(
        f"rate limit exceeded: this query costs {found.cost} points and the budget is "
        f"{limiter.per_minute} points per minute; retry in {retry_after} s",
        retry_after=retry_after,
        cost=found.cost,
    )
