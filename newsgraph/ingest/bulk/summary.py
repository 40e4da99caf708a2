"""What an import did: the final summary line and the exit status come from here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from newsgraph.ingest.outcomes import Refusal, StoreOutcome, StoreResult

__all__ = ["ImportSummary"]


@dataclass
class ImportSummary:
    """Documents read, what became of them, and how long it took."""

    documents: int = 0
    failed: int = 0  # refused: invalid, or clashing with what is stored
    outcomes: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # False when a --strict import met a bad document and wrote nothing
    written: bool = True

    def add(self, result: StoreResult | Refusal) -> None:
        """Count one document's result."""
        self.documents += 1
        if isinstance(result, Refusal):
            self.failed += 1
            self.errors.append(str(result))
        else:
            self.outcomes[result.outcome.value] += 1
            self.counts.update(result.counts)

    def line(self) -> str:
        """One line: documents, what became of them, entities touched, time and rate."""
        parts = [
            *(f"{self.outcomes[o.value]} {o.value}" for o in StoreOutcome),
            f"{self.failed} refused",
        ]
        touched = [
            f"{value} {name.replace('_', ' ')}"
            for name, value in sorted(self.counts.items())
            if value
        ]
        line = f"{self.documents} documents: {', '.join(parts)}"
        if touched:
            line += f"; {', '.join(touched)}"
        if self.seconds:
            line += f"; {self.seconds:.1f} s, {self.documents / self.seconds:,.0f} documents/s"
        if not self.written:
            line += "; nothing was written (--strict: every document must be valid)"
        return line
