"""The root `Mutation` type: `ingestArticle`.

Expected failures (invalid input, a document that does not validate) come back as
`userErrors` in the payload; nothing is written then. Writes need API keys, which
arrive with access control; until then mutations run only when
NEWSGRAPH_ALLOW_ANONYMOUS_WRITES is set.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from newsgraph.db import models
from newsgraph.errors import DocumentError, InputError, PermissionDeniedError
from newsgraph.ingest.extract import load_extractor
from newsgraph.ingest.importer import store_with_retry
from newsgraph.ingest.pipeline import ArticleInput, document_from_input
from newsgraph.ingest.store import StoreOutcome
from newsgraph.resolvers.context import RequestContext
from newsgraph.resolvers.loaders import load_row
from newsgraph.schema.articles import Article
from newsgraph.schema.info import Info

__all__ = ["Mutation"]

_PATH = re.compile(r"^(?P<path>[\w.\[\]]+): (?P<message>.+)$")


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


@strawberry.type(description="An expected failure of a mutation: which input, what, why.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path to the input at fault.")
    message: str = strawberry.field(description="What is wrong and what to do.")
    code: str = strawberry.field(description="INVALID_INPUT or INVALID_DOCUMENT.")


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


def _user_errors(error: InputError) -> list[UserError]:
    if isinstance(error, DocumentError):
        errors = []
        for problem in error.problems:
            match = _PATH.match(problem)
            path = re.split(r"[.\[\]]+", match["path"].strip("]")) if match else []
            message = match["message"] if match else problem
            errors.append(
                UserError(
                    field=["input", "document", *path], message=message, code="INVALID_DOCUMENT"
                )
            )
        return errors
    return [UserError(field=["input"], message=str(error), code="INVALID_INPUT")]


def _require_write(context: RequestContext) -> None:
    if not context.settings.allow_anonymous_writes:
        raise PermissionDeniedError(
            "writing needs permission: set NEWSGRAPH_ALLOW_ANONYMOUS_WRITES=1 on the server "
            "(API keys with a write scope replace this with access control)"
        )


@strawberry.type(description="Everything that can be written.")
class Mutation:
    @strawberry.mutation(
        description="Ingest an article from text, HTML or a structured document; "
        "ingesting the same content again changes nothing."
    )
    async def ingest_article(self, info: Info, input: IngestArticleInput) -> IngestArticlePayload:
        context = info.context
        _require_write(context)
        settings = context.settings
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
            document = document_from_input(
                article,
                extractor=load_extractor(settings.extractor),
                max_bytes=settings.max_article_bytes,
            )
        except InputError as error:
            return IngestArticlePayload(
                article=None, created=False, outcome=None, user_errors=_user_errors(error)
            )
        async with context.lock:
            if context.session.in_transaction():
                await context.session.rollback()  # reads only: a write commits itself
            try:
                result = await store_with_retry(context.session, document)
            except InputError as error:
                return IngestArticlePayload(
                    article=None, created=False, outcome=None, user_errors=_user_errors(error)
                )
        context.loaders.clear()  # what they hold may be stale now
        row = await load_row(context, models.Article, result.article_id)
        return IngestArticlePayload(
            article=Article.from_row(row) if row else None,
            created=result.outcome is StoreOutcome.CREATED,
            outcome=IngestOutcome(result.outcome.value),
            user_errors=[],
        )
