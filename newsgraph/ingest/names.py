"""Normalised forms of names and titles: how actors and events are matched across documents."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalize_name"]

_NOT_WORD = re.compile(r"[^\w]+")
_DOTTED = re.compile(r"(?<=\b\w)\.")


# A document names the same few thousand actors and events over and over (an import
# normalises ~30 names per document): remembering the last ones saves most of the work.
@lru_cache(maxsize=1 << 16)
def normalize_name(value: str) -> str:
    """Case, accents' composition, dots and punctuation folded: `U.S.` and `US` are one name."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    folded = folded.replace("’", "'").replace("'s ", "s ")
    folded = _DOTTED.sub("", folded)
    return " ".join(_NOT_WORD.sub(" ", folded).split())
