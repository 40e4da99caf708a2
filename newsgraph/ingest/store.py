"""Writing a validated document into the graph, idempotently.

`store_document` runs inside the caller's transaction and never commits: the caller
decides that one document is one transaction. Storing the same document twice finds
the article by its content hash and writes nothing. New content at a known URL updates
the article and replaces what was derived from it (claims, mentions, reports), while
actors and events, which other articles may share, are matched and kept:

- actors by `key`, else by normalised name or alias (within the same kind);
- events by `key`, else by normalised title and date.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.base import Base
from newsgraph.db.enums import EventStatus
from newsgraph.db.locks import hold_actors
from newsgraph.db.models import (
    Actor,
    Article,
    ArticleActor,
    ArticleEvent,
    Claim,
    ClaimAbout,
    Event,
    EventLink,
    EventParticipant,
    Source,
)
from newsgraph.errors import InputError
from newsgraph.ingest.document import ActorDoc, Document, EventDoc
from newsgraph.ingest.names import normalize_name

__all__ = [
    "UNKNOWN_SOURCE",
    "StoreOutcome",
    "StoreResult",
    "actor_values",
    "event_values",
    "store_document",
]

UNKNOWN_SOURCE = "Unknown source"
_STATUS_RANK = {
    EventStatus.UNKNOWN: 0,
    EventStatus.SCHEDULED: 1,
    EventStatus.OCCURRED: 2,
    EventStatus.CANCELLED: 2,
}


def _table(model: type[Base]) -> Table:
    """A model's table, for Core inserts: executemany without the ORM's per-row work."""
    return cast(Table, model.__table__)


class StoreOutcome(StrEnum):
    """What storing a document did to its article."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class StoreResult:
    """The article a document landed in, and how many entities it created or updated."""

    article_id: int
    outcome: StoreOutcome
    counts: Counter[str] = field(default_factory=Counter)


def content_hash(doc: Document) -> str:
    """A digest of everything a document says (not its URL, nor scoring hints)."""
    hints = {"__all__": {"optional"}}
    payload = doc.model_dump(
        mode="json", exclude={"url": True, "actors": hints, "events": hints, "claims": hints}
    )
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def store_document(session: AsyncSession, doc: Document) -> StoreResult:
    """Write `doc` into the graph in the caller's transaction; see the module docstring."""
    digest = content_hash(doc)
    await _wait_for_writers_of_the_same_article(session, doc.url or digest)
    existing = await _find_article(session, doc.url, digest)
    if existing is not None and existing.content_hash == digest:
        return StoreResult(existing.id, StoreOutcome.UNCHANGED)

    counts: Counter[str] = Counter()
    source_id = await _source_id(session, doc, counts)
    actor_ids = await _resolve_actors(session, doc.actors, counts)
    event_ids = await _resolve_events(session, doc.events, counts)
    await _link_events(session, doc.events, actor_ids, event_ids)

    body = doc.body or ""
    disclaimer = doc.source.disclaimer
    published = doc.published
    values: dict[str, Any] = {
        "source_id": source_id,
        "url": doc.url,
        "title": doc.derived_title,
        "body": body,
        "sections": _sections(doc, body),
        "published_at": published[0] if published else None,
        "published_precision": published[1] if published else None,
        "language": doc.language,
        "dateline": doc.dateline,
        "content_hash": digest,
        "disclaimer_heading": disclaimer.heading if disclaimer else None,
        "disclaimer_text": disclaimer.text if disclaimer else None,
    }
    if existing is None:
        article_id = (
            await session.execute(insert(Article).values(values).returning(Article.id))
        ).scalar_one()
        outcome = StoreOutcome.CREATED
    else:
        article_id = existing.id
        for table in (Claim, ArticleActor, ArticleEvent):
            await session.execute(delete(table).where(table.article_id == article_id))
        await session.execute(update(Article).where(Article.id == article_id).values(values))
        outcome = StoreOutcome.UPDATED

    await _store_claims(session, doc, body, article_id, actor_ids, event_ids)
    await _store_mentions(session, doc, body, article_id, actor_ids)
    if event_ids:
        rows = [
            {"article_id": article_id, "event_id": i} for i in dict.fromkeys(event_ids.values())
        ]
        await session.execute(insert(_table(ArticleEvent)).on_conflict_do_nothing(), rows)
    return StoreResult(article_id, outcome, counts)


