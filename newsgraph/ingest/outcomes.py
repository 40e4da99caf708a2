"""What storing a document did, or why it was refused."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Refusal", "StoreOutcome", "StoreResult"]


class StoreOutcome(StrEnum):
    """What storing a document did to its article."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class StoreResult:
    """The article a document landed in, and how many entities it created or updated."""

    article_id: int
    outcome: StoreOutcome
    counts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A document that was not stored: which one, and why (a message a user can act on)."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
