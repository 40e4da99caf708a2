"""Actors: `createActor`, `updateActor`, `mergeActors`."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.edit.actors import create_actor, merge_actors, update_actor
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.actors import Actor
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ActorKind
from newsgraph.schema.mutations.payloads import UserError, attempt, given, row_id

__all__ = ["ActorMutations"]

_FIELDS = ("key", "name", "kind", "aliases", "title", "country", "wikidata_id")


@strawberry.input(description="A new actor.")
class CreateActorInput:
    name: str = strawberry.field(description="The name it is best known by.")
    kind: ActorKind = strawberry.field(description="What it is.")
    title: str | None = strawberry.field(default=None, description="A person's title or role.")
    country: str | None = strawberry.field(default=None, description="ISO 3166 alpha-2 code.")
    aliases: list[str] = strawberry.field(default_factory=list, description="Other names.")
    wikidata_id: str | None = strawberry.field(default=None, description="e.g. Q22686.")
    key: str | None = strawberry.field(
        default=None, description="A stable identifier that documents can match it by."
    )
    affiliation_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The actor it belongs to."
    )


@strawberry.input(description="Changes to an actor: only the fields given change.")
class UpdateActorInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    kind: ActorKind | None = strawberry.field(default=strawberry.UNSET, description="New kind.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    country: str | None = strawberry.field(default=strawberry.UNSET, description="New country.")
    aliases: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The aliases, replacing the old ones."
    )
    wikidata_id: str | None = strawberry.field(default=strawberry.UNSET, description="New item.")
    key: str | None = strawberry.field(default=strawberry.UNSET, description="New key.")
    affiliation_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="New affiliation; null removes it."
    )


@strawberry.type(description="The result of an actor mutation.")
class ActorPayload:
    actor: Actor | None = strawberry.field(description="The actor, as stored.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="The result of `mergeActors`.")
class MergeActorsPayload:
    actor: Actor | None = strawberry.field(description="The survivor, with what it gained.")
    merged_id: relay.GlobalID | None = strawberry.field(
        description="The merged actor's ID; `node` resolves it to the survivor from now on."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


async def _actor(info: Info, actor_id: int | None) -> Actor | None:
    row = await load_row(info.context, models.Actor, actor_id) if actor_id else None
    return Actor.from_row(row) if row else None


def _affiliation(input: CreateActorInput | UpdateActorInput) -> dict[str, int | None]:
    value = input.affiliation_id
    if value is strawberry.UNSET:
        return {}
    return {
        "affiliation_id": None
        if value is None
        else row_id(value, "Actor", "input", "affiliationId")
    }


@strawberry.type
class ActorMutations:
    @strawberry.mutation(description="Create an actor.")
    async def create_actor(self, info: Info, input: CreateActorInput) -> ActorPayload:
        async def work(session: Any) -> int:
            return (await create_actor(session, given(input, *_FIELDS), **_affiliation(input))).id

        actor_id, errors = await attempt(info, work)
        return ActorPayload(actor=await _actor(info, actor_id), user_errors=errors)

    @strawberry.mutation(description="Change an actor; only the fields given change.")
    async def update_actor(
        self, info: Info, id: relay.GlobalID, input: UpdateActorInput
    ) -> ActorPayload:
        async def work(session: Any) -> int:
            actor_id = row_id(id, "Actor", "id")
            changes = given(input, *_FIELDS)
            return (await update_actor(session, actor_id, changes, **_affiliation(input))).id

        actor_id, errors = await attempt(info, work)
        return ActorPayload(actor=await _actor(info, actor_id), user_errors=errors)

    @strawberry.mutation(
        description="Merge actor `from` into actor `into`: its claims (made and about), "
        "participations, mentions and affiliates move over, its names become aliases, "
        "and its ID resolves to `into` from then on."
    )
    async def merge_actors(
        self,
        info: Info,
        into: relay.GlobalID,
        from_: Annotated[relay.GlobalID, strawberry.argument(name="from")],
    ) -> MergeActorsPayload:
        async def work(session: Any) -> int:
            survivor = row_id(into, "Actor", "into")
            return (await merge_actors(session, survivor, row_id(from_, "Actor", "from"))).id

        actor_id, errors = await attempt(info, work)
        return MergeActorsPayload(
            actor=await _actor(info, actor_id),
            merged_id=from_ if actor_id else None,
            user_errors=errors,
        )