async def _wait_for_writers_of_the_same_article(session: AsyncSession, identity: str) -> None:
    """Queue behind any transaction storing the same article (same URL, else same content).

    Without it, concurrent stores of one article all do the whole work, all but one fail
    on the unique index, and each then runs again to find the article stored. With it,
    the later ones wait, then find the article and change nothing.
    """
    key = int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big", signed=True)
    await session.execute(select(func.pg_advisory_xact_lock(key)))


@dataclass(frozen=True)
class _ArticleRow:
    id: int
    content_hash: str


async def _find_article(session: AsyncSession, url: str | None, digest: str) -> _ArticleRow | None:
    """The article with this content, else the one at this URL (to be updated), else None."""
    condition = Article.content_hash == digest
    if url is not None:
        condition = or_(condition, Article.url == url)
    rows = (await session.execute(select(Article.id, Article.content_hash).where(condition))).all()
    found = [_ArticleRow(row.id, row.content_hash) for row in rows]
    same = [row for row in found if row.content_hash == digest]
    candidates = same or found
    return candidates[0] if candidates else None


async def _source_id(session: AsyncSession, doc: Document, counts: Counter[str]) -> int:
    source = doc.source
    disclaimer = source.disclaimer
    name = source.name or source.domain or UNKNOWN_SOURCE
    if source.domain is not None:
        statement = insert(Source).values(name=name, domain=source.domain, url=source.url)
        statement = statement.on_conflict_do_nothing(index_elements=["domain"])
        match = Source.domain == source.domain
    else:
        statement = insert(Source).values(name=name, url=source.url)
        statement = statement.on_conflict_do_nothing(
            index_elements=["name"], index_where=Source.domain.is_(None)
        )
        match = (Source.name == name) & Source.domain.is_(None)
    find = select(Source.id, Source.disclaimer_text).where(match)
    row = (await session.execute(find)).one_or_none()
    created = None
    if row is None:  # new, unless a concurrent writer inserts it first: then read theirs
        created = (await session.execute(statement.returning(Source.id))).scalar_one_or_none()
        counts["sources_created"] += created is not None
        row = (await session.execute(find)).one()
    if disclaimer is not None and row.disclaimer_text is None:
        await session.execute(
            update(Source)
            .where(Source.id == row.id)
            .values(disclaimer_heading=disclaimer.heading, disclaimer_text=disclaimer.text)
        )
        if created is None:
            counts["sources_updated"] += 1
    return int(row.id)


