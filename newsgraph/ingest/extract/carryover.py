"""What carries over from one sentence to the next within a paragraph: who spoke last,
and a quotation left open."""

from __future__ import annotations

import re

from newsgraph.db.enums import ClaimKind
from newsgraph.ingest.extract.claims import VERB, ClaimFound

__all__ = ["Carryover"]


class Carryover:
    """Claims made complete by the sentences before them in a paragraph.

    A sentence that only goes on quoting is the last speaker's; one that opens a
    quotation the next sentence closes and attributes ('"We are not spending. We are
    repairing ...," Kessler said') is that speaker's; a figure or a forecast no one is
    named for, right after one someone gave, is theirs ("The IMF expects the U.S.
    economy to grow 2% ... Germany itself is expected to expand by just 0.2%.").
    """

    _GIVEN = {ClaimKind.STATISTIC, ClaimKind.PREDICTION}

    def __init__(self) -> None:
        self.last: ClaimFound | None = None
        self.opened: str | None = None
        self.sourced = False  # the last claim only named its source ("..., according to X")

    def read(self, sentence: str, claims: list[ClaimFound]) -> list[ClaimFound]:
        spoken = [c for c in claims if c.claimant is not None]
        last = self.last
        if not spoken and last is not None:
            continued = _quote_continues(sentence, last)
            if continued is not None:
                claims = spoken = [continued]
            elif (
                claims
                and not self.sourced
                and last.kind in self._GIVEN
                and all(c.kind in self._GIVEN for c in claims)
            ):
                claims = spoken = [
                    ClaimFound(
                        c.text,
                        c.kind,
                        last.claimant,
                        [a for a in c.about if a is not last.claimant],
                    )
                    for c in claims
                ]
        if spoken and self.opened is not None and '"' in sentence:
            claims = [ClaimFound(self.opened, ClaimKind.QUOTE, spoken[0].claimant), *claims]
        opens = sentence.startswith('"') and sentence.count('"') % 2 == 1
        self.opened = sentence if opens and not spoken else None
        self.last = spoken[-1] if spoken else None
        self.sourced = "according to" in sentence
        return claims


def _quote_continues(sentence: str, before: ClaimFound | None) -> ClaimFound | None:
    """A sentence that only goes on quoting ('"Cutting too early would ..."') is the
    previous speaker's, when the sentence before was a claim of theirs."""
    if before is None or before.claimant is None or not sentence.startswith('"'):
        return None
    if VERB.search(re.sub(r'"[^"]*"?', " ", sentence)):
        return None  # the sentence says who speaks
    return ClaimFound(sentence, ClaimKind.QUOTE, before.claimant)
