"""Articles: `ingestArticle` (text, HTML or a structured document) and `deleteArticle`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from newsgraph.db import models
from newsgraph.edit.articles import DeletedArticle, delete_article
from newsgraph.errors import InputError
from newsgraph.ingest.extract import load_extractor
from newsgraph.ingest.pipeline import ArticleInput, prepared_from_input
from newsgraph.ingest.store import StoreOutcome, StoreResult, store_prepared
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.articles import Article
from newsgraph.schema.info import Info
from newsgraph.schema.mutations.payloads import UserError, attempt, row_id, user_errors

__all__ = ["ArticleMutations"]


@strawberry.input(description="The publisher of an article being ingested.")
class SourceInput:
    name: str | None = strawberry.field(default=None, description="The publisher's name.")
    domain: str | None = strawberry.field(default=None, description="Its web domain.")
    url: str | None = strawberry.field(default=None, description="Its home page.")


@strawberry.input(description="An article to ingest: exactly one of text, html and document.")
class IngestArticleInput:
    text: str | None = strawberry.field(default=None, description="The article as plain text.")
    html: str | None = strawberry.field(default=None, description="The article's web page.")
    document: JSON | None = strawberry.field(
        default=None, description="A structured document (the import format)."
    )
    url: str | None = strawberry.field(default=None, description="Where it was published.")
    published_at: datetime | None = strawberry.field(
        default=None, description="When it was published (relative dates resolve against it)."
    )
    source: SourceInput | None = strawberry.field(default=None, description="Its publisher.")


@strawberry.enum(description="What ingesting did to the article.")
class IngestOutcome(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@strawberry.type(description="The result of `ingestArticle`.")
class IngestArticlePayload:
    article: Article | None = strawberry.field(description="The article, as stored.")
    created: bool = strawberry.field(description="True when the article is new.")
    outcome: IngestOutcome | None = strawberry.field(description="Created, updated or unchanged.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="The result of `deleteArticle`: what went with the article.")
class DeleteArticlePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="The article's ID.")
    deleted_event_ids: list[relay.GlobalID] = strawberry.field(
        description="Events only this article reported."
    )
    deleted_actor_ids: list[relay.GlobalID] = strawberry.field(
        description="Actors nothing else mentions, quotes or involves."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


def _failed(errors: list[UserError]) -> IngestArticlePayload:
    return IngestArticlePayload(article=None, created=False, outcome=None, user_errors=errors)


@strawberry.type
class ArticleMutations:
    @strawberry.mutation(
        description="Ingest an article from text, HTML or a structured document; "
        "ingesting the same content again changes nothing."
    )
    async def ingest_article(self, info: Info, input: IngestArticleInput) -> IngestArticlePayload:
        settings = info.context.settings
        source = input.source or SourceInput()
        article = ArticleInput(
            text=input.text,
            html=input.html,
            document=input.document,
            url=input.url,
            published_at=input.published_at.isoformat() if input.published_at else None,
            source_name=source.name,
            source_domain=source.domain,
            source_url=source.url,
            where="input",
        )
        try:
            document = prepared_from_input(
                article,
                extractor=load_extractor(settings.extractor),
                max_bytes=settings.max_article_bytes,
            )
        except InputError as error:
            return _failed(user_errors(error))
        stored, errors = await attempt(info, lambda session: store_prepared(session, document))
        if stored is None:
            return _failed(errors)
        return await _ingested(info, stored)

    @strawberry.mutation(
        description="Delete an article with its claims, and the events and actors only it "
        "supported; what other articles also support stays."
    )
    async def delete_article(self, info: Info, id: relay.GlobalID) -> DeleteArticlePayload:
        deleted, errors = await attempt(
            info, lambda session: delete_article(session, row_id(id, "Article", "id"))
        )
        return _deletion(deleted, errors)


async def _ingested(info: Info, stored: StoreResult) -> IngestArticlePayload:
    row = await load_row(info.context, models.Article, stored.article_id)
    return IngestArticlePayload(
        article=Article.from_row(row) if row else None,
        created=stored.outcome is StoreOutcome.CREATED,
        outcome=IngestOutcome(stored.outcome.value),
        user_errors=[],
    )


def _deletion(deleted: DeletedArticle | None, errors: list[UserError]) -> DeleteArticlePayload:
    if deleted is None:
        return DeleteArticlePayload(
            deleted_id=None, deleted_event_ids=[], deleted_actor_ids=[], user_errors=errors
        )
    return DeleteArticlePayload(
        deleted_id=relay.GlobalID("Article", str(deleted.article_id)),
        deleted_event_ids=[relay.GlobalID("Event", str(i)) for i in deleted.event_ids],
        deleted_actor_ids=[relay.GlobalID("Actor", str(i)) for i in deleted.actor_ids],
        user_errors=[],
    )
