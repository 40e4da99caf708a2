"""The part of the graph a batch of documents can touch, read in one statement per table.

Storing a batch decides document after document, as if each were stored alone: every
decision reads this state, and every document leaves its rows in it (new rows under
temporary ids above any stored one, so that "the lowest id" still means "the oldest"),
so the next document sees them. A document refused halfway is rolled back in memory
(`checkpoint`/`rollback`) without a trace.

The statements read the rows with a key, name, title or URL that some document of the
batch names: every row a document could match, since matching needs one of those to
agree (see `newsgraph.ingest.matching`). The state remembers how each stored row it
changes was read, so that the rows can be checked once they are locked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from newsgraph.ingest.matching import ActorRow, EventRow
from newsgraph.ingest.prepared import PreparedDocument

__all__ = [
    "TEMPORARY_IDS",
    "ArticleRow",
    "GraphState",
    "SourceRow",
    "articles_statement",
    "columns",
    "load_state",
    "row_values",
    "select_rows",
]

# New rows get ids from here up until the batch is written and real ids are drawn.
TEMPORARY_IDS = 1 << 62


@dataclass(slots=True)
class SourceRow:
    """A source's identity and disclaimer, the columns storing reads and fills in."""

    id: int
    name: str
    domain: str | None
    url: str | None
    disclaimer_heading: str | None
    disclaimer_text: str | None


@dataclass(slots=True)
class ArticleRow:
    """What identifies an article: its content, URL and input."""

    id: int
    url: str | None
    content_hash: str
    input_hash: str | None


# Each table's row class: its fields are the columns read, locked and written, in order.
ROW_CLASSES: dict[str, type] = {
    "source": SourceRow,
    "actor": ActorRow,
    "event": EventRow,
    "article": ArticleRow,
}


def columns(table: str) -> tuple[str, ...]:
    """The columns storing reads and writes of `table`."""
    return tuple(f.name for f in fields(ROW_CLASSES[table]))


def select_rows(table: str) -> str:
    """`SELECT <columns> FROM <table>`, to which a WHERE clause is added."""
    return f"SELECT {', '.join(columns(table))} FROM {table}"


def row_values(row: Any) -> tuple[Any, ...]:
    """A row's columns, to compare with what was read."""
    return tuple(getattr(row, f.name) for f in fields(row))


