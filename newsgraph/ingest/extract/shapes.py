"""The shapes names take in running text: capitalised words (accents and all), people's
names with particles and initials, acronyms, and the words that start a capitalised
phrase without naming anyone. Every finder builds its patterns from these.
"""

from __future__ import annotations

import re

__all__ = [
    "ACRONYM",
    "CAP_WORD",
    "NAME_TOKEN",
    "NOT_NAMES",
    "NOT_ORGANIZATIONS",
    "PERSON_NAME",
    "PROPER_PHRASE",
    "is_name_like",
]

_UPPER = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
_LOWER = "a-zß-öø-ÿ\u0100-\u017f"
# One capitalised word of a name: "Zielińska", "Al-Mansouri", "O'Neil", "McCarthy".
NAME_TOKEN = rf"(?:O'|Mc)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+|'[{_UPPER}][{_LOWER}]+)*"
_PARTICLE = r"(?:bin|bint|al|el|de|da|di|van|von|der|del|la|le|du|dos|das|ter|ten)"
# A person's name: given name, maybe an initial, one or two more names (with particles).
PERSON_NAME = rf"{NAME_TOKEN}(?: [A-Z]\.)?(?: (?:{_PARTICLE} )?{NAME_TOKEN}){{1,2}}"
ACRONYM = r"[A-Z][A-Z&]{1,6}\+?"
# A word that may stand in an organisation's name: "AT&T", "CoinShares", "J.P.", "Pilots'".
CAP_WORD = rf"(?:(?:[A-Z]\.){{2,}}|{ACRONYM}(?![\w.])|[{_UPPER}][\w&'-]*)"
# A proper name of up to four words on one line, maybe joined by "&".
PROPER_PHRASE = rf"{CAP_WORD}(?: (?:& )?{CAP_WORD}){{0,3}}"
# Words that begin a capitalised phrase without naming anyone.
NOT_NAMES = {
    "The", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "By", "For", "To",
    "From", "With", "As", "Of", "Its", "His", "Her", "Their", "Our", "It", "He", "She", "They",
    "We", "I", "You", "However", "Although", "Additionally", "Besides", "Meanwhile", "But",
    "And", "Or", "If", "When", "While", "After", "Before", "Under", "Asked", "Speaking",
    "Writing", "Other", "Some", "Most", "Many", "Several", "Critics", "Analysts",
    "Economists", "Lawyers", "Investors", "Traders", "Markets", "Shares", "Stocks",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "Bitcoin", "Ether", "Ethereum", "Brent", "Dow",
    "Nasdaq", "Nikkei", "Sterling", "Treasury", "Treasuries", "Futures", "Early",
    "Late", "Last", "Next", "New", "Data", "Revenue", "Sales", "Inflation", "Core",
    "Services", "Energy", "Oil", "Prices", "Trade", "Turnout", "Residents", "Supervisors",
    "Republicans", "Democrats", "Republican", "Democrat", "Opposition", "Prosecutors",
    "Business", "Leaders", "Both", "Each", "Every", "All", "No", "Not", "Only", "Also",
    "Unions", "Ports", "Western", "State", "Federal", "National", "Global", "World",
    "Bankers", "Experts", "Officials", "Voters", "Lawmakers", "Ministers", "Senators",
}  # fmt: skip
# Words that begin a sentence or a phrase, never an organisation's name.
NOT_ORGANIZATIONS = {
    "The", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "By", "For", "To",
    "From", "With", "As", "Of", "Its", "His", "Her", "Their", "Our", "It", "He", "She", "They",
    "We", "I", "You", "However", "Although", "But", "And", "Or", "If", "When", "While",
    "After", "Before", "Under", "Asked", "Speaking", "Writing", "Other", "Some", "Most",
    "Many", "Several", "Critics", "Analysts", "Economists", "Lawyers", "Investors", "Traders",
    "Markets", "Shares", "Stocks", "Residents", "Both", "Each", "Every", "All", "No", "Not",
    "Only", "Also", "Unions", "Prosecutors", "Bankers", "Experts", "Officials", "Data",
    "Revenue", "Sales", "Prices", "Turnout", "Inflation", "Futures", "Early", "Late", "Last",
    "Next", "Meanwhile", "Besides", "Additionally", "Until", "Since", "During",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "Supervisors", "Republicans", "Democrats", "Leaders",
}  # fmt: skip

_NAME_LIKE = re.compile(rf"^{NAME_TOKEN}$")


def is_name_like(word: str) -> bool:
    """A capitalised word that could be part of a name (not a stop word)."""
    return bool(_NAME_LIKE.match(word)) and word not in NOT_NAMES
