"""Sources: `createSource`, `updateSource` (its disclaimer included)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from newsgraph.db import models
from newsgraph.edit.sources import create_source, update_source
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.info import Info
from newsgraph.schema.mutations.payloads import UserError, attempt, given, row_id
from newsgraph.schema.sources import Source

__all__ = ["SourceMutations"]


@strawberry.input(description="A publisher's disclaimer: its heading and its text.")
class DisclaimerInput:
    heading: str | None = strawberry.field(default=None, description='e.g. "Risk Warning".')
    text: str = strawberry.field(description="The disclaimer, exactly as published.")


@strawberry.input(description="A new source.")
class CreateSourceInput:
    name: str = strawberry.field(description="The publisher's name.")
    domain: str | None = strawberry.field(default=None, description="Its web domain (unique).")
    url: str | None = strawberry.field(default=None, description="Its home page.")
    disclaimer: DisclaimerInput | None = strawberry.field(
        default=None, description="The disclaimer that travels with its articles' data."
    )


@strawberry.input(description="Changes to a source: only the fields given change.")
class UpdateSourceInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    domain: str | None = strawberry.field(default=strawberry.UNSET, description="New domain.")
    url: str | None = strawberry.field(default=strawberry.UNSET, description="New home page.")
    disclaimer: DisclaimerInput | None = strawberry.field(
        default=strawberry.UNSET, description="New disclaimer; null removes it."
    )


@strawberry.type(description="The result of a source mutation.")
class SourcePayload:
    source: Source | None = strawberry.field(description="The source, as stored.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


def _values(input: CreateSourceInput | UpdateSourceInput) -> dict[str, Any]:
    values = given(input, "name", "domain", "url", "disclaimer")
    if isinstance(values.get("disclaimer"), DisclaimerInput):
        values["disclaimer"] = vars(values["disclaimer"])
    return values


async def _payload(info: Info, source_id: int | None, errors: list[UserError]) -> SourcePayload:
    row = await load_row(info.context, models.Source, source_id) if source_id else None
    return SourcePayload(source=Source.from_row(row) if row else None, user_errors=errors)


@strawberry.type
class SourceMutations:
    @strawberry.mutation(description="Create a source (a publisher).")
    async def create_source(self, info: Info, input: CreateSourceInput) -> SourcePayload:
        async def work(session: Any) -> int:
            return (await create_source(session, _values(input))).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Change a source: name, domain, home page, disclaimer.")
    async def update_source(
        self, info: Info, id: relay.GlobalID, input: UpdateSourceInput
    ) -> SourcePayload:
        async def work(session: Any) -> int:
            source_id = row_id(id, "Source", "id")
            return (await update_source(session, source_id, _values(input))).id

        return await _payload(info, *await attempt(info, work))
