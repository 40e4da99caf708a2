"""The `newsgraph` command: serve, db, keys, import, extract, ingest, export-schema.

Settings are read once here and passed down. Errors newsgraph raises on purpose are
printed as one line on stderr (exit status 1); stdout carries only a command's output.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from newsgraph.access import keys
from newsgraph.access.scopes import Scope
from newsgraph.db import migrate
from newsgraph.db.connect import database_url
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.errors import InputError, NewsgraphError
from newsgraph.ingest.files import RawDocument, read_documents
from newsgraph.ingest.importer import ImportSummary, Pending, import_documents
from newsgraph.logs import configure_logging
from newsgraph.settings import Settings, load_settings

__all__ = ["app", "main"]

logger = logging.getLogger("newsgraph")
stderr = Console(stderr=True, soft_wrap=True)

app = typer.Typer(
    name="newsgraph",
    help="News articles as a graph of sources, articles, events, actors and claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

T = TypeVar("T")
# Below this many documents an import prints no progress bar.
PROGRESS_THRESHOLD = 20


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def _run(action: Callable[[], T]) -> T:
    """Run a command body, turning deliberate errors into one line and exit status 1."""
    try:
        return action()
    except NewsgraphError as exc:
        _error(str(exc))
    except (DBAPIError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        _error(f"the database failed: {type(reason).__name__}: {reason}".split("\n")[0])
    raise typer.Exit(1)


def _error(message: str) -> None:
    stderr.print(f"[red]error:[/red] {escape(message)}", highlight=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [NEWSGRAPH_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [NEWSGRAPH_PORT].")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart when the code changes.")] = False,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Upgrade the database first.")
    ] = True,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql); load the demo into an empty database."""

    def body() -> None:
        import uvicorn

        from newsgraph.server import create_app

        settings = _settings()
        _exit_cleanly_on_signals()
        overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        settings = settings.model_copy(update=overrides)
        with database_url(settings) as url:
            if migrate_first:
                migrate.upgrade(url)
            asyncio.run(_load_demo(url))
            settings = settings.model_copy(update={"database_url": url})
            logger.info(
                "serving",
                extra={"graphiql": f"http://{settings.host}:{settings.port}/graphql"},
            )
            options: dict[str, Any] = {
                "host": settings.host,
                "port": settings.port,
                "log_config": None,
                "access_log": False,
                "timeout_graceful_shutdown": 10,
            }
            _tune_garbage_collector()
            if workers > 1 or reload:
                os.environ["NEWSGRAPH_DATABASE_URL"] = url
                uvicorn.run(
                    "newsgraph.server:create_app_from_environment",
                    factory=True,
                    workers=workers,
                    reload=reload,
                    **options,
                )
            else:
                uvicorn.run(create_app(settings), **options)

    _run(body)


def _tune_garbage_collector() -> None:
    """Collect less often in the server: a response builds thousands of short-lived
    objects, and Python's default thresholds spend a tenth of a feed request in full
    collections that find nothing to free. Objects alive at start are frozen out of it."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _exit_cleanly_on_signals() -> None:
    """Turn SIGTERM/SIGINT into a normal exit, so the embedded PostgreSQL is stopped.

    uvicorn shuts down gracefully on these signals (in-flight requests finish) and then
    raises the signal again with the handlers it found installed: these, which unwind
    the stack through the `finally` that stops the embedded server.
    """
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


async def _load_demo(url: str) -> None:
    from newsgraph.demo import load_demo_if_empty

    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            result = await load_demo_if_empty(session)
        if result is not None:
            logger.info("demo article loaded", extra={"article_id": result.article_id})
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Migrate the database up (to the latest revision by default)."""
    _run(lambda: _with_url(lambda url: migrate.upgrade(url, revision)))


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision: an id, -1, or base.")],
) -> None:
    """Migrate the database down to REVISION."""
    _run(lambda: _with_url(lambda url: migrate.downgrade(url, revision)))


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at, and whether that is the latest."""

    async def read(url: str) -> set[str]:
        engine = make_engine(url, pool_size=1)
        try:
            async with engine.connect() as connection:
                return await migrate.current_revisions(connection)
        finally:
            await engine.dispose()

    def body(url: str) -> None:
        current = asyncio.run(read(url))
        heads = migrate.head_revisions()
        state = "head" if current == heads else f"behind head {', '.join(sorted(heads))}"
        typer.echo(f"{', '.join(sorted(current)) or 'none (empty database)'} ({state})")

    _run(lambda: _with_url(body))


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("-m", "--message", help="What the revision does.")],
    autogenerate: Annotated[
        bool, typer.Option(help="Compare the models with the database to fill it in.")
    ] = True,
) -> None:
    """Write a new migration file (for developers changing the models)."""
    _run(
        lambda: _with_url(lambda url: migrate.new_revision(url, message, autogenerate=autogenerate))
    )


def _with_url(action: Callable[[str], T]) -> T:
    with database_url(_settings()) as url:
        return action(url)


async def _in_transaction(url: str, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `action` in one committed transaction on a migrated database."""
    await migrate.require_head(url)
    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await action(session)
    finally:
        await engine.dispose()


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="A unique name: who or what uses it.")],
    scope: Annotated[
        Scope, typer.Option("--scope", help="read, write (implies read) or admin (all).")
    ] = Scope.READ,
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    created = _run(
        lambda: _with_url(
            lambda url: asyncio.run(
                _in_transaction(url, lambda session: keys.create_key(session, name, scope))
            )
        )
    )
    typer.echo(created.secret)
    typer.echo(
        f"created key {created.name!r} (scope {created.scope}, prefix {created.prefix}); "
        "this is the only time it is shown: send it as `Authorization: Bearer <key>`",
        err=True,
    )


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List every key: name, scope, prefix, created, last used, revoked."""
    found = _run(lambda: _with_url(lambda url: asyncio.run(_in_transaction(url, keys.list_keys))))
    if as_json:
        for info in found:
            typer.echo(json.dumps({**vars(info), "scope": str(info.scope)}, default=str))
        return
    table = Table("name", "scope", "prefix", "created", "last used", "revoked", box=None)
    for info in found:
        table.add_row(
            info.name,
            str(info.scope),
            info.prefix,
            _when(info.created_at),
            _when(info.last_used_at),
            _when(info.revoked_at),
        )
    Console(soft_wrap=True).print(table)


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: every server refuses it from its next request."""
    revoked = _run(
        lambda: _with_url(
            lambda url: asyncio.run(
                _in_transaction(url, lambda session: keys.revoke_key(session, name))
            )
        )
    )
    typer.echo(f"revoked key {name!r} at {revoked:%Y-%m-%d %H:%M:%S} UTC", err=True)


