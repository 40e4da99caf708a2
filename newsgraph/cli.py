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
import socket
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from uvicorn.supervisors import ChangeReload, Multiprocess

from newsgraph.access import keys
from newsgraph.access.scopes import Scope
from newsgraph.db import migrate
from newsgraph.db.connect import database_url
from newsgraph.db.engine import make_engine, make_sessionmaker
from newsgraph.errors import InputError, NewsgraphError
from newsgraph.ingest.files import RawDocument, read_documents
from newsgraph.ingest.importer import ImportSummary, Pending, import_documents
from newsgraph.logs import configure_logging
from newsgraph.settings import ENV_PREFIX, Settings, load_settings

__all__ = ["app", "main"]

logger = logging.getLogger("newsgraph")
stderr = Console(stderr=True, soft_wrap=True)

# Plain (click-style) help: the rich panels print a Python type name beside every flag,
# `--help <bool>` included. Typer also prints one beside every argument it lists (`<str>`),
# whatever its metavar, so arguments are `hidden` from that list and described in their
# command's help text instead; the usage line still names them by their metavar.
app = typer.Typer(
    name="newsgraph",
    help="News articles as a graph of sources, articles, events, actors and claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(
    help="API keys: create, list, revoke.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(keys_app, name="keys")

T = TypeVar("T")
# Below this many documents an import prints no progress bar.
PROGRESS_THRESHOLD = 20
# Seconds uvicorn lets requests in flight finish after SIGTERM before it cancels them.
GRACEFUL_SHUTDOWN_S = 10
# What `serve --help` shows as defaults, read from the settings' declaration (not the env).
_DEFAULTS = {name: field.default for name, field in Settings.model_fields.items()}


def _with_setting_default(help_text: str, setting: str) -> str:
    """Help for an option that overrides a setting: its variable, else the setting's default.

    Written out rather than `show_default`, which typer prints in parentheses as if the
    default were computed.
    """
    variable = f"{ENV_PREFIX}{setting.upper()}"
    return f"{help_text}  [default: ${variable} if set, else {_DEFAULTS[setting]}]"


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"newsgraph {version('newsgraph')}")
        raise typer.Exit()


@app.callback()
def options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the installed version and exit.",
        ),
    ] = False,
) -> None:
    """Options before any command (the app's `help` above is what `--help` prints)."""


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
    host: Annotated[
        str | None,
        typer.Option(
            metavar="HOST",
            help=_with_setting_default("Address to listen on (0.0.0.0: every interface).", "host"),
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT",
            min=0,
            max=65535,
            help=_with_setting_default("Port to listen on (0: any free one).", "port"),
        ),
    ] = None,
    workers: Annotated[int, typer.Option(metavar="N", min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart when the code changes.")] = False,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Upgrade the database first.")
    ] = True,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql); load the demo into an empty database.

    SIGTERM or Ctrl-C stops it gracefully: requests in flight finish, new ones get 503,
    then the embedded PostgreSQL it started is stopped.
    """

    def body() -> None:
        settings = _settings()
        _exit_cleanly_on_signals()
        overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        settings = settings.model_copy(update=overrides)
        with database_url(settings) as url:
            if migrate_first:
                migrate.upgrade(url)
            asyncio.run(_load_demo(url))
            settings = settings.model_copy(update={"database_url": url})
            _tune_garbage_collector()
            _run_uvicorn(settings, url, workers=workers, reload=reload)

    _run(body)


class _Server(uvicorn.Server):
    """uvicorn's server, saying "serving" once its sockets listen, not before."""

    def __init__(self, config: uvicorn.Config, settings: Settings) -> None:
        super().__init__(config)
        self.settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            bound = [sock.getsockname() for server in self.servers for sock in server.sockets]
            _log_serving(self.settings, bound[0][1], workers=1)


def _run_uvicorn(settings: Settings, url: str, *, workers: int, reload: bool) -> None:
    """Serve in this process, or bind here and supervise worker (or reloading) processes.

    Graceful shutdown is uvicorn's (in-flight requests finish, up to
    `GRACEFUL_SHUTDOWN_S`); the app's `DrainingMiddleware` answers requests that arrive
    meanwhile with 503. With several processes each one drains itself.
    """
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
    }
    if workers == 1 and not reload:
        from newsgraph.server import create_app

        _Server(uvicorn.Config(create_app(settings), **options), settings).run()
        return
    # worker processes import the app afresh and read their settings from the environment
    os.environ["NEWSGRAPH_DATABASE_URL"] = url
    config = uvicorn.Config(
        "newsgraph.server:create_app_from_environment",
        factory=True,
        workers=workers,
        reload=reload,
        **options,
    )
    sock = config.bind_socket()
    # listen before the workers start, so connections queue until one accepts them
    sock.listen(config.backlog)
    _log_serving(settings, sock.getsockname()[1], workers=workers)
    if config.should_reload:
        ChangeReload(config, target=uvicorn.Server(config).run, sockets=[sock]).run()
    else:
        _Supervisor(config, sockets=[sock]).run()


