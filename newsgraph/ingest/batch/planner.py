"""Deciding what storing a batch writes, one document after another, in memory.

Each document is decided as if it were stored alone after the ones before it: its
article is found by content, URL or input; its source, actors and events are matched
(`newsgraph.ingest.matching`) against the state, which holds what the documents before
it created and changed. A document whose actor or event clashes with a stored one
(same name, another key) is refused, its changes undone, and the others go on.

The plan is then what the database must end up with: new rows, stored rows whose
values changed, and for every article written its claims, mentions and reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsgraph.errors import InputError
from newsgraph.ingest.batch.state import TEMPORARY_IDS, ArticleRow, GraphState, SourceRow
from newsgraph.ingest.matching import (
    ActorRow,
    EventRow,
    actor_changes,
    actor_values,
    best_actor_match,
    best_event_match,
    event_changes,
    event_values,
)
from newsgraph.ingest.outcomes import Refusal, StoreOutcome, StoreResult
from newsgraph.ingest.prepared import (
    ActorSpec,
    ArticleSpec,
    ClaimSpec,
    EventSpec,
    PreparedDocument,
    SourceSpec,
)

__all__ = ["ArticlePlan", "ClaimPlan", "KnownInput", "NeedsPreparingError", "Plan", "plan_batch"]


@dataclass(frozen=True, slots=True)
class KnownInput:
    """A structured document whose input an article was stored from, not yet validated.

    If that article is still what the input made it, the document is unchanged and is
    never validated; otherwise it has to be prepared after all (`NeedsPreparingError`).
    """

    where: str
    input_hash: str
    document: bytes  # its JSON text


class NeedsPreparingError(Exception):
    """These entries of the batch (by index) turned out not to be stored: prepare them."""

    def __init__(self, indexes: list[int]) -> None:
        super().__init__(f"entries {indexes} are not stored as their input says")
        self.indexes = indexes


@dataclass(frozen=True, slots=True)
class ClaimPlan:
    """A claim to insert, with the ids its names resolved to."""

    spec: ClaimSpec
    claimant_id: int | None
    event_id: int | None
    about: tuple[int, ...]


@dataclass(slots=True)
class ArticlePlan:
    """An article to insert (new) or to update (stored before the batch), and what it holds."""

    id: int
    order: int  # the entry that wrote it last: its claims get ids in this order
    stored: bool
    source_id: int
    spec: ArticleSpec
    content_hash: str
    input_hash: str | None
    claims: list[ClaimPlan]
    mentions: dict[int, int]
    events: list[int]


@dataclass
class Plan:
    """What the batch writes, and what became of each entry."""

    state: GraphState
    results: list[StoreResult | Refusal] = field(default_factory=list)
    articles: dict[int, ArticlePlan] = field(default_factory=dict)
    participants: dict[tuple[int, int], str | None] = field(default_factory=dict)
    links: set[tuple[int, int]] = field(default_factory=set)
    referenced_actors: set[int] = field(default_factory=set)


def plan_batch(
    state: GraphState, entries: Sequence[PreparedDocument | KnownInput | Refusal]
) -> Plan:
    """Decide every entry in order (refusals stay as they are); see the module docstring."""
    planner = _Planner(state)
    unknown: list[int] = []
    for order, entry in enumerate(entries):
        if isinstance(entry, Refusal):
            planner.plan.results.append(entry)
            continue
        if isinstance(entry, KnownInput):
            row = state.article_with_input(entry.input_hash)
            if row is None or row.id in planner.plan.articles:
                unknown.append(order)
            else:
                planner.plan.results.append(StoreResult(row.id, StoreOutcome.UNCHANGED))
            continue
        mark = state.checkpoint()
        try:
            planner.plan.results.append(planner.document(entry, order))
        except InputError as error:
            state.rollback(mark)
            planner.plan.results.append(Refusal(entry.where, str(error)))
    if unknown:
        raise NeedsPreparingError(unknown)
    return planner.plan


class _Planner:
    def __init__(self, state: GraphState) -> None:
        self.state = state
        self.plan = Plan(state)

    def document(self, doc: PreparedDocument, order: int) -> StoreResult:
        existing = self.state.article_for(doc)
        if existing is not None and existing.content_hash == doc.content_hash:
            return StoreResult(existing.id, StoreOutcome.UNCHANGED)
        counts: Counter[str] = Counter()
        source_id = self._source(doc.source, counts)
        actor_ids = self._actors(doc.actors, counts)
        event_ids = self._events(doc.events, counts)
        # nothing below can refuse the document: it goes into the plan
        self.plan.referenced_actors.update(actor_ids.values())
        self._links(doc.events, actor_ids, event_ids)
        if existing is None:
            article = ArticleRow(
                self.state.new_id("article"), doc.article.url, doc.content_hash, doc.input_hash
            )
            self.state.create_article(article)
            outcome = StoreOutcome.CREATED
        else:
            article = existing
            self.state.change_article(
                article,
                url=doc.article.url,
                content_hash=doc.content_hash,
                input_hash=doc.input_hash,
            )
            outcome = StoreOutcome.UPDATED
        mentions: Counter[int] = Counter()
        for actor in doc.actors:
            mentions[actor_ids[actor.names[0]]] += actor.mentions
        self.plan.articles.pop(article.id, None)  # a later version replaces an earlier one
        self.plan.articles[article.id] = ArticlePlan(
            id=article.id,
            order=order,
            stored=article.id < TEMPORARY_IDS,
            source_id=source_id,
            spec=doc.article,
            content_hash=doc.content_hash,
            input_hash=doc.input_hash,
            claims=[
                ClaimPlan(
                    spec=claim,
                    claimant_id=actor_ids[claim.claimant] if claim.claimant else None,
                    event_id=event_ids[claim.event] if claim.event else None,
                    about=tuple(sorted({actor_ids[name] for name in claim.about})),
                )
                for claim in doc.claims
            ],
            mentions={actor: max(count, 1) for actor, count in mentions.items()},
            events=list(dict.fromkeys(event_ids.values())),
        )
        return StoreResult(article.id, outcome, counts)

    def _source(self, spec: SourceSpec, counts: Counter[str]) -> int:
        row = self.state.source(spec.domain, spec.name)
        created = row is None
        if row is None:
            row = SourceRow(
                self.state.new_id("source"), spec.name, spec.domain, spec.url, None, None
            )
            self.state.add_source(row)
            counts["sources_created"] += 1
        if spec.disclaimer_text is not None and row.disclaimer_text is None:
            self.state.set_source_disclaimer(row, spec.disclaimer_heading, spec.disclaimer_text)
            if not created:
                counts["sources_updated"] += 1
        return row.id

    def _actors(self, actors: Sequence[ActorSpec], counts: Counter[str]) -> dict[str, int]:
        """Match or create every actor; map each normalised name and alias to an actor id."""
        if not actors:
            return {}
        state = self.state
        matched: dict[int, ActorRow] = {}
        missing: list[int] = []
        for index, actor in enumerate(actors):
            best = best_actor_match(actor, state)
            if best is None:
                missing.append(index)
            else:
                matched[index] = best
        created: set[int] = set()
        if missing:
            # one new row per name and kind (the last spelling of it wins), none where a
            # unique constraint would refuse it: as an INSERT ... ON CONFLICT DO NOTHING
            unique = {(actors[i].names[0], actors[i].kind): actors[i] for i in missing}
            for actor in unique.values():
                values = actor_values(actor)
                if state.actor_taken(values["key"], values["name_normalized"], values["kind"]):
                    continue
                row = ActorRow(id=state.new_id("actor"), affiliation_id=None, **values)
                state.add_actor(row)
                created.add(row.id)
            counts["actors_created"] += len(created)
            for index in missing:
                best = best_actor_match(actors[index], state)
                if best is None:
                    raise InputError(
                        f"actors[{index}]: {actors[index].name!r} ({actors[index].kind}) exists "
                        "already under another key; give it that key or a distinguishing name"
                    )
                matched[index] = best

        ids: dict[str, int] = {}
        for index, actor in enumerate(actors):
            for name in actor.names:
                ids.setdefault(name, matched[index].id)
        updated: set[int] = set()
        # in id order, as every writer locks actors (see newsgraph.db.locks)
        for index, actor in sorted(enumerate(actors), key=lambda item: matched[item[0]].id):
            row = matched[index]
            changes = actor_changes(row, actor, ids)
            if not changes:
                continue
            _refuse_a_taken_key("actor", index, changes, state.actor_with_key)
            state.change_actor(row, changes)
            updated.add(row.id)
        counts["actors_updated"] += len(updated - created)
        return ids

    def _events(self, events: Sequence[EventSpec], counts: Counter[str]) -> dict[str, int]:
        """Match or create every event; map each normalised title to an event id."""
        if not events:
            return {}
        state = self.state
        missing = [e for e in events if best_event_match(e, state) is None]
        if missing:
            created = 0
            for event in {e.identity: e for e in missing}.values():
                if event.key is not None and state.event_with_key(event.key) is not None:
                    continue  # the key is unique: an INSERT would do nothing
                state.add_event(EventRow(id=state.new_id("event"), **event_values(event)))
                created += 1
            counts["events_created"] += created

        ids: dict[str, int] = {}
        updated: set[int] = set()
        for index, event in enumerate(events):
            row = best_event_match(event, state)
            if row is None:
                raise InputError(
                    f"events: {event.title!r} on {event.identity[2]} exists already under "
                    "another key; give it that key or a distinguishing title"
                )
            ids.setdefault(event.title_normalized, row.id)
            changes = event_changes(row, event)
            if not changes:
                continue
            _refuse_a_taken_key("event", index, changes, state.event_with_key)
            state.change_event(row, changes)
            updated.add(row.id)
        counts["events_updated"] += len(updated)
        return ids

    def _links(
        self, events: Sequence[EventSpec], actor_ids: dict[str, int], event_ids: dict[str, int]
    ) -> None:
        """Participants (the first role given wins) and causal links of the document."""
        participants: dict[tuple[int, int], str | None] = {}
        for event in events:
            event_id = event_ids[event.title_normalized]
            for actor, role in event.participants:
                pair = (event_id, actor_ids[actor])
                if participants.get(pair) is None:
                    participants[pair] = role
            for cause in event.caused_by:
                cause_id = event_ids[cause]
                if cause_id != event_id:
                    self.plan.links.add((cause_id, event_id))
        for pair, role in participants.items():
            if self.plan.participants.get(pair) is None:
                self.plan.participants[pair] = role


def _refuse_a_taken_key(
    kind: str, index: int, changes: dict[str, Any], holder: Callable[[str], object | None]
) -> None:
    """A matched actor or event may gain a key, never one another row holds."""
    if "key" in changes and holder(changes["key"]) is not None:
        raise InputError(
            f"{kind}s[{index}]: the key {changes['key']!r} is another {kind}'s; "
            f"give each {kind} its own key"
        )
