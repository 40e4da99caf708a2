"""Global IDs back to objects: `node(id)` and `nodes(ids)` for every type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry import relay

from newsgraph.db import models
from newsgraph.db.base import Base
from newsgraph.ids import decode_id
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import load_rows
from newsgraph.schema.actors import Actor
from newsgraph.schema.articles import Article
from newsgraph.schema.claims import Claim
from newsgraph.schema.events import Event
from newsgraph.schema.sources import Source

__all__ = ["NODE_TYPES", "load_nodes"]

NODE_TYPES: dict[str, tuple[type[Base], Callable[[Any], relay.Node]]] = {
    "Actor": (models.Actor, Actor.from_row),
    "Article": (models.Article, Article.from_row),
    "Claim": (models.Claim, Claim.from_row),
    "Event": (models.Event, Event.from_row),
    "Source": (models.Source, Source.from_row),
}


async def load_nodes(
    context: RequestContext, ids: list[str], *expected: str, argument: str = "id"
) -> list[relay.Node | None]:
    """The objects behind these global IDs, in order (None for rows that do not exist)."""
    decoded = [decode_id(value, *(expected or NODE_TYPES), argument=argument) for value in ids]
    by_type: dict[str, list[int]] = {}
    for type_name, row_id in decoded:
        by_type.setdefault(type_name, []).append(row_id)
    found: dict[tuple[str, int], relay.Node] = {}
    for type_name, row_ids in by_type.items():
        model, wrap = NODE_TYPES[type_name]
        for row_id, row in zip(row_ids, await load_rows(context, model, row_ids), strict=True):
            if row is not None:
                found[type_name, row_id] = wrap(row)
    return [found.get(key) for key in decoded]
