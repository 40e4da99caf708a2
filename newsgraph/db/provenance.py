"""Which publishers stand behind a set of rows, with their disclaimers.

Every fact in the graph came from some article, and every article from a source. For
the rows a response touched, this finds the distinct sources behind them (an actor or
an event is backed by every article that mentions or reports it) that have a disclaimer,
in one statement.
Actors and events reach their sources through their source sets (`actor_source_set`,
`event_source_set`, migration 0005, kept exact by triggers from `actor_source` and
`event_source` of migration 0004): one mapping row per actor or event and one row per
distinct list of sources, instead of one per article that mentions or reports it, or
one per actor and source.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import BigInteger, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.db.models import Article, ArticleEvent, Source

__all__ = [
    "REACHED_LISTS",
    "SourceDisclaimer",
    "event_disclaimers",
    "sources_behind",
    "sources_behind_sql",
]


@dataclass(frozen=True)
class SourceDisclaimer:
    """A source and the disclaimer that goes with data from it."""

    source_id: int
    name: str
    domain: str | None
    heading: str | None
    text: str


def sources_behind_sql(
    *,
    source_ids: str = ":source_ids",
    article_ids: str = ":article_ids",
    event_ids: str = ":event_ids",
    actor_ids: str = ":actor_ids",
) -> str:
    """The SELECT behind `sources_behind`, over four SQL expressions of type bigint[].

    Every reached row names a source and, where there is one, the lowest id among the
    reached articles of that source that carry a disclaimer of their own:

    - a source reached directly: itself, none;
    - an article: its source, and itself if it carries a block. A claim is its article's
      word: whoever reaches a claim passes its article's id (it comes with the claim's
      row), rather than a claim id to be joined to its article here;
    - an actor or event: the sources of its `source_set` (migration 0005). Thousands of
      actors share a hundred or so sets, so the reached actors' mapping rows lead to a
      few sets, each read once, instead of one `actor_source` row per actor and source.

    Grouped by source, the lowest of those ids is the first disclaimed article among
    all the reached articles of that source, as a walk over every one of them would find;
    its block stands in where the source has none. The reached actors and events add
    theirs (`first_disclaimed_article_id` of their `actor_source`/`event_source` rows)
    only for such sources (`bare`): one primary-key scan over the reached ids and those
    sources, which does not start when every source behind a response has a disclaimer
    of its own, as publishers usually do. Then no provenance row is read at all, and
    otherwise only the rows of the sources without one.

    Rows: source id, name, domain, heading, text; in source id order, only for sources
    with a disclaimer (their own, or a reached article's block standing in): a source
    without one has nothing to show, and `Disclaimer.text` is never null. The defaults are
    bind parameters (`sources_behind`); a compiled query puts its own arrays of reached
    ids there, e.g. `(SELECT array_agg(id) FROM page)`, to run this inside one statement.
    """
    return f"""
        WITH reached (source_id, disclaimed_article_id) AS (
            SELECT s.id, NULL::bigint FROM source s WHERE s.id = ANY ({source_ids})
            UNION ALL
            SELECT a.source_id, CASE WHEN a.disclaimer_text IS NOT NULL THEN a.id END
            FROM article a WHERE a.id = ANY ({article_ids})
            UNION ALL
            SELECT unnest(ss.source_ids), NULL::bigint
            FROM source_set ss
            WHERE ss.id IN (
                SELECT m.set_id FROM event_source_set m WHERE m.event_id = ANY ({event_ids})
            )
            UNION ALL
            SELECT unnest(ss.source_ids), NULL::bigint
            FROM source_set ss
            WHERE ss.id IN (
                SELECT m.set_id FROM actor_source_set m WHERE m.actor_id = ANY ({actor_ids})
            )
        ),
        behind AS (
            SELECT source_id, min(disclaimed_article_id) AS disclaimed_article_id
            FROM reached GROUP BY source_id
        ),
        bare AS (
            SELECT b.source_id FROM behind b JOIN source s ON s.id = b.source_id
            WHERE s.disclaimer_text IS NULL
        ),
        fallback AS MATERIALIZED (
            SELECT f.source_id, min(f.disclaimed_article_id) AS disclaimed_article_id
            FROM (
                SELECT es.source_id, es.first_disclaimed_article_id
                FROM event_source es
                WHERE es.event_id = ANY ({event_ids})
                  AND es.source_id = ANY (ARRAY(SELECT source_id FROM bare))
                UNION ALL
                SELECT ac.source_id, ac.first_disclaimed_article_id
                FROM actor_source ac
                WHERE ac.actor_id = ANY ({actor_ids})
                  AND ac.source_id = ANY (ARRAY(SELECT source_id FROM bare))
            ) AS f (source_id, disclaimed_article_id)
            WHERE EXISTS (SELECT FROM bare)
            GROUP BY f.source_id
        )
        SELECT s.id, s.name, s.domain,
               coalesce(s.disclaimer_heading, own.disclaimer_heading) AS heading,
               coalesce(s.disclaimer_text, own.disclaimer_text) AS text
        FROM behind b
        JOIN source s ON s.id = b.source_id
        LEFT JOIN fallback f ON f.source_id = b.source_id
        LEFT JOIN article own ON own.id = CASE WHEN s.disclaimer_text IS NULL
            THEN least(b.disclaimed_article_id, f.disclaimed_article_id) END
        WHERE coalesce(s.disclaimer_text, own.disclaimer_text) IS NOT NULL
        ORDER BY s.id
    """


# The arrays of reached ids `sources_behind_sql` reads, by the names it takes them as.
REACHED_LISTS = ("source_ids", "article_ids", "event_ids", "actor_ids")

_SOURCES_BEHIND = text(sources_behind_sql()).bindparams(
    *(bindparam(name, type_=ARRAY(BigInteger)) for name in REACHED_LISTS)
)


async def sources_behind(
    session: AsyncSession,
    *,
    source_ids: Collection[int] = (),
    article_ids: Collection[int] = (),
    event_ids: Collection[int] = (),
    actor_ids: Collection[int] = (),
) -> list[SourceDisclaimer]:
    """The distinct sources behind these rows that have a disclaimer, by id.

    A source without a disclaimer of its own takes the first (lowest id) disclaimer one
    of its articles among these carried, so a publisher's block found in an article is
    never dropped; a source with neither is left out. One statement of fixed text
    whatever is reached, so it is prepared once.
    """
    if not (source_ids or article_ids or event_ids or actor_ids):
        return []
    rows = await session.execute(
        _SOURCES_BEHIND,
        {
            "source_ids": sorted(set(source_ids)),
            "article_ids": sorted(set(article_ids)),
            "event_ids": sorted(set(event_ids)),
            "actor_ids": sorted(set(actor_ids)),
        },
    )
    return [SourceDisclaimer(*row) for row in rows.all()]


async def event_disclaimers(
    session: AsyncSession, *, ids: Collection[int]
) -> dict[int, list[SourceDisclaimer]]:
    """For each event, the distinct disclaimers of the articles that report it.

    An article's disclaimer is its own block, else its source's; articles with neither
    add nothing. Sorted by source, then text, so the list is stable.
    """
    heading = func.coalesce(Article.disclaimer_heading, Source.disclaimer_heading)
    text = func.coalesce(Article.disclaimer_text, Source.disclaimer_text)
    statement = (
        select(ArticleEvent.event_id, Source.id, Source.name, Source.domain, heading, text)
        .distinct()
        .join(Article, Article.id == ArticleEvent.article_id)
        .join(Source, Source.id == Article.source_id)
        .where(ArticleEvent.event_id.in_(list(ids)), text.is_not(None))
        .order_by(ArticleEvent.event_id, Source.id, text, heading)
    )
    grouped: dict[int, list[SourceDisclaimer]] = {}
    for event_id, source_id, name, domain, heading_, text_ in (
        await session.execute(statement)
    ).all():
        grouped.setdefault(event_id, []).append(
            SourceDisclaimer(source_id, name, domain, heading_, text_)
        )
    return grouped
