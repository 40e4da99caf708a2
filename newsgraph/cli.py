"""The `newsgraph` command: serve, db, keys, import, extract, ingest, export-schema.

Settings are read once here and passed down. Errors newsgraph raises on purpose are
printed as one line on stderr (exit status 1); stdout carries only a command's output.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from newsgraph import defaults
from newsgraph.access.scopes import Scope
from newsgraph.errors import InputError, NewsgraphError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from newsgraph.ingest.bulk.summary import ImportSummary
    from newsgraph.settings import Settings

__all__ = ["app", "main"]

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
# What `serve --help` shows as defaults: those the settings take (not the environment's).
_DEFAULTS = {"host": defaults.HOST, "port": defaults.PORT}


def _with_setting_default(help_text: str, setting: str) -> str:
    """Help for an option that overrides a setting: its variable, else the setting's default.

    Written out rather than `show_default`, which typer prints in parentheses as if the
    default were computed.
    """
    variable = f"{defaults.ENV_PREFIX}{setting.upper()}"
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


# Commands import what they need when they run: `newsgraph --help` and an import start
# without loading uvicorn, Alembic, SQLAlchemy or the GraphQL schema.


def _settings() -> Settings:
    from newsgraph.logs import configure_logging
    from newsgraph.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def _run(action: Callable[[], T]) -> T:
    """Run a command body, turning deliberate errors into one line and exit status 1."""
    try:
        return action()
    except NewsgraphError as exc:
        _error(str(exc))
    except Exception as exc:
        from newsgraph.db.failures import is_unavailable, sqlstate

        if not (isinstance(exc, OSError) or is_unavailable(exc) or sqlstate(exc)):
            raise
        reason = getattr(exc, "orig", None) or exc
        _error(f"the database failed: {type(reason).__name__}: {reason}".split("\n")[0])
    raise typer.Exit(1)


def _error(message: str) -> None:
    typer.secho("error:", fg=typer.colors.RED, err=True, nl=False)
    typer.echo(f" {message}", err=True)


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
        from newsgraph import serving
        from newsgraph.db import migrate
        from newsgraph.db.connect import database_url

        settings = _settings()
        serving.exit_cleanly_on_signals()
        overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        settings = settings.model_copy(update=overrides)
        with database_url(settings) as url:
            if migrate_first:
                migrate.upgrade(url)
            asyncio.run(serving.load_demo(url))
            settings = settings.model_copy(update={"database_url": url})
            serving.tune_garbage_collector()
            serving.run_uvicorn(settings, url, workers=workers, reload=reload)

    _run(body)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(metavar="REVISION", hidden=True)] = "head",
) -> None:
    """Migrate the database up to REVISION: a revision id, or head (the default)."""
    from newsgraph.db import migrate

    _run(lambda: _with_url(lambda url: migrate.upgrade(url, revision)))


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(metavar="REVISION", hidden=True)],
) -> None:
    """Migrate the database down to REVISION: a revision id, -1 (one step), or base."""
    from newsgraph.db import migrate

    _run(lambda: _with_url(lambda url: migrate.downgrade(url, revision)))


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at, and whether that is the latest."""
    from newsgraph.db import migrate
    from newsgraph.db.driver import connect

    async def read(url: str) -> set[str]:
        connection = await connect(url)
        try:
            return await migrate.stored_revisions(connection)
        finally:
            await connection.close()

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
    from newsgraph.db import migrate

    _run(
        lambda: _with_url(lambda url: migrate.new_revision(url, message, autogenerate=autogenerate))
    )


def _with_url(action: Callable[[str], T]) -> T:
    from newsgraph.db.connect import database_url

    with database_url(_settings()) as url:
        return action(url)