class GraphState:
    """Sources, actors, events and articles by every key storing looks them up by."""

    def __init__(self) -> None:
        self._sources: dict[tuple[str, str], SourceRow] = {}  # ("domain"|"name", value)
        self._actors: dict[int, ActorRow] = {}
        self._actor_by_key: dict[str, ActorRow] = {}
        self._actors_by_name: dict[str, dict[int, ActorRow]] = {}  # every match name
        self._events: dict[int, EventRow] = {}
        self._event_by_key: dict[str, EventRow] = {}
        self._events_by_title: dict[str, dict[int, EventRow]] = {}
        self._articles: dict[int, ArticleRow] = {}
        self._article_by_hash: dict[str, ArticleRow] = {}
        self._article_by_url: dict[str, ArticleRow] = {}
        self._articles_by_input: dict[str, dict[int, ArticleRow]] = {}
        # rows created, per table, in the order they were created
        self.created: dict[str, list[Any]] = {"source": [], "actor": [], "event": []}
        # articles created or changed (by id), once their documents passed every check
        self.touched_articles: dict[int, ArticleRow] = {}
        # stored rows changed, per table, by id: the row, and its values as they were read
        self.changed: dict[str, dict[int, tuple[Any, tuple[Any, ...]]]] = {
            "source": {},
            "actor": {},
            "event": {},
            "article": {},
        }
        self._next_id: dict[str, int] = {}
        self._undo: list[Callable[[], object]] = []

    # -- a document's changes, undone when it is refused ---------------------------------

    def checkpoint(self) -> int:
        """A mark to roll back to."""
        return len(self._undo)

    def rollback(self, mark: int) -> None:
        """Undo every change made since `mark`."""
        while len(self._undo) > mark:
            self._undo.pop()()

    def new_id(self, table: str) -> int:
        """A temporary id, above every stored one and every earlier temporary one."""
        number = self._next_id.get(table, TEMPORARY_IDS)
        self._next_id[table] = number + 1
        self._undo.append(lambda: self._next_id.__setitem__(table, number))
        return number

    def _created(self, table: str, row: Any) -> None:
        rows = self.created[table]
        rows.append(row)
        self._undo.append(rows.pop)

    def _changing(self, table: str, row: Any, names: Iterable[str]) -> Callable[[], None]:
        """Note a stored row's values before its first change; how to restore `names`."""
        if row.id < TEMPORARY_IDS and row.id not in self.changed[table]:
            read = self.changed[table]
            read[row.id] = (row, row_values(row))
            self._undo.append(lambda: read.pop(row.id))
        before = {name: getattr(row, name) for name in names}
        return lambda: _restore(row, before)

    def changed_rows(self, table: str) -> list[Any]:
        """The stored rows of `table` the batch changed, in id order (the order writers
        lock rows in); a row changed back to what was read is not among them."""
        return [
            row for _, (row, read) in sorted(self.changed[table].items()) if row_values(row) != read
        ]

    # -- sources -------------------------------------------------------------------------

    def source(self, domain: str | None, name: str) -> SourceRow | None:
        """The source a document names: by domain, else by name among those without one."""
        return self._sources.get(("domain", domain) if domain else ("name", name))

    def read_source(self, row: SourceRow) -> None:
        """A source as stored."""
        self._index_source(row)

    def _index_source(self, row: SourceRow) -> tuple[str, str]:
        key = ("domain", row.domain) if row.domain else ("name", row.name)
        self._sources[key] = row
        return key

    def add_source(self, row: SourceRow) -> None:
        """A source created by the batch."""
        key = self._index_source(row)
        self._undo.append(lambda: self._sources.pop(key))
        self._created("source", row)

    def set_source_disclaimer(self, row: SourceRow, heading: str | None, text: str) -> None:
        self._undo.append(self._changing("source", row, ("disclaimer_heading", "disclaimer_text")))
        row.disclaimer_heading, row.disclaimer_text = heading, text

    # -- actors --------------------------------------------------------------------------

    def actor_with_key(self, key: str) -> ActorRow | None:
        return self._actor_by_key.get(key)

    def actors_named(self, name: str) -> Iterable[ActorRow]:
        """The actors with `name` among their (normalised) match names."""
        return self._actors_by_name.get(name, {}).values()

    def actor_taken(self, key: str | None, name_normalized: str, kind: str) -> bool:
        """Whether a new actor would break a unique constraint (key; name and kind)."""
        if key is not None and key in self._actor_by_key:
            return True
        return any(
            row.name_normalized == name_normalized and row.kind == kind
            for row in self.actors_named(name_normalized)
        )

    def read_actor(self, row: ActorRow) -> None:
        """An actor as stored (in place of what was known of it)."""
        known = self._actors.get(row.id)
        if known is not None:
            self._index_actor(known, add=False)
        self._index_actor(row, add=True)

    def add_actor(self, row: ActorRow) -> None:
        """An actor created by the batch."""
        self._index_actor(row, add=True)
        self._undo.append(lambda: self._index_actor(row, add=False))
        self._created("actor", row)

    def change_actor(self, row: ActorRow, changes: dict[str, Any]) -> None:
        restore = self._changing("actor", row, changes)
        self._index_actor(row, add=False)
        for name, value in changes.items():
            setattr(row, name, value)
        self._index_actor(row, add=True)

        def undo() -> None:
            self._index_actor(row, add=False)
            restore()
            self._index_actor(row, add=True)

        self._undo.append(undo)

    def _index_actor(self, row: ActorRow, *, add: bool) -> None:
        if add:
            self._actors[row.id] = row
        else:
            self._actors.pop(row.id, None)
        if row.key is not None:
            if add:
                self._actor_by_key[row.key] = row
            else:
                self._actor_by_key.pop(row.key, None)
        for name in row.match_names:
            if add:
                self._actors_by_name.setdefault(name, {})[row.id] = row
            else:
                self._actors_by_name.get(name, {}).pop(row.id, None)

    # -- events --------------------------------------------------------------------------

    def event_with_key(self, key: str) -> EventRow | None:
        return self._event_by_key.get(key)

    def events_titled(self, title: str) -> Iterable[EventRow]:
        """The events with this normalised title."""
        return self._events_by_title.get(title, {}).values()

    def known_event(self, event_id: int) -> bool:
        """Whether the event was read (or created here)."""
        return event_id in self._events

    def read_event(self, row: EventRow) -> None:
        """An event as stored (in place of what was known of it)."""
        known = self._events.get(row.id)
        if known is not None:
            self._index_event(known, add=False)
        self._index_event(row, add=True)

    def add_event(self, row: EventRow) -> None:
        """An event created by the batch."""
        self._index_event(row, add=True)
        self._undo.append(lambda: self._index_event(row, add=False))
        self._created("event", row)

    def change_event(self, row: EventRow, changes: dict[str, Any]) -> None:
        restore = self._changing("event", row, changes)
        self._index_event(row, add=False)
        for name, value in changes.items():
            setattr(row, name, value)
        self._index_event(row, add=True)

        def undo() -> None:
            self._index_event(row, add=False)
            restore()
            self._index_event(row, add=True)

        self._undo.append(undo)

    def _index_event(self, row: EventRow, *, add: bool) -> None:
        if add:
            self._events[row.id] = row
        else:
            self._events.pop(row.id, None)
        if row.key is not None:
            if add:
                self._event_by_key[row.key] = row
            else:
                self._event_by_key.pop(row.key, None)
        titled = self._events_by_title.setdefault(row.title_normalized, {})
        if add:
            titled[row.id] = row
        else:
            titled.pop(row.id, None)

    # -- articles ------------------------------------------------------------------------

    def article_for(self, doc: PreparedDocument) -> ArticleRow | None:
        """The article a document is: same content, else same URL, else (no URL) same input."""
        same = self._article_by_hash.get(doc.content_hash)
        if same is not None:
            return same
        if doc.article.url is not None:
            return self._article_by_url.get(doc.article.url)
        if doc.input_hash is not None:
            rows = self._articles_by_input.get(doc.input_hash, {}).values()
            return next((row for row in rows if row.url is None), None)
        return None

    def article_with_input(self, input_hash: str) -> ArticleRow | None:
        """An article last stored from exactly this input."""
        return next(iter(self._articles_by_input.get(input_hash, {}).values()), None)

    def read_article(self, row: ArticleRow) -> None:
        """An article as stored (in place of what was known of it)."""
        known = self._articles.get(row.id)
        if known is not None:
            self._index_article(known, add=False)
        self._index_article(row, add=True)

    def create_article(self, row: ArticleRow) -> None:
        """A new article (not undoable, as changes of articles: they are made only once
        every check of their document passed)."""
        self._index_article(row, add=True)
        self.touched_articles[row.id] = row

    def change_article(
        self, row: ArticleRow, *, url: str | None, content_hash: str, input_hash: str | None
    ) -> None:
        """An article's document changed: index it under its new content, URL and input."""
        if row.id < TEMPORARY_IDS:
            self.changed["article"].setdefault(row.id, (row, row_values(row)))
        self._index_article(row, add=False)
        row.url, row.content_hash, row.input_hash = url, content_hash, input_hash
        self._index_article(row, add=True)
        self.touched_articles[row.id] = row

    def _index_article(self, row: ArticleRow, *, add: bool) -> None:
        if not add:
            self._articles.pop(row.id, None)
            self._article_by_hash.pop(row.content_hash, None)
            if row.url is not None:
                self._article_by_url.pop(row.url, None)
            if row.input_hash is not None:
                self._articles_by_input.get(row.input_hash, {}).pop(row.id, None)
            return
        self._articles[row.id] = row
        self._article_by_hash[row.content_hash] = row
        if row.url is not None:
            self._article_by_url[row.url] = row
        if row.input_hash is not None:
            self._articles_by_input.setdefault(row.input_hash, {})[row.id] = row

    # -- the batch before ----------------------------------------------------------------

    def carry(self, before: GraphState, real: Callable[[str, int], int]) -> None:
        """What the batch before wrote, over what was read while it was being written (and
        could not be seen yet): its new rows and the rows it changed, under the ids
        `real` gives them."""
        for source in [*before.created["source"], *before.changed_rows("source")]:
            self.read_source(replace(source, id=real("source", source.id)))
        for actor in [*before.created["actor"], *before.changed_rows("actor")]:
            affiliation = actor.affiliation_id
            self.read_actor(
                replace(
                    actor,
                    id=real("actor", actor.id),
                    aliases=list(actor.aliases),
                    match_names=list(actor.match_names),
                    affiliation_id=None if affiliation is None else real("actor", affiliation),
                )
            )
        for event in [*before.created["event"], *before.changed_rows("event")]:
            self.read_event(replace(event, id=real("event", event.id)))
        for article in before.touched_articles.values():
            self.read_article(replace(article, id=real("article", article.id)))


