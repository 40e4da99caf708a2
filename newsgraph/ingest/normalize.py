"""Raw text and HTML into clean lines: one paragraph or heading per line.

Typographic quotes and dashes become plain ones (so patterns and spans agree), spaces
are folded, and what scrapers leave behind is dropped: "Table of Contents", a "Toggle"
glued to a heading, share buttons, "Advertisement", "Read more: ..." links. A wire
dateline ("LONDON, June 9 (Reuters) -", "STUTTGART, Germany, Oct 30 -") is cut from the
first paragraph, the one under the headline when there is one, and kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newsgraph.errors import InputError

__all__ = ["CleanText", "html_to_text", "normalize_text"]

_CHARACTERS = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
        "\u200b": "", "\u00ad": "", "\ufeff": "",
    }
)  # fmt: skip
_RESIDUE_LINE = re.compile(
    r"^(?:table of contents|contents|toggle|share(?: this(?: article| story)?)?(?: on \w+)?|"
    r"advertisement|sponsored|subscribe(?: now)?|sign up.*newsletter.*|print|"
    r"(?:read more|related|also read|see also|recommended)\s*:.*|"
    r"(?:facebook|twitter|x|linkedin|whatsapp|email|copy link)(?:\s+\w+)?)$",
    re.IGNORECASE,
)
_GLUED_TOGGLE = re.compile(r"^Toggle(?=[A-Z])")
_DATELINE = re.compile(
    r"^(?P<dateline>[A-Z][A-Z .'-]{1,40}(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?=,))?"
    r"(?:,\s*[A-Z][A-Za-z]+\.?\s+\d{1,2})?(?:\s*\((?:[A-Z][\w ]{1,20})\))?)\s+-\s+(?=[A-Z\"])"
)
# A first line that cannot be the story's first paragraph: a headline above it.
_HEADLINE = re.compile(r"^(?!.*[.!?\"]$)(?:\S+\s+){0,24}\S+$")
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CleanText:
    """Normalised lines, and the wire dateline when the first paragraph had one."""

    lines: list[str]
    dateline: str | None = None


def decode(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """Bytes as UTF-8 text, refusing what is not text."""
    if len(data) > max_bytes:
        raise InputError(
            f"the text is {len(data):,} bytes, over the limit of {max_bytes:,} bytes "
            "(NEWSGRAPH_MAX_ARTICLE_BYTES)"
        )
    if b"\x00" in data:
        raise InputError("the input is binary data (it contains NUL bytes), not article text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the input is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r});"
            " save it as UTF-8"
        ) from None


def normalize_text(text: str) -> CleanText:
    """Clean lines from raw article text (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(_CHARACTERS)
    lines: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        line = _GLUED_TOGGLE.sub("", line)
        if line and not _RESIDUE_LINE.match(line):
            lines.append(line)
    if not lines or not any(len(line) > 40 for line in lines):
        raise InputError("the text has no article in it (no paragraph of more than 40 characters)")
    dateline = None
    first = (
        1 if len(lines) > 1 and _HEADLINE.match(lines[0]) and not _DATELINE.match(lines[0]) else 0
    )
    match = _DATELINE.match(lines[first])
    if match:
        dateline = match.group("dateline").strip()
        lines[first] = lines[first][match.end() :]
    return CleanText(lines, dateline)


def html_to_text(html: str) -> str:
    """The article text of an HTML page (trafilatura), or an error when it has none."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text or len(text.strip()) < 40:
        raise InputError("the HTML page has no article body that could be extracted")
    return str(text)
