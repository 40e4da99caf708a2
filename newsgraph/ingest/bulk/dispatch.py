"""Reading ahead: items in batches, inputs stored before looked up, the rest to workers.

A structured document whose input (its JSON value) some article was stored from is not
sent to be validated: it goes on as a `KnownInput`, which the batch store finds unchanged
(or prepares after all, if that article changed since). The others go to the workers in
chunks of about `CHUNK_COST`, so that both workers get some of a batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from newsgraph.ingest.batch.planner import KnownInput
from newsgraph.ingest.batch.store import Entry
from newsgraph.ingest.bulk.workers import Preparer
from newsgraph.ingest.items import Item
from newsgraph.ingest.prepared import document_input_hash

__all__ = ["CHUNK_COST", "Batch", "batches", "dispatch"]

# A structured document costs 1, a text or HTML article to extract ~10.
CHUNK_COST = 50
_ARTICLE_COST = 10
_STORED_INPUTS = "SELECT input_hash FROM article WHERE input_hash = ANY($1::text[])"


@dataclass
class Batch:
    """Items read, and their entries as the workers prepare them."""

    items: list[Item]
    known: list[Entry | None]
    # (positions in the batch, their entries when prepared)
    pending: list[tuple[list[int], Awaitable[list[Entry]]]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """The bytes of input the batch stands for."""
        return sum(item.size for item in self.items)

    async def entries(self) -> list[Entry]:
        """Every entry, in order, once prepared."""
        entries = list(self.known)
        for positions, prepared in self.pending:
            for position, entry in zip(positions, await prepared, strict=True):
                entries[position] = entry
        return [entry for entry in entries if entry is not None]


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """`items` in lists of `size` (the last one shorter)."""
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def dispatch(
    connection: Any, preparer: Preparer, items: list[Item], *, look_up: bool = True
) -> Batch:
    """Look the batch's inputs up (unless not `look_up`), and send the others to be prepared."""
    hashes = [_input_hash(item) for item in items]
    stored: set[str] = set()
    if look_up and any(hashes):
        wanted = sorted({h for h in hashes if h})
        stored = {record[0] for record in await connection.fetch(_STORED_INPUTS, wanted)}
    batch = Batch(items, [None] * len(items))
    for index, (item, input_hash) in enumerate(zip(items, hashes, strict=True)):
        if input_hash in stored:
            assert item.document is not None
            batch.known[index] = KnownInput(item.where, input_hash, item.document)
    waiting = [index for index, entry in enumerate(batch.known) if entry is None]
    for positions in _chunks(items, waiting):
        batch.pending.append((positions, preparer.submit([items[i] for i in positions])))
    return batch


def _chunks(items: list[Item], positions: list[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    cost = 0
    for position in positions:
        chunk.append(position)
        cost += _ARTICLE_COST if items[position].article is not None else 1
        if cost >= CHUNK_COST:
            yield chunk
            chunk, cost = [], 0
    if chunk:
        yield chunk


def _input_hash(item: Item) -> str | None:
    """A structured document's input hash (None for text, or JSON that does not parse)."""
    if item.document is None:
        return None
    try:
        return document_input_hash(orjson.loads(item.document))
    except orjson.JSONDecodeError:
        return None
