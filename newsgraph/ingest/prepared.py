"""A validated document reduced to what storing it needs, computed once per document.

Everything that depends on the document alone is worked out here: normalised names
and titles, the content hash, the title, sections and claim spans cut from the body,
how often each actor is mentioned. Storing then only matches these against the graph.
A `PreparedDocument` is plain data, so a bulk import prepares documents in worker
processes and sends them to the one process that writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import orjson

from newsgraph.db.enums import ActorKind, ClaimKind, DatePrecision, EventKind, EventStatus
from newsgraph.errors import DocumentError, Problem
from newsgraph.ingest.document import ActorDoc, Document, EventDoc, SourceDoc, parse_document
from newsgraph.ingest.names import normalize_name

__all__ = [
    "UNKNOWN_SOURCE",
    "ActorSpec",
    "ArticleSpec",
    "ClaimSpec",
    "EventSpec",
    "PreparedDocument",
    "SourceSpec",
    "content_hash",
    "document_input_hash",
    "prepare",
    "prepare_json",
    "text_input_hash",
]

UNKNOWN_SOURCE = "Unknown source"


def _pickled(spec: Any) -> tuple[Any, ...]:
    """A spec pickled as its class and values. A bulk import sends every prepared document
    from a worker to the writing process, where loading it is on the critical path: the
    dataclass's own way for slots (a state set field by field in Python) costs ~35 % more
    to load and ~65 % more to dump."""
    return type(spec), tuple(getattr(spec, name) for name in spec.__slots__)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """The publisher as stored: `name` falls back to the domain, then to the unknown source."""

    __reduce__ = _pickled

    name: str
    domain: str | None
    url: str | None
    disclaimer_heading: str | None
    disclaimer_text: str | None


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """An actor of the document, with its names normalised for matching."""

    __reduce__ = _pickled

    key: str | None
    name: str
    kind: ActorKind
    title: str | None
    country: str | None
    wikidata_id: str | None
    aliases: tuple[str, ...]
    # normalised name, then normalised aliases, without repeats: names[0] is the name's
    names: tuple[str, ...]
    # (as written, normalised) for the name and then each alias, repeats kept
    spellings: tuple[tuple[str, str], ...]
    affiliation: str | None  # normalised name of the actor it belongs to
    mentions: int  # whole-word occurrences of its name and aliases in the body

    @classmethod
    def of(cls, actor: ActorDoc, *, body: str = "") -> ActorSpec:
        """The spec of a validated actor; `body` is the text its mentions are counted in."""
        written = [actor.name, *actor.aliases]
        # Lists, not generators: they cost less for the one or two names most actors have.
        spellings = tuple([(spelling, normalize_name(spelling)) for spelling in written])
        return cls(
            key=actor.key,
            name=actor.name,
            kind=actor.kind,
            title=actor.title,
            country=actor.country,
            wikidata_id=actor.wikidata_id,
            aliases=tuple(actor.aliases),
            names=tuple(dict.fromkeys([normalized for _, normalized in spellings])),
            spellings=spellings,
            affiliation=normalize_name(actor.affiliation) if actor.affiliation else None,
            mentions=_count_mentions(body, written),
        )


@dataclass(frozen=True, slots=True)
class EventSpec:
    """An event of the document; participants and causes by normalised name and title."""

    __reduce__ = _pickled

    key: str | None
    title: str
    title_normalized: str
    kind: EventKind
    status: EventStatus
    location: str | None
    date: dt.date | None
    date_precision: DatePrecision | None
    date_text: str | None
    participants: tuple[tuple[str, str | None], ...]  # (actor's normalised name, role)
    caused_by: tuple[str, ...]
    # what tells two new events of one document apart: key, title, and date as given
    identity: tuple[str | None, str, str | None]

    @classmethod
    def of(cls, event: EventDoc) -> EventSpec:
        """The spec of a validated event."""
        title_normalized = normalize_name(event.title)
        return cls(
            key=event.key,
            title=event.title,
            title_normalized=title_normalized,
            kind=event.kind,
            status=event.status,
            location=event.location,
            date=event.date.value if event.date else None,
            date_precision=event.date.precision if event.date else None,
            date_text=event.date_text,
            participants=tuple((normalize_name(p.actor), p.role) for p in event.participants),
            caused_by=tuple(map(normalize_name, event.caused_by)),
            identity=(
                event.key,
                title_normalized,
                str(event.date) if event.date else None,
            ),
        )


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """A claim, with the actors and event it names normalised and its span in the body."""

    __reduce__ = _pickled

    text: str
    kind: ClaimKind
    claimant: str | None
    event: str | None
    about: tuple[str, ...]
    span_start: int | None
    span_end: int | None


@dataclass(frozen=True, slots=True)
class ArticleSpec:
    """The article row's own values (its source is matched when it is stored)."""

    __reduce__ = _pickled

    url: str | None
    title: str
    body: str
    sections: str  # JSON: [{"position", "heading", "text"}, ...]
    published_at: dt.datetime | None
    published_precision: DatePrecision | None
    language: str | None
    dateline: str | None
    disclaimer_heading: str | None
    disclaimer_text: str | None


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """One document ready to store; `where` names it in every error."""

    __reduce__ = _pickled

    where: str
    content_hash: str
    # the input it was made from (text or HTML with its source, or the raw document):
    # what identifies an article without a URL, and lets an unchanged input be skipped
    input_hash: str | None
    source: SourceSpec
    article: ArticleSpec
    actors: tuple[ActorSpec, ...]
    events: tuple[EventSpec, ...]
    claims: tuple[ClaimSpec, ...]

    @property
    def identity(self) -> str:
        """What concurrent writers of the same article queue on: URL, else input, else content."""
        return self.article.url or self.input_hash or self.content_hash


