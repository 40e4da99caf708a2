"""Reading structured documents from `.json`, `.jsonl` files or stdin, one at a time.

Each item carries `where` (file, document number, line) so that every later error can
say exactly which document it is about. Unreadable input becomes an item with an error
instead of an exception, so one bad line does not stop a whole import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["RawDocument", "read_documents"]


@dataclass(frozen=True)
class RawDocument:
    """One document as read (`raw`), or why it could not be read (`error`)."""

    where: str
    raw: Any = None
    error: str | None = None


def read_documents(path: str, *, stdin: TextIO | None = None) -> Iterator[RawDocument]:
    """The documents in `path` (`-` for stdin): a JSON object, a JSON list, or JSON lines."""
    if path == "-":
        text = (stdin or sys.stdin).read()
        yield from _from_text(text, "<stdin>", jsonl=_looks_like_json_lines(text))
        return
    file = Path(path)
    if file.suffix not in {".json", ".jsonl"}:
        yield RawDocument(path, error="not a .json or .jsonl file")
        return
    try:
        if file.suffix == ".jsonl":
            with file.open(encoding="utf-8") as handle:
                yield from _from_lines(handle, path)
        else:
            yield from _from_text(file.read_text(encoding="utf-8"), path, jsonl=False)
    except OSError as exc:
        yield RawDocument(path, error=f"cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        yield RawDocument(path, error=f"not UTF-8 text (byte {exc.start}): save it as UTF-8")


def _looks_like_json_lines(text: str) -> bool:
    """Stdin has no file name to tell: one JSON value is JSON, several lines of them JSONL."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return len(text.strip().splitlines()) > 1
    return False


def _from_text(text: str, name: str, *, jsonl: bool) -> Iterator[RawDocument]:
    if jsonl:
        yield from _from_lines(text.splitlines(), name)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RawDocument(
            name, error=f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        )
        return
    items = data if isinstance(data, list) else [data]
    for number, item in enumerate(items, start=1):
        yield RawDocument(f"{name}: document {number}", raw=item)


def _from_lines(lines: Any, name: str) -> Iterator[RawDocument]:
    number = 0
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        number += 1
        where = f"{name}: document {number} (line {line_number})"
        try:
            yield RawDocument(where, raw=json.loads(line.rstrip("\r\n")))
        except json.JSONDecodeError as exc:
            yield RawDocument(where, error=f"invalid JSON at column {exc.colno}: {exc.msg}")
