"""An article's parts: title, section headings, paragraphs, and the publisher's disclaimer.

The disclaimer is a block headed "Risk Warning", "Risk Disclosure", "Disclaimer",
"Investment Disclaimer" (and kin), or a one-line "not investment/financial/legal advice"
sentence, at the end or the top. It is the publisher's, not the story's: it is taken out
of the body and kept apart. A heading is a short line without final punctuation that a
paragraph follows; the first line is the title when it looks like one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Disclaimer", "Structure", "structure"]

_DISCLAIMER_HEADING = re.compile(
    r"^(?:risk\s+warning|risk\s+disclosure|risk\s+disclaimer|investment\s+disclaimer|"
    r"legal\s+disclaimer|important\s+notice|disclaimer|disclosure)\s*:?\s*$",
    re.IGNORECASE,
)
_DISCLAIMER_INLINE = re.compile(
    r"^(?P<heading>risk\s+warning|risk\s+disclosure|investment\s+disclaimer|disclaimer|"
    r"disclosure)\s*:\s+(?P<text>.+)$",
    re.IGNORECASE,
)
_NOT_ADVICE = re.compile(
    r"\bnot\b.{0,40}\b(?:investment|financial|legal|trading|tax)\s+advice\b|"
    r"\bdo your own research\b|\bshould not be (?:construed|considered|taken) as\b",
    re.IGNORECASE,
)
_FINAL_PUNCTUATION = (".", "!", ":", ";", ",", '"', "'", ")")
MAX_HEADING_WORDS = 16
MAX_QUESTION_HEADING_WORDS = 10


@dataclass(frozen=True)
class Disclaimer:
    """A disclaimer block: its heading (if any) and its text."""

    heading: str | None
    text: str


@dataclass
class Structure:
    """The parts of one article."""

    title: str | None
    body: str
    paragraphs: list[str]
    sections: list[tuple[str, str]] = field(default_factory=list)
    disclaimer: Disclaimer | None = None


def _looks_like_heading(line: str, following: str | None) -> bool:
    """Short, capitalised, no final punctuation (a short question may end in "?"),
    and followed by a longer line; one word will do when it is a word ("Reactions")."""
    words = line.split()
    if following is None or len(following) <= len(line) or not line[0].isupper():
        return False
    if line.endswith("?"):
        return 1 < len(words) <= MAX_QUESTION_HEADING_WORDS
    if len(words) == 1:
        return line.isalpha() and len(line) > 3
    return len(words) <= MAX_HEADING_WORDS and not line.endswith(_FINAL_PUNCTUATION)


def _take_disclaimer(lines: list[str]) -> tuple[list[str], Disclaimer | None]:
    """Cut a disclaimer block from the end (preferred) or the top of the lines."""
    for index in range(len(lines) - 1, 0, -1):  # a block after some story
        if len(lines) - index > 4:
            break
        if _DISCLAIMER_HEADING.match(lines[index]) and index + 1 < len(lines):
            text = " ".join(lines[index + 1 :])
            return lines[:index], Disclaimer(lines[index].rstrip(": "), text)
        inline = _DISCLAIMER_INLINE.match(lines[index])
        if inline and index == len(lines) - 1:
            return lines[:index], Disclaimer(inline["heading"], inline["text"])
    if lines and _NOT_ADVICE.search(lines[-1]) and len(lines[-1]) < 400:
        return lines[:-1], Disclaimer(None, lines[-1])
    for index in range(min(3, len(lines))):
        if _DISCLAIMER_HEADING.match(lines[index]) and index + 1 < len(lines):
            return lines[:index] + lines[index + 2 :], Disclaimer(
                lines[index].rstrip(": "), lines[index + 1]
            )
        inline = _DISCLAIMER_INLINE.match(lines[index])
        if inline:
            return lines[:index] + lines[index + 1 :], Disclaimer(inline["heading"], inline["text"])
        if _NOT_ADVICE.search(lines[index]) and len(lines[index]) < 400:
            return lines[:index] + lines[index + 1 :], Disclaimer(None, lines[index])
    return lines, None


def structure(lines: list[str]) -> Structure:
    """Split clean lines into title, sections, paragraphs and disclaimer."""
    lines, disclaimer = _take_disclaimer(list(lines))
    title = None
    if len(lines) > 1 and not lines[0].endswith((".", '"')) and len(lines[0].split()) <= 25:
        title = lines[0]
        lines = lines[1:]
    sections: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    current: tuple[str, list[str]] | None = None
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        if _looks_like_heading(line, following):
            if current is not None:
                sections.append((current[0], "\n".join(current[1])))
            current = (line, [])
            continue
        paragraphs.append(line)
        if current is not None:
            current[1].append(line)
    if current is not None:
        sections.append((current[0], "\n".join(current[1])))
    return Structure(
        title=title,
        body="\n".join(lines),
        paragraphs=paragraphs,
        sections=sections,
        disclaimer=disclaimer,
    )