def prepare(doc: Document, *, where: str, input_hash: str | None = None) -> PreparedDocument:
    """Everything storing `doc` needs that the document alone decides."""
    body = doc.body or ""
    disclaimer = doc.source.disclaimer
    published = doc.published
    claims = []
    for claim in doc.claims:
        start = body.find(claim.text) if body else -1
        claims.append(
            ClaimSpec(
                text=claim.text,
                kind=claim.kind,
                claimant=normalize_name(claim.claimant) if claim.claimant else None,
                event=normalize_name(claim.event) if claim.event else None,
                about=tuple(map(normalize_name, claim.about)),
                span_start=start if start >= 0 else None,
                span_end=start + len(claim.text) if start >= 0 else None,
            )
        )
    return PreparedDocument(
        where=where,
        content_hash=content_hash(doc),
        input_hash=input_hash,
        source=_source(doc.source),
        article=ArticleSpec(
            url=doc.url,
            title=doc.derived_title,
            body=body,
            sections=orjson.dumps(_sections(doc, body)).decode(),
            published_at=published[0] if published else None,
            published_precision=published[1] if published else None,
            language=doc.language,
            dateline=doc.dateline,
            disclaimer_heading=disclaimer.heading if disclaimer else None,
            disclaimer_text=disclaimer.text if disclaimer else None,
        ),
        actors=tuple(ActorSpec.of(actor, body=body) for actor in doc.actors),
        events=tuple(EventSpec.of(event) for event in doc.events),
        claims=tuple(claims),
    )


def prepare_json(text: bytes | str, where: str) -> PreparedDocument:
    """A structured document from its JSON text, validated and prepared."""
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        at = f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno} column {exc.colno}"
        problem = Problem(
            field=(), message=f"invalid JSON at {at}: {exc.msg}", code="INVALID_DOCUMENT"
        )
        raise DocumentError(where, [problem]) from None
    return prepare(parse_document(raw, where), where=where, input_hash=document_input_hash(raw))


def content_hash(doc: Document) -> str:
    """A digest of everything a document says (not its URL, nor scoring hints).

    orjson with sorted keys writes the same bytes as `json.dumps(sort_keys=True,
    ensure_ascii=False, separators=(",", ":"))` of the JSON-mode dump, which stored
    hashes were made with. orjson writes enums as their values and dates as ISO dates,
    as that dump does, so it is given the Python-mode dump, which costs a third less;
    and the left-out keys are deleted from it, which is cheaper than pydantic's `exclude`.
    """
    payload = doc.model_dump()
    del payload["url"]
    for part in ("actors", "events", "claims"):
        for item in payload[part]:
            del item["optional"]
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def document_input_hash(raw: Any) -> str:
    """The identity of a structured document as given: its JSON value, keys sorted."""
    return hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()


def text_input_hash(kind: str, content: str, source: SourceDoc) -> str:
    """The identity of a text or HTML article: what it is, its source and its content.

    The source is the one it is stored under (domain, else name), so the same text
    from two publishers is two articles, and publication metadata is not part of it:
    ingesting the text again with another date re-extracts the same article.
    """
    publisher = ["domain", source.domain] if source.domain else ["name", source.name]
    return hashlib.sha256(orjson.dumps([kind, publisher, content])).hexdigest()


def _source(source: SourceDoc) -> SourceSpec:
    disclaimer = source.disclaimer
    return SourceSpec(
        name=source.name or source.domain or UNKNOWN_SOURCE,
        domain=source.domain,
        url=source.url,
        disclaimer_heading=disclaimer.heading if disclaimer else None,
        disclaimer_text=disclaimer.text if disclaimer else None,
    )


def _count_mentions(body: str, names: list[str]) -> int:
    # A name that is not even a substring cannot match: most are not, and the test is
    # far cheaper than the whole-word pattern.
    if not body or not any(map(body.__contains__, names)):
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
