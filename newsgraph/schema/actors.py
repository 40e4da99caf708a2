"""`Actor`: a person, organisation, government or country, and what they say and do."""

from __future__ import annotations

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.resolvers.declarations import Paged
from newsgraph.resolvers.entities import ACTOR
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ActorKind, ClaimFilter
from newsgraph.schema.relay import relation_field

__all__ = ["Actor"]


@strawberry.type(description="A person, organisation, government or country.")
class Actor(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The name it is best known by.")
    kind: ActorKind = strawberry.field(description="What it is.")
    title: str | None = strawberry.field(description="A person's title or role.")
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 country code.")
    aliases: list[str] = strawberry.field(description="Other names articles use for it.")
    wikidata_id: str | None = strawberry.field(description="Its Wikidata item, e.g. Q22686.")
    row: strawberry.Private[models.Actor]

    @strawberry.field(description="What it belongs to (a minister's government, say).")
    async def affiliation(self, info: Info) -> Actor | None:
        if self.row.affiliation_id is None:
            return None
        row = await load_row(info.context, models.Actor, self.row.affiliation_id)
        return Actor.from_row(row) if row else None

    claims = relation_field(
        ACTOR.declared("claims", Paged),
        "Claim",
        "newsgraph.schema.claims",
        description="The claims it made, by id.",
        filter=ClaimFilter,
    )
    claims_about = relation_field(
        ACTOR.declared("claimsAbout", Paged),
        "Claim",
        "newsgraph.schema.claims",
        description="The claims made about it, by id.",
    )
    events = relation_field(
        ACTOR.declared("events", Paged),
        "Participation",
        "newsgraph.schema.events",
        description="The events it takes part in, with its role, by event id.",
    )
    articles = relation_field(
        ACTOR.declared("articles", Paged),
        "Article",
        "newsgraph.schema.articles",
        description="The articles that mention it, by id.",
    )

    @classmethod
    def from_row(cls, row: models.Actor) -> Actor:
        """The GraphQL view of an actor row."""
        return cls(id=row.id, **ACTOR.columns(row), row=row)
