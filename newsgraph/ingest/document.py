"""The structured document format (DESIGN.md), validated before anything is written.

`parse_document(raw, where)` returns a `Document` whose cross-references are checked
(participants, claimants, `about` name actors of the document; a claim's `event` and
`caused_by` name its events), or raises `DocumentError` listing every problem with its
field path, e.g. `news.jsonl: document 3: events[0].participants[1].actor: ...`.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from newsgraph.db.enums import ActorKind, ClaimKind, DatePrecision, EventKind, EventStatus
from newsgraph.errors import DocumentError, Problem
from newsgraph.ingest.names import normalize_name
from newsgraph.ingest.sentences import first_sentence

__all__ = [
    "ActorDoc",
    "ClaimDoc",
    "DisclaimerDoc",
    "Document",
    "EventDoc",
    "PartialDate",
    "SourceDoc",
    "parse_document",
    "parse_partial_date",
    "parse_published_at",
]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
# Undated rows sort as -infinity, which asyncpg reads as the first day (and instant) of
# year 1: a real date that early could not be told apart from none.
_FIRST_INSTANT = datetime.min.replace(tzinfo=UTC)


def _reserved(value: str) -> ValueError:
    return ValueError(
        f"{value!r} is 0001-01-01 or earlier, which stands for no date: give a later date"
    )


class PartialDate(BaseModel):
    """A date as precisely as the source gave it: `2025-06-09`, `2025-05` or `2025`."""

    model_config = ConfigDict(frozen=True)

    value: date
    precision: DatePrecision

    def __str__(self) -> str:
        if self.precision is DatePrecision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def parse_partial_date(value: str) -> PartialDate:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY`, keeping how much was given."""
    match = _PARTIAL_DATE.match(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    try:
        parsed = date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date: {exc}") from None
    if parsed == date.min:
        raise _reserved(value)
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return PartialDate(value=parsed, precision=precision)


def parse_published_at(value: str) -> tuple[datetime, DatePrecision]:
    """A partial date, or a full ISO 8601 timestamp (UTC when it has no offset)."""
    text = value.strip()
    if _PARTIAL_DATE.match(text):
        partial = parse_partial_date(text)
        start = datetime(partial.value.year, partial.value.month, partial.value.day, tzinfo=UTC)
        return start, partial.precision
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date or timestamp: use YYYY-MM-DD or 2025-06-06T09:30:00+00:00"
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    try:
        reserved = stamp.astimezone(UTC) <= _FIRST_INSTANT
    except OverflowError:  # before year 1 in UTC
        reserved = True
    if reserved:
        raise _reserved(value)
    return stamp, DatePrecision.DAY


def _optional_date(value: Any) -> Any:
    if value is None or isinstance(value, PartialDate):
        return value
    if isinstance(value, str):
        return parse_partial_date(value) if value.strip() else None
    raise ValueError(f"expected a date string (YYYY-MM-DD, YYYY-MM or YYYY), got {value!r}")


# Control characters have no place in a name or a title (a line), and only line breaks
# and tabs do in running text; NUL cannot even be stored by PostgreSQL.
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _checked(value: Any, control: re.Pattern[str]) -> Any:
    if not isinstance(value, str):
        return value
    # Control characters are not printable, and nearly every value is: only the others
    # need the (several times slower) search for the first forbidden one.
    if not value.isprintable():
        found = control.search(value)
        if found is not None:
            raise ValueError(
                f"must not contain control characters (found {found.group()!r} "
                f"at position {found.start()})"
            )
    return value.strip()


def _line(value: Any) -> Any:
    return _checked(value, _LINE_CONTROL)


def _text(value: Any) -> Any:
    return _checked(value, _TEXT_CONTROL)


def _not_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


NonEmpty = Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty)]
NonEmptyText = Annotated[str, BeforeValidator(_text), AfterValidator(_not_empty)]
OptionalText = Annotated[str | None, BeforeValidator(lambda v: _line(v) or None)]
OptionalDate = Annotated[PartialDate | None, BeforeValidator(_optional_date)]


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt field must not be dropped silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DisclaimerDoc(_Strict):
    """A publisher's disclaimer block: its heading (e.g. "Risk Warning") and text."""

    heading: OptionalText = None
    text: NonEmptyText


class SourceDoc(_Strict):
    """The publisher; `disclaimer` is the one found in this article."""

    name: OptionalText = None
    domain: OptionalText = None
    url: OptionalText = None
    disclaimer: DisclaimerDoc | None = None

    @field_validator("disclaimer", mode="before")
    @classmethod
    def _text_or_block(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"text": value} if value.strip() else None
        return value

    @field_validator("domain")
    @classmethod
    def _bare_domain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        domain = value.lower().removeprefix("www.")
        if "/" in domain or " " in domain:
            raise ValueError(f"{value!r} is not a domain name (like example.com)")
        return domain


@functools.lru_cache(maxsize=1024)
def _is_country(code: str) -> bool:
    """Whether pycountry knows the alpha-2 code. Its lookup costs several microseconds, and
    a document names a country for most of its actors, from the same two hundred or so."""
    return pycountry.countries.get(alpha_2=code) is not None


class ActorDoc(_Strict):
    """An actor of the document; `key` matches it across documents."""

    key: OptionalText = None
    name: NonEmpty
    kind: ActorKind
    aliases: list[NonEmpty] = Field(default_factory=list)
    title: OptionalText = None
    country: OptionalText = None
    wikidata_id: OptionalText = None
    affiliation: OptionalText = None
    optional: bool = False

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if len(code) != 2 or not _is_country(code):
            raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code (like US, CN)")
        return code