async def _resolve_actors(
    session: AsyncSession, actors: list[ActorDoc], counts: Counter[str]
) -> dict[str, int]:
    """Match or create every actor; map each normalised name and alias to an actor id."""
    if not actors:
        return {}
    keys = [a.key for a in actors if a.key]
    names = sorted({n for a in actors for n in a.names})
    rows = (
        (
            await session.execute(
                select(Actor).where(or_(Actor.key.in_(keys), Actor.match_names.overlap(names)))
            )
        )
        .scalars()
        .all()
    )
    matched: dict[int, Actor] = {}
    missing: list[int] = []
    created: set[int] = set()
    for index, doc_actor in enumerate(actors):
        best = _best_actor_match(doc_actor, rows)
        if best is None:
            missing.append(index)
        else:
            matched[index] = best
    if missing:
        new_rows = [actor_values(actors[i]) for i in missing]
        unique_rows = list({(r["name_normalized"], r["kind"]): r for r in new_rows}.values())
        inserted = await session.execute(
            insert(_table(Actor)).on_conflict_do_nothing().returning(Actor.id), unique_rows
        )
        created = set(inserted.scalars().all())
        counts["actors_created"] += len(created)
        again = (
            (
                await session.execute(
                    select(Actor).where(
                        or_(
                            Actor.key.in_([actors[i].key for i in missing if actors[i].key]),
                            Actor.match_names.overlap([actors[i].names[0] for i in missing]),
                        )
                    )
                )
            )
            .scalars()
            .all()
        )
        for index in missing:
            best = _best_actor_match(actors[index], again)
            if best is None:
                raise InputError(
                    f"actors[{index}]: {actors[index].name!r} ({actors[index].kind}) exists "
                    "already under another key; give it that key or a distinguishing name"
                )
            matched[index] = best

    ids: dict[str, int] = {}
    for index, doc_actor in enumerate(actors):
        row = matched[index]
        for name in doc_actor.names:
            ids.setdefault(name, row.id)
    await hold_actors(session, (row.id for row in matched.values()))
    updated: set[int] = set()
    # In id order, as every writer locks actors (see db.locks).
    for index, doc_actor in sorted(enumerate(actors), key=lambda item: matched[item[0]].id):
        row = matched[index]
        changes = _actor_changes(row, doc_actor, ids)
        if changes:
            await session.execute(update(Actor).where(Actor.id == row.id).values(changes))
            for name, value in changes.items():
                setattr(row, name, value)
            updated.add(row.id)
    counts["actors_updated"] += len(updated - created)
    return ids


def _best_actor_match(doc_actor: ActorDoc, rows: Any) -> Actor | None:
    """Key first; then the same kind by exact name, by the doc name as an alias, by an alias."""
    if doc_actor.key:
        for row in rows:
            if row.key == doc_actor.key:
                return row  # type: ignore[no-any-return]
    name = doc_actor.names[0]
    aliases = set(doc_actor.names[1:])
    candidates = [
        row for row in rows if row.kind == doc_actor.kind and _keys_agree(row.key, doc_actor.key)
    ]
    for rank in (
        lambda r: r.name_normalized == name,
        lambda r: name in r.match_names,
        lambda r: r.name_normalized in aliases,
    ):
        hits = sorted((r for r in candidates if rank(r)), key=lambda r: r.id)
        if hits:
            return hits[0]  # type: ignore[no-any-return]
    return None


def _keys_agree(stored: str | None, given: str | None) -> bool:
    """Two keys name the same entity unless both are set and differ."""
    return stored is None or given is None or stored == given


def actor_values(doc_actor: ActorDoc) -> dict[str, Any]:
    """The columns of a new actor row (the hand edits in `newsgraph.edit` use them too)."""
    return {
        "key": doc_actor.key,
        "name": doc_actor.name,
        "name_normalized": doc_actor.names[0],
        "kind": doc_actor.kind,
        "title": doc_actor.title,
        "country": doc_actor.country,
        "aliases": list(dict.fromkeys(doc_actor.aliases)),
        "match_names": doc_actor.names,
        "wikidata_id": doc_actor.wikidata_id,
    }


def _actor_changes(row: Actor, doc_actor: ActorDoc, ids: dict[str, int]) -> dict[str, Any]:
    """What the document adds to a known actor: new aliases, and values it lacked."""
    changes: dict[str, Any] = {}
    known = set(row.match_names)
    new_aliases = [
        alias
        for alias in [doc_actor.name, *doc_actor.aliases]
        if normalize_name(alias) not in known
    ]
    if new_aliases:
        changes["aliases"] = list(dict.fromkeys([*row.aliases, *new_aliases]))
        changes["match_names"] = list(
            dict.fromkeys([*row.match_names, *(normalize_name(a) for a in new_aliases)])
        )
    for attribute in ("key", "title", "country", "wikidata_id"):
        value = getattr(doc_actor, attribute)
        if value is not None and getattr(row, attribute) is None:
            changes[attribute] = value
    if doc_actor.affiliation is not None and row.affiliation_id is None:
        affiliation = ids[normalize_name(doc_actor.affiliation)]
        if affiliation != row.id:
            changes["affiliation_id"] = affiliation
    return changes


