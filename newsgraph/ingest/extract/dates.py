"""Dates as articles write them ("on Monday", "last month", "June 9"), resolved against
the publication date, with the precision they carry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import dateparser

from newsgraph.db.enums import DatePrecision

__all__ = ["DateMention", "find_dates"]

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_PATTERN = re.compile(
    r"\b(?:(?:on|this|last|next|coming)\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday)\b"
    r"|\b(?P<relative>yesterday|today|tomorrow|last\s+(?:week|month|year)|next\s+(?:week|month|year)"
    r"|this\s+(?:week|month|year)|earlier\s+this\s+(?:week|month|year)|later\s+this\s+(?:week|month|year)"
    r"|(?:a|one|two|three)\s+(?:days?|weeks?)\s+ago)\b"
    rf"|\b(?P<explicit>(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})\b"
    rf"|\b(?:in\s+)(?P<month>(?:{_MONTHS})(?:\s+\d{{4}})?)\b",
)
_FUTURE = re.compile(r"\b(?:will|next|upcoming|scheduled|set to|plans? to|to be held|coming)\b")


@dataclass(frozen=True)
class DateMention:
    """A resolved date expression: where it stands, what it means, how precise it is."""

    start: int
    end: int
    text: str
    value: date | None
    precision: DatePrecision | None


def _month_start(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _resolve(
    match: re.Match[str], published: date, future: bool
) -> tuple[date | None, DatePrecision | None]:
    text = match.group(0).lower()
    if match.group("weekday"):
        target = _WEEKDAYS.index(match.group("weekday").lower())
        if "next" in text or (future and "last" not in text):
            delta = (target - published.weekday()) % 7 or 7
            if "next" in text and delta < 7 and "week" in text:
                delta += 7
            return published + timedelta(days=delta), DatePrecision.DAY
        delta = (published.weekday() - target) % 7
        if "last" in text and delta == 0:
            delta = 7
        return published - timedelta(days=delta), DatePrecision.DAY
    relative = match.group("relative")
    if relative:
        relative = " ".join(relative.lower().split())
        if relative == "yesterday":
            return published - timedelta(days=1), DatePrecision.DAY
        if relative == "today":
            return published, DatePrecision.DAY
        if relative == "tomorrow":
            return published + timedelta(days=1), DatePrecision.DAY
        if relative.endswith("month"):
            shift = {"last": -1, "next": 1}.get(relative.split()[0], 0)
            return _month_start(published, shift), DatePrecision.MONTH
        if relative.endswith("year"):
            shift = {"last": -1, "next": 1}.get(relative.split()[0], 0)
            return date(published.year + shift, 1, 1), DatePrecision.YEAR
        if relative.endswith("ago"):
            amount = {"a": 1, "one": 1, "two": 2, "three": 3}[relative.split()[0]]
            days = amount * (7 if "week" in relative else 1)
            return published - timedelta(days=days), DatePrecision.DAY
        return None, None  # "last week", "this week": no day to name
    if match.group("explicit") or match.group("month"):
        expression = match.group("explicit") or match.group("month")
        settings = {
            "RELATIVE_BASE": _as_datetime(published),
            "PREFER_DATES_FROM": "future" if future else "past",
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["month"],
        }
        parsed = dateparser.parse(expression, languages=["en"], settings=settings)
        if parsed is None:
            return None, None
        if match.group("month"):
            return date(parsed.year, parsed.month, 1), DatePrecision.MONTH
        return parsed.date(), DatePrecision.DAY
    return None, None


def _as_datetime(day: date) -> object:
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 12)


_CLAUSE_START = re.compile(r".*(?:,|;|\bthat\b|\bafter\b|\bbefore\b|\bwhile\b)\s", re.DOTALL)


def _clause_before(sentence: str, position: int) -> str:
    """The clause a date expression stands in, up to the expression."""
    head = sentence[:position]
    match = _CLAUSE_START.match(head)
    return head[match.end() :] if match else head


def find_dates(sentence: str, published: date) -> list[DateMention]:
    """Every date expression in a sentence, resolved; a clause in the future tense
    ("will meet ... on Monday") looks forwards from the publication date."""
    mentions = []
    for match in DATE_PATTERN.finditer(sentence):
        clause = _clause_before(sentence, match.start()) + match.group(0)
        future = bool(_FUTURE.search(clause.lower()))
        value, precision = _resolve(match, published, future)
        mentions.append(DateMention(match.start(), match.end(), match.group(0), value, precision))
    return mentions
