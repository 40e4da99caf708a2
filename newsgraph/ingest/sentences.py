"""Sentence boundaries that survive abbreviations like "U.S." and "Mr."."""

from __future__ import annotations

import re

__all__ = ["first_sentence", "split_sentences"]

# End punctuation (maybe a closing quote), space, then something that can start a sentence.
_CANDIDATE = re.compile(r"[.!?][\"'”’)]?\s+(?=[\"“'‘(]?[A-Z0-9])")
# What may end in a full stop without ending the sentence: initialisms (U.S., U.K.),
# an initial (J.), honorifics.
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Ms|Mrs|Dr|St|Gen|Sen|Rep|Gov|No)\.)$")


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, each stripped."""
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if _ABBREVIATION.search(text[max(0, match.start() - 12) : match.start() + 1]):
            continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def first_sentence(text: str) -> str:
    """The first sentence of `text` (all of it when there is no boundary)."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""