class _Supervisor(Multiprocess):
    """uvicorn's worker supervisor, closing its copy of the listening socket first on stop.

    Otherwise, while the workers drain, the port still listens through the supervisor's
    copy: new connections queue where no worker will ever accept them, and hang until the
    supervisor exits. Closed, they are refused at once, and a client can go elsewhere.
    """

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def _log_serving(settings: Settings, port: int, *, workers: int) -> None:
    """Say where the API listens; GraphiQL's URL only where GraphiQL is on (not public)."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    address = f"http://{host}:{port}"
    extra: dict[str, Any] = {"address": address, "workers": workers}
    if not settings.public:
        extra["graphiql"] = f"{address}/graphql"
    logger.info("serving", extra=extra)


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
    the stack through the `finally` that stops the embedded server. (Worker supervisors
    keep their own handlers and return normally, which unwinds the same way.)
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
def db_upgrade(
    revision: Annotated[str, typer.Argument(metavar="REVISION", hidden=True)] = "head",
) -> None:
    """Migrate the database up to REVISION: a revision id, or head (the default)."""
    _run(lambda: _with_url(lambda url: migrate.upgrade(url, revision)))


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(metavar="REVISION", hidden=True)],
) -> None:
    """Migrate the database down to REVISION: a revision id, -1 (one step), or base."""
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
    message: Annotated[
        str, typer.Option("-m", "--message", metavar="MESSAGE", help="What the revision does.")
    ],
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
    name: Annotated[
        str, typer.Option("--name", metavar="NAME", help="A unique name: who or what uses it.")
    ],
    scope: Annotated[
        Scope,
        typer.Option("--scope", metavar="SCOPE", help="read, write (implies read) or admin (all)."),
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
def keys_revoke(
    name: Annotated[str, typer.Argument(metavar="NAME", hidden=True)],
) -> None:
    """Revoke the key called NAME: every server refuses it from its next request."""
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
    files: Annotated[list[str], typer.Argument(metavar="FILE", hidden=True)],
) -> None:
    """Import structured documents, one transaction each; re-importing changes nothing.

    Each FILE is .json (one document or a list) or .jsonl (one per line); - reads stdin.
    """

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
    file: Annotated[str, typer.Argument(metavar="FILE", hidden=True)],
    published_at: Annotated[
        str,
        typer.Option(metavar="DATE", help="Publication date (YYYY-MM-DD or ISO timestamp)."),
    ],
    source_name: Annotated[
        str | None, typer.Option(metavar="NAME", help="The publisher's name.")
    ] = None,
    source_domain: Annotated[
        str | None, typer.Option(metavar="DOMAIN", help="The publisher's domain.")
    ] = None,
    url: Annotated[
        str | None, typer.Option(metavar="URL", help="Where the article was published.")
    ] = None,
) -> None:
    """Print the structured document of an article (JSON on stdout); no database needed.

    FILE holds the article's text or HTML; - reads stdin.
    """
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
    paths: Annotated[list[str], typer.Argument(metavar="INPUT", hidden=True)],
    published_at: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Publication date for articles that do not give one."),
    ] = None,
    source_name: Annotated[
        str | None, typer.Option(metavar="NAME", help="The publisher's name.")
    ] = None,
    source_domain: Annotated[
        str | None, typer.Option(metavar="DOMAIN", help="The publisher's domain.")
    ] = None,
    url: Annotated[
        str | None, typer.Option(metavar="URL", help="Where the (single) article was published.")
    ] = None,
) -> None:
    """Extract and store articles, one transaction each; re-ingesting changes nothing.

    Each INPUT is a file (.txt, .html, .json, .jsonl) or a folder of them, read
    recursively; - reads stdin.
    """
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
    from newsgraph.schema import default_schema

    sys.stdout.write(default_schema().as_str() + "\n")


def main() -> None:
    """Entry point of the `newsgraph` console script."""
    app()