def _restore(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


# -- reading ---------------------------------------------------------------------------------

_SOURCES = select_rows("source") + (
    " WHERE domain = ANY($1::text[]) OR (domain IS NULL AND name = ANY($2::text[]))"
)
# One GIN probe per name, not `match_names && $2`: the GIN array operators check every
# candidate row against every name of the query, so a batch naming 8,000 actors among
# 30,000 took 3 s that way, and 70 ms this way.
_ACTORS = (
    select_rows("actor")
    + """ WHERE id IN (
    SELECT a.id FROM unnest($2::text[]) AS n (name)
    CROSS JOIN LATERAL (SELECT id FROM actor WHERE match_names @> ARRAY[n.name]) AS a
    UNION
    SELECT id FROM actor WHERE key = ANY($1::text[])
)"""
)
_EVENTS = select_rows("event") + (
    " WHERE key = ANY($1::text[]) OR title_normalized = ANY($2::text[])"
)


def articles_statement(*, with_inputs: bool) -> str:
    """The articles with these content hashes, URLs (and input hashes).

    Without input hashes the statement does not name the column, so storing documents
    that have none also works on a database migrated to before it existed.
    """
    where = " WHERE content_hash = ANY($1::text[]) OR url = ANY($2::text[])"
    if not with_inputs:
        return select_rows("article").replace("input_hash", "NULL AS input_hash") + where
    return select_rows("article") + where + " OR input_hash = ANY($3::text[])"


async def load_state(
    connection: Any, documents: Sequence[PreparedDocument], input_hashes: Sequence[str] = ()
) -> GraphState:
    """Every stored row the documents could match (`input_hashes`: more inputs to look up)."""
    state = GraphState()
    inputs = sorted({*(d.input_hash for d in documents if d.input_hash), *input_hashes})
    article_args: list[Any] = [
        sorted({d.content_hash for d in documents}),
        sorted({d.article.url for d in documents if d.article.url}),
    ]
    if inputs:
        article_args.append(inputs)
    statement = articles_statement(with_inputs=bool(inputs))
    for record in await connection.fetch(statement, *article_args):
        state.read_article(ArticleRow(*record))
    if not documents:
        return state

    domains = sorted({d.source.domain for d in documents if d.source.domain})
    names = sorted({d.source.name for d in documents if not d.source.domain})
    for record in await connection.fetch(_SOURCES, domains, names):
        state.read_source(SourceRow(*record))

    actor_keys = sorted({a.key for d in documents for a in d.actors if a.key})
    actor_names = sorted({n for d in documents for a in d.actors for n in a.names})
    if actor_keys or actor_names:
        for record in await connection.fetch(_ACTORS, actor_keys, actor_names):
            state.read_actor(ActorRow(*record))

    event_keys = sorted({e.key for d in documents for e in d.events if e.key})
    titles = sorted({e.title_normalized for d in documents for e in d.events})
    if event_keys or titles:
        for record in await connection.fetch(_EVENTS, event_keys, titles):
            state.read_event(EventRow(*record))
    return state
