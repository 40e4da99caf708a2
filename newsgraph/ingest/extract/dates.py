"""Dates as articles write them ("on Monday", "last month", "June 9", "in May", "in
2023"), resolved against the publication date, with the precision they carry.

The forms are few and fixed, so they are read here directly: a general date parser
costs more than the rest of extraction together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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
    rf"|\b(?:in\s+)(?P<month>(?:{_MONTHS})(?:\s+\d{{4}})?)\b"
    r"|\b(?:in\s+(?:late\s+|early\s+|mid-)?)(?P<year>(?:19|20)\d{2})\b",
)
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTHS.split("|"), 1)}
_FUTURE = re.compile(
    r"\b(?:will|next|upcoming|scheduled|set to|plans? to|to be held|coming|due|is to|are to|"
    r"to (?:open|hold|start|begin|meet|visit|sign|launch|convene|publish|release))\b"
)
_PAST = re.compile(
    r"\b(?:[a-z]+ed|said|was|were|had|did|met|held|took|made|began|won|lost|fell|rose)\b"
)


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
    match: re.Match[str], published: date, future: bool | None
) -> tuple[date | None, DatePrecision | None]:
    text = match.group(0).lower()
    if match.group("weekday"):
        target = _WEEKDAYS.index(match.group("weekday").lower())
        if "next" in text or (future is True and "last" not in text):
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
    if match.group("year"):
        return date(int(match.group("year")), 1, 1), DatePrecision.YEAR
    explicit = match.group("explicit")
    if explicit and re.fullmatch(r"\d{4}-\d{2}-\d{2}", explicit):
        return date.fromisoformat(explicit), DatePrecision.DAY
    if explicit:
        return _day(explicit, published, future)
    if match.group("month"):
        words = match.group("month").split()
        month = _MONTH_NUMBERS[words[0].lower()]
        if len(words) > 1:
            return date(int(words[1]), month, 1), DatePrecision.MONTH
        return _nearest(published, month, 1, future, DatePrecision.MONTH), DatePrecision.MONTH
    return None, None


def _day(
    expression: str, published: date, future: bool | None
) -> tuple[date | None, DatePrecision | None]:
    """ "June 9", "9 June 2025", "October 9, 2026" as a day."""
    words = expression.replace(",", " ").split()
    month_word = next(w for w in words if w.lower() in _MONTH_NUMBERS)
    day_word = next(w for w in words if w[0].isdigit() and len(w.rstrip("stndrh")) <= 2)
    years = [w for w in words if len(w) == 4 and w.isdigit()]
    month, day_number = _MONTH_NUMBERS[month_word.lower()], int(day_word.rstrip("stndrh"))
    try:
        if years:
            return date(int(years[0]), month, day_number), DatePrecision.DAY
        return _nearest(published, month, day_number, future, DatePrecision.DAY), DatePrecision.DAY
    except ValueError:  # "February 30"
        return None, None


def _nearest(
    published: date, month: int, day: int, future: bool | None, precision: DatePrecision
) -> date:
    """The month (or day) of that name after the publication when `future`, before it
    when not, else the nearer of the two (the earlier on a tie)."""
    reference = (
        published if precision is DatePrecision.DAY else date(published.year, published.month, 1)
    )
    candidate = date(published.year, month, day)
    later = candidate if candidate >= reference else date(published.year + 1, month, day)
    earlier = candidate if candidate <= reference else date(published.year - 1, month, day)
    if future is None:
        return later if (later - reference) < (reference - earlier) else earlier
    return later if future else earlier


_CLAUSE_START = re.compile(r".*(?:,|;|\bthat\b|\bwhile\b)\s", re.DOTALL)


def _clause_before(sentence: str, position: int) -> str:
    """The clause a date expression stands in, up to the expression."""
    head = sentence[:position]
    match = _CLAUSE_START.match(head)
    return head[match.end() :] if match else head


def find_dates(sentence: str, published: date) -> list[DateMention]:
    """Every date expression in a sentence, resolved; a clause in the future tense
    ("will meet ... on Monday") looks forwards from the publication date, one in the
    past tense backwards, and a clause without tense ("set sentencing for October 9")
    takes the nearer date."""
    mentions = []
    for match in DATE_PATTERN.finditer(sentence):
        clause = (_clause_before(sentence, match.start()) + match.group(0)).lower()
        future = True if _FUTURE.search(clause) else False if _PAST.search(clause) else None
        value, precision = _resolve(match, published, future)
        mentions.append(DateMention(match.start(), match.end(), match.group(0), value, precision))
    return mentions
