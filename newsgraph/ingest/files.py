"""Reading structured documents from `.json` and `.jsonl` files, folders of them, or stdin.

Documents are read one at a time, so an import holds a few of them in memory whatever
the size of its input: JSON lines line by line, a JSON list element by element. Each
item carries `where` (file, document number, line) so that every later error can say
exactly which document it is about. Unreadable input becomes an item with an error
instead of an exception, so one bad line does not stop a whole import; JSON that breaks
off in a `.json` file ends that file (there is no next line to start again from).
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from newsgraph.errors import InputError
from newsgraph.ingest.items import Item

__all__ = [
    "DOCUMENT_SUFFIXES",
    "MAX_DOCUMENT_BYTES",
    "RawDocument",
    "document_files",
    "read_documents",
]

DOCUMENT_SUFFIXES = frozenset({".json", ".jsonl"})
# A document in a `.json` file is read until it is complete; past this it is refused.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class RawDocument:
    """A structured document as a Python value (built in code, or read elsewhere)."""

    where: str
    raw: Any = None
    error: str | None = None

    def item(self) -> Item:
        """The document as an item to import."""
        if self.error is not None:
            return Item(self.where, error=self.error)
        text = orjson.dumps(self.raw)
        return Item(self.where, len(text), document=text)


def document_files(paths: Iterable[str]) -> list[str]:
    """The files `newsgraph import` reads: files as given, folders by the `.json` and
    `.jsonl` files in them (recursively, in name order); `-` (stdin) as it is.

    Raises `InputError` saying what is wrong with a path that gives no document file.
    """
    found: list[str] = []
    for path in paths:
        if path == "-":
            found.append(path)
            continue
        given = Path(path)
        if given.is_dir():
            files = sorted(p for p in given.rglob("*") if p.is_file())
            documents = [p for p in files if p.suffix in DOCUMENT_SUFFIXES]
            if not documents:
                raise InputError(_no_documents_in(path, files))
            found.extend(str(p) for p in documents)
        elif given.is_file():
            if given.suffix not in DOCUMENT_SUFFIXES:
                raise InputError(
                    f"{path}: not a .json or .jsonl file; import reads structured documents "
                    f"(`newsgraph ingest {path}` extracts an article from text or HTML)"
                )
            found.append(path)
        elif given.exists():
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def _no_documents_in(path: str, files: list[Path]) -> str:
    if not files:
        return f"{path}: the folder has no files in it"
    examples = ", ".join(p.name for p in files[:3])
    return (
        f"{path}: the folder has no .json or .jsonl file in it ({len(files)} other "
        f"file{'s' if len(files) > 1 else ''}, such as {examples}); import reads structured "
        f"documents (`newsgraph ingest {path}` extracts articles from text and HTML)"
    )


def read_documents(path: str, *, stdin: BinaryIO | None = None) -> Iterator[Item]:
    """The documents in `path` (`-` for stdin): a JSON object, a JSON list, or JSON lines."""
    if path == "-":
        yield from _read(stdin or sys.stdin.buffer, "<stdin>", lines=None)
        return
    file = Path(path)
    if file.suffix not in DOCUMENT_SUFFIXES:
        yield Item(path, error="not a .json or .jsonl file")
        return
    try:
        with file.open("rb") as handle:
            yield from _read(handle, path, lines=file.suffix == ".jsonl")
    except OSError as exc:
        yield Item(path, error=f"cannot read: {exc.strerror or exc}")


def _read(handle: BinaryIO, name: str, *, lines: bool | None) -> Iterator[Item]:
    """Documents from `handle`: JSON lines, or JSON (`lines` None: stdin, whichever it is)."""
    first = handle.readline()
    if lines is None:
        lines = _is_json_line(first)
    if lines:
        yield from _from_lines(_chain(first, handle), name)
    else:
        yield from _from_json(_chain(first, handle), name)


def _is_json_line(line: bytes) -> bool:
    """Stdin has no file name to tell: a first line that is a whole JSON object is JSONL."""
    text = line.strip()
    if not text.startswith(b"{"):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _chain(first: bytes, handle: BinaryIO) -> Iterator[bytes]:
    yield first
    yield from handle


def _from_lines(lines: Iterable[bytes], name: str) -> Iterator[Item]:
    number = 0
    for line_number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        number += 1
        where = f"{name}: document {number} (line {line_number})"
        yield Item(where, len(line), document=line.rstrip(b"\r\n"))


def _from_json(chunks: Iterable[bytes], name: str) -> Iterator[Item]:
    """One JSON value (a document, or a list of them), or several one after another."""
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    source = iter(chunks)
    buffer = ""
    position = 0
    line = 1  # of `position`
    read = 0  # bytes
    ended = False
    in_list: bool | None = None
    expect_comma = False
    number = 0

    def more() -> bool:
        nonlocal buffer, position, ended, read
        if ended:
            return False
        buffer = buffer[position:]
        position = 0
        size = 0
        while size < _CHUNK:
            chunk = next(source, None)
            try:
                if chunk is None:
                    buffer += utf8.decode(b"", final=True)
                    ended = True
                    break
                buffer += utf8.decode(chunk)
            except UnicodeDecodeError as exc:
                raise _NotUtf8Error(read + exc.start) from None
            size += len(chunk)
            read += len(chunk)
        return True

    def skip_whitespace() -> bool:
        """Move past whitespace; False at the end of the input."""
        nonlocal position, line
        while True:
            while position < len(buffer) and buffer[position] in _WHITESPACE:
                line += buffer[position] == "\n"
                position += 1
            if position < len(buffer):
                return True
            if not more():
                return False

    try:
        while skip_whitespace():
            char = buffer[position]
            if in_list is None:
                in_list = char == "["
                if in_list:
                    position += 1
                    continue
            if in_list and char == "]":
                position += 1
                in_list = False  # whatever follows the list is more JSON
                continue
            if in_list and expect_comma:
                if char != ",":
                    yield _broken(name, line, "expected ',' or ']' after a document")
                    return
                position += 1
                expect_comma = False
                continue
            start_line = line
            while True:
                try:
                    _, end = decoder.raw_decode(buffer, position)
                    break
                except json.JSONDecodeError as exc:
                    if len(buffer) - position > MAX_DOCUMENT_BYTES:
                        yield _broken(
                            name, start_line, f"a document over {MAX_DOCUMENT_BYTES:,} bytes"
                        )
                        return
                    if not more():
                        at = line + buffer.count("\n", position, exc.pos)
                        column = exc.pos - buffer.rfind("\n", 0, exc.pos)
                        yield _broken(name, at, exc.msg, column)
                        return
            text = buffer[position:end]
            number += 1
            where = f"{name}: document {number} (line {start_line})"
            document = text.encode()
            yield Item(where, len(document), document=document)
            line += text.count("\n")
            position = end
            expect_comma = bool(in_list)
    except _NotUtf8Error as exc:
        yield Item(name, error=f"not UTF-8 text (byte {exc.offset}): save it as UTF-8")


class _NotUtf8Error(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(f"not UTF-8 at byte {offset}")
        self.offset = offset


def _broken(name: str, line: int, message: str, column: int | None = None) -> Item:
    at = f"line {line}" + (f" column {column}" if column else "")
    return Item(name, error=f"invalid JSON at {at}: {message}")
