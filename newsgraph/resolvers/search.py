"""`search(query:)`: articles and claims by full-text rank, actors and events by name.

Articles and claims match through their `tsvector` columns (`websearch_to_tsquery`,
ranked with `ts_rank`); actors by trigram similarity of their name or a name or alias
containing the text; events likewise by title. All four are ranked on one list, best
first (ties by kind, then id), and paged with a keyset on (rank, kind, id).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, and_, cast, exists, func, literal, or_, select, tuple_, union_all

from newsgraph.db import queries
from newsgraph.db.models import Actor, Article, Claim, Event
from newsgraph.errors import InputError
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.filters import text_query
from newsgraph.resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Window

__all__ = ["SearchHit", "SearchPage", "count_hits", "search"]

SEARCHED = {"Actor": Actor, "Article": Article, "Claim": Claim, "Event": Event}


@dataclass(frozen=True)
class SearchHit:
    """One result: which table, which row, how well it matched."""

    kind: str
    id: int
    rank: float

    @property
    def cursor(self) -> str:
        raw = json.dumps([self.rank, self.kind, self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_cursor(cls, value: str, argument: str) -> SearchHit:
        try:
            rank, kind, row_id = json.loads(
                base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            )
            if kind not in SEARCHED or not isinstance(row_id, int):
                raise ValueError(kind)
            return cls(kind, row_id, float(rank))
        except (ValueError, TypeError, binascii.Error):
            raise InputError(f"`{argument}`: {value!r} is not a search cursor") from None


@dataclass
class SearchPage:
    """A page of hits with Relay's flags."""

    hits: list[SearchHit]
    has_next: bool
    has_previous: bool


def _ranked(text: str) -> Any:
    query = text_query(text)
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    alias = func.unnest(Actor.aliases).table_valued("alias").alias("alias")
    return union_all(
        select(
            literal("Article").label("kind"),
            Article.id,
            cast(func.ts_rank(Article.search, query), Float).label("rank"),
        ).where(Article.search.bool_op("@@")(query)),
        select(literal("Claim"), Claim.id, cast(func.ts_rank(Claim.search, query), Float)).where(
            Claim.search.bool_op("@@")(query)
        ),
        select(literal("Actor"), Actor.id, cast(func.similarity(Actor.name, text), Float)).where(
            or_(
                Actor.name.bool_op("%")(text),
                Actor.name.ilike(pattern),
                exists(select(alias.c.alias).where(alias.c.alias.ilike(pattern))),
            )
        ),
        select(literal("Event"), Event.id, cast(func.similarity(Event.title, text), Float)).where(
            or_(Event.title.bool_op("%")(text), Event.title.ilike(pattern))
        ),
    ).subquery("hits")


async def search(
    context: RequestContext, *, text: str, first: int | None, after: str | None
) -> SearchPage:
    """The best matches for `text`, paged forwards."""
    Window.check_sizes(first=first, last=None)
    size = DEFAULT_PAGE_SIZE if first is None else first
    hits = _ranked(text.strip())
    statement = select(hits.c.kind, hits.c.id, hits.c.rank)
    if after is not None:
        cursor = SearchHit.from_cursor(after, "after")
        statement = statement.where(
            or_(
                hits.c.rank < cursor.rank,
                and_(
                    hits.c.rank == cursor.rank,
                    tuple_(hits.c.kind, hits.c.id) > tuple_(cursor.kind, cursor.id),
                ),
            )
        )
    statement = statement.order_by(hits.c.rank.desc(), hits.c.kind, hits.c.id).limit(
        min(size, MAX_PAGE_SIZE) + 1
    )
    rows = await context.run(queries.select_rows, statement=statement)
    found = [SearchHit(row.kind, row.id, float(row.rank)) for row in rows]
    return SearchPage(found[:size], len(found) > size, after is not None)


async def count_hits(context: RequestContext, *, text: str) -> int:
    """How many results `search` finds for `text` in all (every page)."""
    return await context.run(queries.count_rows, statement=select(_ranked(text.strip())))
