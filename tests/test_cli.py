"""The `newsgraph` command, run as a user runs it: a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from newsgraph.cli import app
from newsgraph.db.migrate import head_revisions
from tests.helpers import corpus_paths, counts

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
    assert "6 documents, 6 created, 0 updated, 0 unchanged, 0 failed" in first.stderr
    tally = await counts(database_url)

    second = run("import", *files, url=database_url)
    assert second.returncode == 0, second.stderr
    assert "6 documents, 0 created, 0 updated, 6 unchanged, 0 failed" in second.stderr
    assert await counts(database_url) == tally


async def test_import_jsonl_from_stdin(database_url: str) -> None:
    lines = "\n".join(json.dumps(json.loads(p.read_text())) for p in corpus_paths()[:2])
    result = run("import", "-", url=database_url, stdin=lines + "\n")
    assert result.returncode == 0, result.stderr
    assert "2 documents, 2 created" in result.stderr


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
    assert f"{file}: document 2: actors[0].kind: Input should be 'person'" in result.stderr
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
