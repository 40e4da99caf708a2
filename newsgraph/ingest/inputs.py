"""What `newsgraph ingest` reads: files, folders and stdin, text, HTML or documents.

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
from typing import Any, TextIO

from newsgraph.errors import InputError
from newsgraph.ingest.document import Document
from newsgraph.ingest.extract import Extractor
from newsgraph.ingest.files import read_documents
from newsgraph.ingest.importer import Pending, pending_document
from newsgraph.ingest.normalize import MAX_BYTES, decode
from newsgraph.ingest.pipeline import ArticleInput, document_from_input

__all__ = ["Defaults", "collect"]

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
DOCUMENT_SUFFIXES = {".json", ".jsonl"}
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


def _article(where: str, defaults: Defaults, meta: dict[str, Any], **content: str) -> ArticleInput:
    source: dict[str, Any] = meta["source"] if isinstance(meta.get("source"), dict) else {}
    return ArticleInput(
        **content,
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
    extractor: Extractor | None = None,
    max_bytes: int = MAX_BYTES,
    stdin: TextIO | None = None,
) -> Iterator[Pending]:
    """Everything to ingest under `paths`, each with how to build its document."""

    def text_item(where: str, article: ArticleInput) -> Pending:
        def build() -> Document:
            return document_from_input(article, extractor=extractor, max_bytes=max_bytes)

        return Pending(where, build)

    for raw_path in paths:
        if raw_path == "-":
            text = (stdin or sys.stdin).read()
            if text.lstrip().startswith(("{", "[")):
                yield from (
                    pending_document(d) for d in read_documents("-", stdin=io.StringIO(text))
                )
            else:
                yield text_item("<stdin>", _article("<stdin>", defaults, {}, text=text))
            continue
        path = Path(raw_path)
        if not path.exists():
            yield Pending(raw_path, _fails("no such file or folder"))
            continue
        for file in _files(path):
            yield from _file_items(file, defaults, text_item, max_bytes)


def _file_items(
    file: Path, defaults: Defaults, text_item: Any, max_bytes: int
) -> Iterator[Pending]:
    where = str(file)
    if file.suffix in DOCUMENT_SUFFIXES:  # a document carries its own metadata
        yield from (pending_document(item) for item in read_documents(where))
        return
    try:
        meta = _sidecar(file)
        content = decode(file.read_bytes(), max_bytes=max_bytes)
    except InputError as exc:
        yield Pending(where, _fails(str(exc)))
        return
    kind = (
        "html"
        if file.suffix in HTML_SUFFIXES
        or content.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
        else "text"
    )
    yield text_item(where, _article(where, defaults, meta, **{kind: content}))


def _fails(message: str) -> Any:
    def build() -> Document:
        raise InputError(message)

    return build
