"""What `newsgraph ingest` and `extract` read: files, folders and stdin, text, HTML or documents.

A text or HTML file may have a sidecar `NAME.meta.json` beside it with its metadata
(`published_at`, `url`, `source: {name, domain, url}`); command-line options fill what
the sidecar leaves out. Structured documents (`.json`, `.jsonl`) carry their own.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from newsgraph.errors import InputError
from newsgraph.ingest.files import DOCUMENT_SUFFIXES, read_documents
from newsgraph.ingest.items import Item
from newsgraph.ingest.normalize import MAX_BYTES, decode
from newsgraph.ingest.pipeline import ArticleInput

__all__ = ["Defaults", "article_from_bytes", "collect", "input_size"]

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
SIDECAR = ".meta.json"


@dataclass(frozen=True)
class Defaults:
    """Metadata from the command line, for articles that do not say otherwise."""

    published_at: str | None = None
    url: str | None = None
    source_name: str | None = None
    source_domain: str | None = None


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if (
                child.is_file()
                and not child.name.endswith(SIDECAR)
                and (child.suffix in TEXT_SUFFIXES | HTML_SUFFIXES | DOCUMENT_SUFFIXES)
            ):
                yield child
    else:
        yield path


def input_size(paths: list[str]) -> int | None:
    """The bytes `collect` will read from `paths`; None when unknown (stdin)."""
    total = 0
    for raw_path in paths:
        if raw_path == "-":
            return None
        path = Path(raw_path)
        if path.exists():
            total += sum(file.stat().st_size for file in _files(path))
    return total


def _sidecar(path: Path) -> dict[str, Any]:
    meta = path.with_name(path.stem + SIDECAR)
    if not meta.exists():
        return {}
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{meta}: not a readable JSON object ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{meta}: expected a JSON object")
    return data


def article_from_bytes(
    data: bytes,
    where: str,
    defaults: Defaults,
    *,
    path: Path | None = None,
    max_bytes: int = MAX_BYTES,
) -> ArticleInput:
    """A text or HTML article as read from `path` (or stdin), with its sidecar's metadata."""
    meta = _sidecar(path) if path is not None else {}
    content = decode(data, max_bytes=max_bytes)
    html = (path is not None and path.suffix in HTML_SUFFIXES) or content.lstrip()[
        :15
    ].lower().startswith(("<!doctype", "<html"))
    source: dict[str, Any] = meta["source"] if isinstance(meta.get("source"), dict) else {}
    return ArticleInput(
        text=None if html else content,
        html=content if html else None,
        where=where,
        url=meta.get("url") or defaults.url,
        published_at=meta.get("published_at") or defaults.published_at,
        source_name=source.get("name") or defaults.source_name,
        source_domain=source.get("domain") or defaults.source_domain,
        source_url=source.get("url"),
    )


def collect(
    paths: list[str],
    defaults: Defaults,
    *,
    max_bytes: int = MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Item]:
    """Everything to ingest under `paths`, in order."""
    for raw_path in paths:
        if raw_path == "-":
            data = (stdin or sys.stdin.buffer).read()
            if data.lstrip().startswith((b"{", b"[")):
                yield from read_documents("-", stdin=io.BytesIO(data))
            else:
                yield _article_item("<stdin>", defaults, max_bytes, data=data)
            continue
        path = Path(raw_path)
        if not path.exists():
            yield Item(raw_path, error="no such file or folder")
            continue
        for file in _files(path):
            if file.suffix in DOCUMENT_SUFFIXES:  # a document carries its own metadata
                yield from read_documents(str(file))
            else:
                yield _article_item(str(file), defaults, max_bytes, path=file)


def _article_item(
    where: str,
    defaults: Defaults,
    max_bytes: int,
    *,
    data: bytes | None = None,
    path: Path | None = None,
) -> Item:
    """The article in `data`, else in the file at `path`; an item with the error if none."""
    try:
        if data is None:
            assert path is not None
            data = path.read_bytes()
        article = article_from_bytes(data, where, defaults, path=path, max_bytes=max_bytes)
    except OSError as exc:
        return Item(where, error=f"cannot read: {exc.strerror or exc}")
    except InputError as exc:
        return Item(where, error=str(exc))
    return Item(where, len(data), article=article)
