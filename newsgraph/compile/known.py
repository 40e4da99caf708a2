"""Operations known to compile: the ones the whole pipeline accepted and answered with a
compiled statement, by document text and requested operation name.

For such an operation, every check that depends on the document alone (parsing, the
validation rules, the depth, alias, token and directive limits, introspection in public
mode, the choice of operation) has been passed; only what depends on a request's values
remains to check: its variables, its node estimate, the caller's budget. The short path
(`newsgraph.http.shortcut`) answers them with exactly those, without Strawberry's
per-request machinery. Bounded: an operation forgotten just takes the long path again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from graphql import DocumentNode, OperationDefinitionNode

__all__ = ["Known", "KnownOperations"]


@dataclass(frozen=True)
class Known:
    """A known operation's parsed document and the operation in it."""

    document: DocumentNode
    operation: OperationDefinitionNode


class KnownOperations:
    """A bounded LRU of known operations."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str | None], Known] = OrderedDict()
        self._lock = threading.Lock()

    def remember(
        self,
        query: str | None,
        requested_name: str | None,
        document: DocumentNode,
        operation: OperationDefinitionNode,
    ) -> None:
        """Note that `query` (run with `requested_name`) compiles."""
        if query is None:
            return
        with self._lock:
            self._entries[query, requested_name] = Known(document, operation)
            self._entries.move_to_end((query, requested_name))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get(self, query: str, requested_name: str | None) -> Known | None:
        """The known operation for this text and name, if any."""
        with self._lock:
            found = self._entries.get((query, requested_name))
            if found is not None:
                self._entries.move_to_end((query, requested_name))
            return found
