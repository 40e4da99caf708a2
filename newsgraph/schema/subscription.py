"""The root `Subscription` type: new articles, new claims, changes to one event.

Each message is an edge, `{ cursor node }`: the node is read like any other (nested
relations through the same loaders), and the cursor names the change, for resuming
with `after:` (`newsgraph.live.streams`). Each message carries `extensions.disclaimers`
for what it reached (`schema.disclaimers`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from newsgraph.ids import decode_id
from newsgraph.live.streams import messages
from newsgraph.schema.articles import Article
from newsgraph.schema.claims import Claim
from newsgraph.schema.events import Event
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ArticleFilter, ClaimFilter

__all__ = ["ArticleAddedEdge", "ClaimAddedEdge", "EventChangedEdge", "Subscription"]

_AFTER = "Resume after this cursor of an earlier message: every change since, in order."


@strawberry.type(description="An article just stored, and the cursor to resume after it.")
class ArticleAddedEdge:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this one.")
    node: Article = strawberry.field(description="The new article.")


@strawberry.type(description="A claim just stored, and the cursor to resume after it.")
class ClaimAddedEdge:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this one.")
    node: Claim = strawberry.field(description="The new claim.")


@strawberry.type(description="An event as it is after a change, and the cursor of the change.")
class EventChangedEdge:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this one.")
    node: Event | None = strawberry.field(
        description="The event now; null when it was deleted (no message follows)."
    )


@strawberry.type(description="Live updates, over graphql-transport-ws or multipart HTTP.")
class Subscription:
    @strawberry.subscription(description="Each article stored from now on (or since `after`).")
    async def article_added(
        self,
        info: Info,
        filter: ArticleFilter | None = None,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
    ) -> AsyncGenerator[ArticleAddedEdge, None]:
        bound = filter.conditions() if filter else None
        async for message in messages(info.context, "article", bound=bound, after=after):
            yield ArticleAddedEdge(
                cursor=message.position.cursor, node=Article.from_row(message.row)
            )

    @strawberry.subscription(description="Each claim stored from now on (or since `after`).")
    async def claim_added(
        self,
        info: Info,
        filter: ClaimFilter | None = None,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
    ) -> AsyncGenerator[ClaimAddedEdge, None]:
        bound = filter.conditions() if filter else None
        async for message in messages(info.context, "claim", bound=bound, after=after):
            yield ClaimAddedEdge(cursor=message.position.cursor, node=Claim.from_row(message.row))

    @strawberry.subscription(
        description="The event after each change to it, its participants, links or reports."
    )
    async def event_changed(
        self,
        info: Info,
        id: strawberry.ID,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
    ) -> AsyncGenerator[EventChangedEdge, None]:
        _, event_id = decode_id(id, "Event")
        async for message in messages(info.context, "event", entity_id=event_id, after=after):
            node = Event.from_row(message.row) if message.row is not None else None
            yield EventChangedEdge(cursor=message.position.cursor, node=node)
            if node is None:
                return
