"""Actors: create, update, and merge duplicates into one.

A merge moves everything that points at the merged actor (claims it made and claims
about it, its participations, its mentions, actors affiliated with it) to the survivor,
adds its name and aliases to the survivor's aliases, and leaves a redirect so its global
ID keeps resolving, to the survivor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Actor, ActorRedirect
from newsgraph.edit.checks import locked_row, locked_rows, validated
from newsgraph.errors import EditError, Problem
from newsgraph.ingest.document import ActorDoc
from newsgraph.ingest.matching import actor_values
from newsgraph.ingest.names import normalize_name
from newsgraph.ingest.prepared import ActorSpec

__all__ = ["create_actor", "merge_actors", "update_actor"]

_EDITABLE = ("key", "name", "kind", "aliases", "title", "country", "wikidata_id")


async def _refuse_taken(session: AsyncSession, columns: dict[str, Any], own_id: int | None) -> None:
    same_name = select(Actor.id).where(
        Actor.name_normalized == columns["name_normalized"], Actor.kind == columns["kind"]
    )
    checks = [(same_name, "name", "an actor of this kind has this name: merge them instead")]
    if columns["key"] is not None:
        same_key = select(Actor.id).where(Actor.key == columns["key"])
        checks.append((same_key, "key", "another actor has this key"))
    for statement, field, message in checks:
        other = await session.scalar(statement.where(Actor.id != own_id) if own_id else statement)
        if other is not None:
            raise EditError(Problem(field=("input", field), message=message, code="CONFLICT"))


async def _check_affiliation(
    session: AsyncSession, affiliation_id: int | None, own_id: int | None
) -> None:
    if affiliation_id is None:
        return
    if affiliation_id == own_id:
        raise EditError(
            Problem(
                field=("input", "affiliationId"), message="an actor cannot be its own affiliation"
            )
        )
    if await session.get(Actor, affiliation_id) is None:
        raise EditError(
            Problem(
                field=("input", "affiliationId"), message="no actor has this ID", code="NOT_FOUND"
            )
        )


async def create_actor(
    session: AsyncSession, values: dict[str, Any], affiliation_id: int | None = None
) -> Actor:
    """A new actor from the document format's actor fields."""
    columns = actor_values(ActorSpec.of(validated(ActorDoc, values, ("input",))))
    await _refuse_taken(session, columns, None)
    await _check_affiliation(session, affiliation_id, None)
    row = Actor(**columns, affiliation_id=affiliation_id)
    session.add(row)
    await session.flush()
    return row


async def update_actor(
    session: AsyncSession, actor_id: int, changes: dict[str, Any], **affiliation: int | None
) -> Actor:
    """Apply `changes` (only the keys given); `affiliation_id=` sets or clears the link."""
    row = await locked_row(session, Actor, actor_id, ("id",))
    current = {name: getattr(row, name) for name in _EDITABLE}
    columns = actor_values(ActorSpec.of(validated(ActorDoc, {**current, **changes}, ("input",))))
    await _refuse_taken(session, columns, row.id)
    if "affiliation_id" in affiliation:
        await _check_affiliation(session, affiliation["affiliation_id"], row.id)
        row.affiliation_id = affiliation["affiliation_id"]
    for name, value in columns.items():
        setattr(row, name, value)
    await session.flush()
    return row


# Every reference to an actor, moved from :merged to :into. Link tables insert the
# survivor's row (skipping one it has already, adding up mention counts) and drop the old.
_MOVES = (
    "UPDATE claim SET claimant_id = :into WHERE claimant_id = :merged",
    """INSERT INTO claim_about (claim_id, actor_id)
       SELECT claim_id, :into FROM claim_about WHERE actor_id = :merged
       ON CONFLICT DO NOTHING""",
    "DELETE FROM claim_about WHERE actor_id = :merged",
    """INSERT INTO event_participant (event_id, actor_id, role)
       SELECT event_id, :into, role FROM event_participant WHERE actor_id = :merged
       ON CONFLICT (event_id, actor_id)
       DO UPDATE SET role = coalesce(event_participant.role, excluded.role)""",
    "DELETE FROM event_participant WHERE actor_id = :merged",
    """INSERT INTO article_actor (article_id, actor_id, mention_count)
       SELECT article_id, :into, mention_count FROM article_actor WHERE actor_id = :merged
       ON CONFLICT (article_id, actor_id)
       DO UPDATE SET mention_count = article_actor.mention_count + excluded.mention_count""",
    "DELETE FROM article_actor WHERE actor_id = :merged",
    "UPDATE actor SET affiliation_id = :into WHERE affiliation_id = :merged AND id <> :into",
    "UPDATE actor_redirect SET actor_id = :into WHERE actor_id = :merged",
)


async def merge_actors(session: AsyncSession, into_id: int, merged_id: int) -> Actor:
    """Fold actor `merged_id` into `into_id`; the survivor keeps its own name and kind."""
    if into_id == merged_id:
        raise EditError(Problem(field=("from",), message="an actor cannot be merged into itself"))
    redirect = await session.get(ActorRedirect, merged_id)
    if redirect is not None:
        raise EditError(
            Problem(
                field=("from",),
                message="this actor was merged already; its ID now resolves to the survivor",
                code="CONFLICT",
            )
        )
    into, merged = await locked_rows(session, Actor, {("into",): into_id, ("from",): merged_id})
    for statement in _MOVES:
        await session.execute(text(statement), {"into": into_id, "merged": merged_id})
    names = [merged.name, *merged.aliases]
    aliases = [a for a in dict.fromkeys([*into.aliases, *names]) if a != into.name]
    match_names = list(dict.fromkeys([*into.match_names, *(normalize_name(n) for n in names)]))
    key = into.key or merged.key
    affiliation_id = into.affiliation_id or merged.affiliation_id
    await session.execute(delete(Actor).where(Actor.id == merged_id))
    session.add(ActorRedirect(merged_id=merged_id, actor_id=into_id))
    await session.execute(
        update(Actor)
        .where(Actor.id == into_id)
        .values(
            aliases=aliases,
            match_names=match_names,
            key=key,
            title=into.title or merged.title,
            country=into.country or merged.country,
            wikidata_id=into.wikidata_id or merged.wikidata_id,
            affiliation_id=None if affiliation_id in (into_id, merged_id) else affiliation_id,
        )
    )
    await session.flush()
    return await locked_row(session, Actor, into_id, ("into",))