async def _in_transaction(url: str, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `action` in one committed transaction on a migrated database."""
    from newsgraph.db.engine import make_engine, make_sessionmaker
    from newsgraph.db.migrate import require_head

    await require_head(url)
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
    from newsgraph.access import keys

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
    from rich.console import Console
    from rich.table import Table

    from newsgraph.access import keys

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
    from newsgraph.access import keys

    revoked = _run(
        lambda: _with_url(
            lambda url: asyncio.run(
                _in_transaction(url, lambda session: keys.revoke_key(session, name))
            )
        )
    )
    typer.echo(f"revoked key {name!r} at {revoked:%Y-%m-%d %H:%M:%S} UTC", err=True)


_JOBS_HELP = "Worker processes preparing documents.  [default: the number of cores]"
# Extracting an article costs tens of times what validating a document does: smaller
# batches start storing sooner, while the workers extract the next ones.
INGEST_BATCH_SIZE = 100
_STRICT_HELP = "Any bad document fails the whole import: nothing is written."


@app.command("import")
def import_command(
    files: Annotated[list[str], typer.Argument(metavar="FILE", hidden=True)],
    strict: Annotated[bool, typer.Option("--strict", help=_STRICT_HELP)] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", metavar="N", min=1, help=_JOBS_HELP)
    ] = None,
) -> None:
    """Import structured documents in batches; re-importing changes nothing.

    Each FILE is .json (one document or a list), .jsonl (one per line), or a folder of
    them; - reads stdin. A bad document is reported with its line and left out, the
    others land, and the exit status is 1.
    """

    def body() -> ImportSummary:
        from newsgraph.db.connect import database_url
        from newsgraph.ingest.bulk.command import default_jobs, run_import
        from newsgraph.ingest.files import document_files, read_documents

        paths = document_files(files)
        settings = _settings()
        items = (item for path in paths for item in read_documents(path))
        size = None if "-" in paths else sum(Path(path).stat().st_size for path in paths)
        with database_url(settings) as url:
            return run_import(
                url, items, jobs=jobs or default_jobs(), strict=strict, total_bytes=size
            )

    _report(_run(body))


def _report(summary: ImportSummary) -> None:
    typer.echo(summary.line(), err=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def extract(
    file: Annotated[str, typer.Argument(metavar="FILE", hidden=True)],
    published_at: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Publication date (YYYY-MM-DD or ISO timestamp), if the sidecar has none.",
        ),
    ] = None,
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

    FILE holds the article's text or HTML; - reads stdin. Its metadata comes from the
    sidecar FILE's-stem.meta.json when there is one, as for ingest; options fill in what
    it leaves out. Without a publication date, relative dates resolve against today.
    """
    from newsgraph.ingest.document import parse_document
    from newsgraph.ingest.extract import load_extractor
    from newsgraph.ingest.inputs import Defaults, article_from_bytes
    from newsgraph.ingest.pipeline import design_format, extracted_document

    def body() -> None:
        settings = _settings()
        path = None if file == "-" else Path(file)
        data = sys.stdin.buffer.read() if path is None else _read_bytes(file)
        article = article_from_bytes(
            data,
            file,
            Defaults(published_at, url, source_name, source_domain),
            path=path,
            max_bytes=settings.max_article_bytes,
        )
        raw = extracted_document(
            article,
            extractor=load_extractor(settings.extractor),
            max_bytes=settings.max_article_bytes,
        )
        parse_document(raw, file)  # what is printed must import
        sys.stdout.write(json.dumps(design_format(raw), indent=2, ensure_ascii=False) + "\n")

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
    strict: Annotated[bool, typer.Option("--strict", help=_STRICT_HELP)] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", metavar="N", min=1, help=_JOBS_HELP)
    ] = None,
) -> None:
    """Extract and store articles in batches; re-ingesting changes nothing.

    Each INPUT is a file (.txt, .html, .json, .jsonl) or a folder of them, read
    recursively; - reads stdin. Extraction runs in --jobs worker processes. The same
    text from the same source (without a URL) is one article: after the extractor
    changed, ingesting it again updates it in place.
    """

    def body() -> ImportSummary:
        from newsgraph.db.connect import database_url
        from newsgraph.ingest.bulk.command import default_jobs, run_import
        from newsgraph.ingest.extract import load_extractor
        from newsgraph.ingest.inputs import Defaults, collect, input_size

        settings = _settings()
        load_extractor(settings.extractor)  # a bad NEWSGRAPH_EXTRACTOR stops it here
        items = collect(
            paths,
            Defaults(published_at, url, source_name, source_domain),
            max_bytes=settings.max_article_bytes,
        )
        with database_url(settings) as database:
            return run_import(
                database,
                items,
                jobs=jobs or default_jobs(),
                strict=strict,
                total_bytes=input_size(paths),
                extractor=settings.extractor,
                max_bytes=settings.max_article_bytes,
                batch_size=INGEST_BATCH_SIZE,
            )

    _report(_run(body))


@app.command("graphiql-assets")
def graphiql_assets(
    registry: Annotated[
        str | None,
        typer.Option(
            metavar="URL", help="The npm registry to fetch from.  [default: the public registry]"
        ),
    ] = None,
) -> None:
    """Fetch GraphiQL's pinned files into the data dir; `serve` then serves them itself
    under /graphql/static/ instead of the page loading them from a public CDN."""
    from newsgraph.graphiql_assets import DEFAULT_REGISTRY, fetch_assets
    from newsgraph.http.graphiql import assets_dir

    directory = assets_dir(_settings())
    written = _run(lambda: fetch_assets(directory, registry=registry or DEFAULT_REGISTRY))
    print(f"{len(written)} files fetched; GraphiQL's assets are in {directory}")


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL) on stdout."""
    from newsgraph.schema import default_schema

    sys.stdout.write(default_schema().as_str() + "\n")


def main() -> None:
    """Entry point of the `newsgraph` console script."""
    app()