@app.command("import")
def import_command(
    files: Annotated[
        list[str], typer.Argument(help="Document files (.json, .jsonl), or - for stdin.")
    ],
) -> None:
    """Import structured documents, one transaction each; re-importing changes nothing."""

    def body(url: str) -> ImportSummary:
        return asyncio.run(_import(url, files))

    def check_files_then_import() -> ImportSummary:
        missing = [path for path in files if path != "-" and not Path(path).is_file()]
        if missing:
            raise InputError(f"{', '.join(missing)}: no such file")
        return _with_url(body)

    summary = _run(check_files_then_import)
    typer.echo(summary.line(), err=True)
    if summary.failed:
        raise typer.Exit(1)


async def _import(url: str, files: list[str]) -> ImportSummary:
    return await _store_all(url, _all_documents(files), total=_count_documents(files))


async def _store_all(
    url: str, items: Iterable[Pending | RawDocument], total: int | None
) -> ImportSummary:
    """Store every item, one transaction each, with a progress bar on a terminal."""
    await migrate.require_head(url)
    engine = make_engine(url, pool_size=1)
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=(total is not None and total < PROGRESS_THRESHOLD) or not stderr.is_terminal,
    )
    try:
        with progress:
            task = progress.add_task("import", total=total)
            return await import_documents(
                make_sessionmaker(engine),
                items,
                on_error=_error,
                on_done=lambda: progress.advance(task),
            )
    finally:
        await engine.dispose()


def _count_documents(files: list[str]) -> int | None:
    """How many documents the files hold, cheaply (JSON lines); None when unknown."""
    total = 0
    for path in files:
        if not path.endswith(".jsonl") or not Path(path).is_file():
            return None
        with Path(path).open("rb") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


def _all_documents(files: list[str]) -> Iterator[RawDocument]:
    for path in files:
        yield from read_documents(path)


@app.command()
def extract(
    file: Annotated[str, typer.Argument(help="Article text or HTML file, or - for stdin.")],
    published_at: Annotated[
        str, typer.Option(help="Publication date (YYYY-MM-DD or ISO timestamp).")
    ],
    source_name: Annotated[str | None, typer.Option(help="The publisher's name.")] = None,
    source_domain: Annotated[str | None, typer.Option(help="The publisher's domain.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the article was published.")] = None,
) -> None:
    """Print the structured document of an article (JSON on stdout); no database needed."""
    from newsgraph.ingest.document import parse_document
    from newsgraph.ingest.extract import load_extractor
    from newsgraph.ingest.normalize import decode
    from newsgraph.ingest.pipeline import ArticleInput, design_format, extract_document, text_of

    def body() -> None:
        settings = _settings()
        raw = sys.stdin.buffer.read() if file == "-" else _read_bytes(file)
        content = decode(raw, max_bytes=settings.max_article_bytes)
        html = file.endswith((".html", ".htm")) or content.lstrip()[:15].lower().startswith(
            ("<!doctype", "<html")
        )
        article = ArticleInput(text=None if html else content, html=content if html else None)
        source = {"name": source_name, "domain": source_domain}
        raw = extract_document(
            text_of(article, settings.max_article_bytes),
            published_at=published_at,
            source={k: v for k, v in source.items() if v is not None},
            url=url,
            extractor=load_extractor(settings.extractor),
            max_bytes=settings.max_article_bytes,
        )
        parse_document(raw, file)  # what is printed must import
        payload = design_format(raw)
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")

    _run(body)


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files or folders (.txt, .html, .json, .jsonl), or - for stdin."),
    ],
    published_at: Annotated[
        str | None, typer.Option(help="Publication date for articles that do not give one.")
    ] = None,
    source_name: Annotated[str | None, typer.Option(help="The publisher's name.")] = None,
    source_domain: Annotated[str | None, typer.Option(help="The publisher's domain.")] = None,
    url: Annotated[
        str | None, typer.Option(help="Where the (single) article was published.")
    ] = None,
) -> None:
    """Extract and store articles, one transaction each; re-ingesting changes nothing."""
    from newsgraph.ingest.extract import load_extractor
    from newsgraph.ingest.inputs import Defaults, collect

    def body(database: str) -> ImportSummary:
        settings = _settings()
        items = collect(
            paths,
            Defaults(published_at, url, source_name, source_domain),
            extractor=load_extractor(settings.extractor),
            max_bytes=settings.max_article_bytes,
        )
        return asyncio.run(_store_all(database, items, total=None))

    summary = _run(lambda: _with_url(body))
    typer.echo(summary.line(), err=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL) on stdout."""
    from newsgraph.schema import schema

    sys.stdout.write(schema.as_str() + "\n")


def main() -> None:
    """Entry point of the `newsgraph` console script."""
    app()