async def _resolve_events(
    session: AsyncSession, events: list[EventDoc], counts: Counter[str]
) -> dict[str, int]:
    """Match or create every event; map each normalised title to an event id."""
    if not events:
        return {}
    titles = sorted({normalize_name(e.title) for e in events})
    keys = [e.key for e in events if e.key]

    async def load() -> list[Event]:
        statement = select(Event).where(
            or_(Event.key.in_(keys), Event.title_normalized.in_(titles))
        )
        return list((await session.execute(statement)).scalars().all())

    rows = await load()
    missing = [e for e in events if _best_event_match(e, rows) is None]
    if missing:
        values = {_event_identity(e): event_values(e) for e in missing}
        inserted = await session.execute(
            insert(_table(Event)).on_conflict_do_nothing().returning(Event.id),
            list(values.values()),
        )
        counts["events_created"] += len(inserted.all())
        rows = await load()

    ids: dict[str, int] = {}
    updated: set[int] = set()
    for doc_event in events:
        row = _best_event_match(doc_event, rows)
        if row is None:
            raise InputError(
                f"events: {doc_event.title!r} on {doc_event.date} exists already under "
                "another key; give it that key or a distinguishing title"
            )
        ids.setdefault(normalize_name(doc_event.title), row.id)
        changes = _event_changes(row, doc_event)
        if changes:
            await session.execute(update(Event).where(Event.id == row.id).values(changes))
            for name, value in changes.items():
                setattr(row, name, value)
            updated.add(row.id)
    counts["events_updated"] += len(updated)
    return ids


def _event_identity(doc_event: EventDoc) -> tuple[str | None, str, str | None]:
    date = str(doc_event.date) if doc_event.date else None
    return (doc_event.key, normalize_name(doc_event.title), date)


def _best_event_match(doc_event: EventDoc, rows: list[Event]) -> Event | None:
    if doc_event.key:
        for row in rows:
            if row.key == doc_event.key:
                return row
    title = normalize_name(doc_event.title)
    date = doc_event.date.value if doc_event.date else None
    hits = [
        row
        for row in rows
        if row.title_normalized == title
        and row.date == date
        and _keys_agree(row.key, doc_event.key)
    ]
    return min(hits, key=lambda r: r.id) if hits else None


def event_values(doc_event: EventDoc) -> dict[str, Any]:
    """The columns of a new event row (the hand edits in `newsgraph.edit` use them too)."""
    return {
        "key": doc_event.key,
        "title": doc_event.title,
        "title_normalized": normalize_name(doc_event.title),
        "kind": doc_event.kind,
        "status": doc_event.status,
        "location": doc_event.location,
        "date": doc_event.date.value if doc_event.date else None,
        "date_precision": doc_event.date.precision if doc_event.date else None,
        "date_text": doc_event.date_text,
    }


def _event_changes(row: Event, doc_event: EventDoc) -> dict[str, Any]:
    """What the document adds to a known event: missing values, a status further along."""
    changes: dict[str, Any] = {}
    for attribute in ("key", "location", "date_text"):
        value = getattr(doc_event, attribute)
        if value is not None and getattr(row, attribute) is None:
            changes[attribute] = value
    if _STATUS_RANK[doc_event.status] > _STATUS_RANK[row.status]:
        changes["status"] = doc_event.status
    return changes


