"""Trusted documents: the manifest of hash -> document a frontend's build produced.

graphql-codegen's client preset (`persistedDocuments`) writes `persisted-documents.json`
and the Relay compiler its `persistConfig.file`: one JSON object mapping each document's
id to its text. `NEWSGRAPH_TRUSTED_DOCUMENTS` names that file. Its documents can be sent
by id alone (the `persistedQuery` extension or `documentId`), and with
`NEWSGRAPH_PUBLIC=1` they are the only ones anonymous callers may run, sent by id or in
full (`newsgraph.http.persisted`).

Ids are matched without a `sha256:` prefix (codegen writes `sha256:<hex>`, Apollo's
extension sends the bare hex). An id that is a hex digest is checked against its
document when the file is loaded: a manifest edited by hand, or mixed up with another
build's, stops the server with a message instead of answering wrong documents.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import orjson
from graphql import GraphQLSyntaxError, parse

from newsgraph.errors import ConfigurationError, NotTrustedError

__all__ = ["Manifest", "document_key"]

# hex digest length -> the algorithm that makes it (Relay's MD5, codegen's SHA-1 or SHA-256)
_DIGESTS = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX = re.compile(r"^[0-9a-f]+$")
SHA256_PREFIX = "sha256:"


def document_key(identifier: str) -> str:
    """How an id is matched: without its `sha256:` prefix, hex in lower case."""
    bare = identifier.removeprefix(SHA256_PREFIX)
    return bare.lower() if _HEX.match(bare.lower()) else bare


class Manifest:
    """The trusted documents, by id and by text."""

    def __init__(self, path: Path, by_key: dict[str, str]) -> None:
        self.path = path
        self.by_key = by_key
        self.texts = frozenset(by_key.values())

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read and check the manifest at `path` (`NEWSGRAPH_TRUSTED_DOCUMENTS`)."""
        where = f"NEWSGRAPH_TRUSTED_DOCUMENTS ({path})"
        try:
            raw = orjson.loads(path.read_bytes())
        except OSError as exc:
            raise ConfigurationError(f"{where} cannot be read: {exc.strerror}") from None
        except orjson.JSONDecodeError as exc:
            raise ConfigurationError(f"{where} is not JSON: {exc}") from None
        if not isinstance(raw, dict) or not raw:
            raise ConfigurationError(
                f'{where} must be a JSON object of document ids to documents, {{"<id>": '
                '"query ..."}, as graphql-codegen and the Relay compiler write it'
            )
        by_key: dict[str, str] = {}
        for identifier, document in raw.items():
            if not isinstance(document, str):
                raise ConfigurationError(f"{where}: the document of {identifier!r} is not text")
            _check(where, identifier, document)
            by_key[document_key(identifier)] = document
        return cls(path, by_key)

    def get(self, identifier: str) -> str | None:
        """The document with this id (with or without `sha256:`), if listed."""
        return self.by_key.get(document_key(identifier))

    def lists(self, document: str) -> bool:
        """Whether `document` is one of the listed documents, as its text stands."""
        return document in self.texts

    def require(self, document: str | None, *, how: str) -> None:
        """Refuse `document` unless listed: what an anonymous caller of a public server may
        run (over HTTP and over a WebSocket alike). `how` says how to send a listed one."""
        if document is None or not self.lists(document):
            raise NotTrustedError(
                "this server runs only the documents of its trusted-documents manifest "
                f"(NEWSGRAPH_TRUSTED_DOCUMENTS with NEWSGRAPH_PUBLIC): {how}"
            )


def _check(where: str, identifier: str, document: str) -> None:
    """Refuse a document that does not parse, or whose digest id does not match it."""
    try:
        parse(document, no_location=True)
    except GraphQLSyntaxError as exc:
        raise ConfigurationError(
            f"{where}: the document of {identifier!r} is not GraphQL: {exc.message}"
        ) from None
    key = document_key(identifier)
    algorithm = _DIGESTS.get(len(key)) if _HEX.match(key) else None
    if algorithm is None:
        return  # an opaque id (a name, a custom hash): nothing to check it against
    actual = hashlib.new(algorithm, document.encode()).hexdigest()
    if actual != key:
        raise ConfigurationError(
            f"{where}: {identifier!r} is not the {algorithm} of its document "
            f"({actual}): the manifest does not belong to these documents"
        )