class ParticipantDoc(_Strict):
    """An actor (by name) taking part in an event."""

    actor: NonEmpty
    role: OptionalText = None


class EventDoc(_Strict):
    """An event of the document; `key` matches it across documents."""

    key: OptionalText = None
    title: NonEmpty
    kind: EventKind
    status: EventStatus = EventStatus.UNKNOWN
    location: OptionalText = None
    date: OptionalDate = None
    date_text: OptionalText = None
    participants: list[ParticipantDoc] = Field(default_factory=list)
    caused_by: list[NonEmpty] = Field(default_factory=list)
    optional: bool = False


class ClaimDoc(_Strict):
    """A claim made in the article: by `claimant` (an actor's name) or, when null, the publisher."""

    text: NonEmptyText
    kind: ClaimKind
    claimant: OptionalText = None
    about: list[NonEmpty] = Field(default_factory=list)
    event: OptionalText = None
    optional: bool = False


class SectionDoc(_Strict):
    """A section: its heading and, when known, its text."""

    heading: OptionalText = None
    text: str = ""


def _section(value: Any) -> Any:
    return {"heading": value} if isinstance(value, str) else value


class Document(_Strict):
    """One article with what was extracted from it."""

    published_at: OptionalText = None
    url: OptionalText = None
    source: SourceDoc = Field(default_factory=SourceDoc)
    title: OptionalText = None
    dateline: OptionalText = None
    language: OptionalText = None
    sections: list[Annotated[SectionDoc, BeforeValidator(_section)]] = Field(default_factory=list)
    body: str | None = None
    actors: list[ActorDoc] = Field(default_factory=list)
    events: list[EventDoc] = Field(default_factory=list)
    claims: list[ClaimDoc] = Field(default_factory=list)

    @field_validator("published_at")
    @classmethod
    def _published(cls, value: str | None) -> str | None:
        if value is not None:
            parse_published_at(value)
        return value

    @property
    def derived_title(self) -> str:
        """The title, else the first sentence of the body, else of the first claim."""
        if self.title:
            return self.title
        for text in (self.body, *(claim.text for claim in self.claims)):
            if text and text.strip():
                return first_sentence(text)[:300]
        return ""

    @property
    def published(self) -> tuple[datetime, DatePrecision] | None:
        """The publication instant and its precision, when the document has one."""
        return None if self.published_at is None else parse_published_at(self.published_at)


def _document_problems(doc: Document) -> list[Problem]:
    """Problems pydantic cannot see: references between parts, a title to be had."""
    actor_names = {
        normalize_name(name) for actor in doc.actors for name in (actor.name, *actor.aliases)
    }
    event_titles = {normalize_name(event.title) for event in doc.events}
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(field=path, message=message, code="INVALID_DOCUMENT"))

    if not doc.derived_title:
        problem(("title",), "null, and there is no body or claim to derive a title from")

    def check_actor(path: tuple[str | int, ...], name: str | None) -> None:
        if name is not None and normalize_name(name) not in actor_names:
            problem(path, f"{name!r} is not one of the document's actors")

    def check_event(path: tuple[str | int, ...], title: str | None) -> None:
        if title is not None and normalize_name(title) not in event_titles:
            problem(path, f"{title!r} is not the title of one of the document's events")

    for i, actor in enumerate(doc.actors):
        check_actor(("actors", i, "affiliation"), actor.affiliation)
    for i, event in enumerate(doc.events):
        for j, participant in enumerate(event.participants):
            check_actor(("events", i, "participants", j, "actor"), participant.actor)
        for j, cause in enumerate(event.caused_by):
            check_event(("events", i, "caused_by", j), cause)
            if normalize_name(cause) == normalize_name(event.title):
                problem(("events", i, "caused_by", j), "an event cannot cause itself")
    for i, claim in enumerate(doc.claims):
        check_actor(("claims", i, "claimant"), claim.claimant)
        for j, about in enumerate(claim.about):
            check_actor(("claims", i, "about", j), about)
        check_event(("claims", i, "event"), claim.event)
    return problems


def _field_path(location: tuple[int | str, ...]) -> tuple[str | int, ...]:
    """Pydantic's location without the names of its own validators."""
    return tuple(
        part
        for part in location
        if isinstance(part, int) or not part.startswith(("function-", "str", "constrained"))
    )


def _problem(error: dict[str, Any]) -> Problem:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check its spelling against the document format)"
    elif error["type"] not in {"missing", "value_error"} and "input" in error:
        message = f"{message} (got {error['input']!r})"
    return Problem(field=_field_path(error["loc"]), message=message, code="INVALID_DOCUMENT")


def parse_document(raw: Any, where: str) -> Document:
    """Validate one raw document; `where` (file and index) prefixes every error."""
    if not isinstance(raw, dict):
        raise DocumentError(
            where,
            [
                Problem(
                    field=(),
                    message=f"expected a JSON object, got {type(raw).__name__}",
                    code="INVALID_DOCUMENT",
                )
            ],
        )
    try:
        doc = Document.model_validate(raw)
    except ValidationError as exc:
        raise DocumentError(where, [_problem(dict(e)) for e in exc.errors()]) from None
    problems = _document_problems(doc)
    if problems:
        raise DocumentError(where, problems)
    return doc