async def _link_events(
    session: AsyncSession,
    events: list[EventDoc],
    actor_ids: dict[str, int],
    event_ids: dict[str, int],
) -> None:
    participants: dict[tuple[int, int], str | None] = {}
    links: set[tuple[int, int]] = set()
    for doc_event in events:
        event_id = event_ids[normalize_name(doc_event.title)]
        for participant in doc_event.participants:
            pair = (event_id, actor_ids[normalize_name(participant.actor)])
            if participants.get(pair) is None:
                participants[pair] = participant.role
        for cause in doc_event.caused_by:
            cause_id = event_ids[normalize_name(cause)]
            if cause_id != event_id:
                links.add((cause_id, event_id))
    if participants:
        statement = insert(_table(EventParticipant))
        statement = statement.on_conflict_do_update(
            index_elements=["event_id", "actor_id"],
            set_={"role": statement.excluded.role},
            where=EventParticipant.role.is_(None) & statement.excluded.role.is_not(None),
        )
        rows = [{"event_id": e, "actor_id": a, "role": r} for (e, a), r in participants.items()]
        await session.execute(statement, rows)
    if links:
        rows = [{"from_event_id": f, "to_event_id": t, "kind": "causes"} for f, t in sorted(links)]
        await session.execute(insert(_table(EventLink)).on_conflict_do_nothing(), rows)


async def _store_claims(
    session: AsyncSession,
    doc: Document,
    body: str,
    article_id: int,
    actor_ids: dict[str, int],
    event_ids: dict[str, int],
) -> None:
    if not doc.claims:
        return
    rows = []
    for claim in doc.claims:
        start = body.find(claim.text) if body else -1
        rows.append(
            {
                "article_id": article_id,
                "text": claim.text,
                "kind": claim.kind,
                "claimant_id": actor_ids[normalize_name(claim.claimant)]
                if claim.claimant
                else None,
                "event_id": event_ids[normalize_name(claim.event)] if claim.event else None,
                "span_start": start if start >= 0 else None,
                "span_end": start + len(claim.text) if start >= 0 else None,
            }
        )
    result = await session.execute(
        insert(_table(Claim)).returning(Claim.id, sort_by_parameter_order=True), rows
    )
    claim_ids = result.scalars().all()
    about = {
        (claim_id, actor_ids[normalize_name(name)])
        for claim_id, claim in zip(claim_ids, doc.claims, strict=True)
        for name in claim.about
    }
    if about:
        await session.execute(
            insert(_table(ClaimAbout)), [{"claim_id": c, "actor_id": a} for c, a in sorted(about)]
        )


async def _store_mentions(
    session: AsyncSession, doc: Document, body: str, article_id: int, actor_ids: dict[str, int]
) -> None:
    mentions: Counter[int] = Counter()
    for doc_actor in doc.actors:
        actor_id = actor_ids[doc_actor.names[0]]
        mentions[actor_id] += _count_mentions(body, [doc_actor.name, *doc_actor.aliases])
    if mentions:
        rows = [
            {"article_id": article_id, "actor_id": actor_id, "mention_count": max(count, 1)}
            for actor_id, count in mentions.items()
        ]
        await session.execute(insert(_table(ArticleActor)), rows)


def _count_mentions(body: str, names: list[str]) -> int:
    if not body:
        return 0
    return len(_mention_pattern(tuple(sorted(set(names), key=len, reverse=True))).findall(body))


@functools.lru_cache(maxsize=4096)
def _mention_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """The whole-word pattern of an actor's names (actors recur across documents)."""
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _sections(doc: Document, body: str) -> list[dict[str, Any]]:
    """Ordered sections; texts missing from the document are cut from the body by heading."""
    sections = [{"heading": s.heading, "text": s.text} for s in doc.sections]
    if body and sections and not any(s["text"] for s in sections):
        lines = body.splitlines()
        positions = []
        for section in sections:
            heading = section["heading"]
            index = next(
                (i for i, line in enumerate(lines) if heading and line.strip().endswith(heading)),
                None,
            )
            positions.append(index)
        bounds = [p for p in positions if p is not None] + [len(lines)]
        for section, position in zip(sections, positions, strict=True):
            if position is not None:
                end = min(b for b in bounds if b > position)
                section["text"] = "\n".join(lines[position + 1 : end]).strip()
    return [{"position": i, **s} for i, s in enumerate(sections)]
