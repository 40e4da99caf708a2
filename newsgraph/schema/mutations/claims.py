"""Claims: `createClaim`, `updateClaim`, `deleteClaim`."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from newsgraph.db import models
from newsgraph.edit import claims as edit
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.claims import Claim
from newsgraph.schema.info import Info
from newsgraph.schema.inputs import ClaimKind
from newsgraph.schema.mutations.payloads import UserError, attempt, given, row_id

__all__ = ["ClaimMutations"]


@strawberry.input(description="Where a claim's text sits in its article's body.")
class TextSpanInput:
    start: int = strawberry.field(description="First character (0-based).")
    end: int = strawberry.field(description="One past the last character.")


@strawberry.input(description="A new claim in an article.")
class CreateClaimInput:
    article_id: relay.GlobalID = strawberry.field(description="The article it appears in.")
    text: str = strawberry.field(description="The sentence or quote.")
    kind: ClaimKind = strawberry.field(description="What kind of assertion it is.")
    claimant_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Who made it; null: the publisher."
    )
    about_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="The actors it is about."
    )
    event_id: relay.GlobalID | None = strawberry.field(default=None, description="Its event.")
    span: TextSpanInput | None = strawberry.field(
        default=None, description="Where it sits in the body; default: where the text occurs."
    )


@strawberry.input(description="Changes to a claim: only the fields given change.")
class UpdateClaimInput:
    text: str | None = strawberry.field(default=strawberry.UNSET, description="New text.")
    kind: ClaimKind | None = strawberry.field(default=strawberry.UNSET, description="New kind.")
    claimant_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="New claimant; null: the publisher."
    )
    about_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET, description="The actors it is about, replacing the old."
    )
    event_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="New event; null: none."
    )
    span: TextSpanInput | None = strawberry.field(
        default=strawberry.UNSET, description="New span; null: where the text occurs."
    )


@strawberry.type(description="The result of a claim mutation.")
class ClaimPayload:
    claim: Claim | None = strawberry.field(description="The claim, as stored.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="The result of `deleteClaim`.")
class DeleteClaimPayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="The deleted claim's ID.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


def _links(input: CreateClaimInput | UpdateClaimInput) -> dict[str, Any]:
    """The claimant, about, event and span the client set, as row ids and a range."""
    links: dict[str, Any] = {}
    for name, type_name in (("claimant_id", "Actor"), ("event_id", "Event")):
        value = getattr(input, name)
        if value is not strawberry.UNSET:
            field = to_camel_case(name)
            links[name] = None if value is None else row_id(value, type_name, "input", field)
    if input.about_ids is not strawberry.UNSET:
        links["about_ids"] = [
            row_id(value, "Actor", "input", "aboutIds", str(position))
            for position, value in enumerate(input.about_ids or [])
        ]
    if input.span is not strawberry.UNSET:
        links["span"] = (input.span.start, input.span.end) if input.span else None
    return links


async def _payload(info: Info, claim_id: int | None, errors: list[UserError]) -> ClaimPayload:
    row = await load_row(info.context, models.Claim, claim_id) if claim_id else None
    return ClaimPayload(claim=Claim.from_row(row) if row else None, user_errors=errors)


@strawberry.type
class ClaimMutations:
    @strawberry.mutation(description="Create a claim in an article.")
    async def create_claim(self, info: Info, input: CreateClaimInput) -> ClaimPayload:
        async def work(session: Any) -> int:
            article_id = row_id(input.article_id, "Article", "input", "articleId")
            values = given(input, "text", "kind")
            return (await edit.create_claim(session, article_id, values, **_links(input))).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Change a claim; only the fields given change.")
    async def update_claim(
        self, info: Info, id: relay.GlobalID, input: UpdateClaimInput
    ) -> ClaimPayload:
        async def work(session: Any) -> int:
            claim_id = row_id(id, "Claim", "id")
            values = given(input, "text", "kind")
            return (await edit.update_claim(session, claim_id, values, **_links(input))).id

        return await _payload(info, *await attempt(info, work))

    @strawberry.mutation(description="Delete a claim; the actors and event it names stay.")
    async def delete_claim(self, info: Info, id: relay.GlobalID) -> DeleteClaimPayload:
        async def work(session: Any) -> int:
            claim_id = row_id(id, "Claim", "id")
            await edit.delete_claim(session, claim_id)
            return claim_id

        claim_id, errors = await attempt(info, work)
        return DeleteClaimPayload(deleted_id=id if claim_id else None, user_errors=errors)
