"""Words the rule-based extractor knows: titles, countries, demonyms, capitals, triggers.

Country codes come from pycountry; the short names, demonyms and capitals that news
writing uses for countries are listed here, since no package ships them.
"""

from __future__ import annotations

import functools
import re

import pycountry

__all__ = [
    "CAPITALS",
    "COUNTRY_ALIASES",
    "DEMONYMS",
    "GOVERNMENT_HEADS",
    "MEETING_PLACES",
    "ORGANIZATION_HEADS",
    "TITLE_HEADS",
    "TITLE_MODIFIERS",
    "country_code",
]

# Canonical name -> the other names writers use for it.
COUNTRY_ALIASES: dict[str, list[str]] = {
    "United States": ["U.S.", "US", "USA", "U.S.A.", "America", "United States of America"],
    "China": ["People's Republic of China", "PRC", "mainland China"],
    "United Kingdom": ["UK", "U.K.", "Britain", "Great Britain"],
    "Russia": ["Russian Federation"],
    "South Korea": ["Republic of Korea"],
    "North Korea": ["DPRK"],
    "European Union": ["EU", "E.U."],
    "Taiwan": [],
    "Iran": [],
    "Japan": [],
    "India": [],
    "Germany": [],
    "France": [],
    "Canada": [],
    "Mexico": [],
    "Brazil": [],
    "Ukraine": [],
    "Israel": [],
    "Italy": [],
    "Spain": [],
    "Australia": [],
    "Turkey": ["Turkiye"],
    "Saudi Arabia": [],
    "Switzerland": [],
    "Netherlands": [],
    "Poland": [],
    "Vietnam": [],
    "Indonesia": [],
    "Singapore": [],
    "South Africa": [],
    "Egypt": [],
    "Pakistan": [],
    "Qatar": [],
    "Hungary": [],
    "Argentina": [],
}
DEMONYMS: dict[str, str] = {
    "U.S.": "United States", "US": "United States", "American": "United States",
    "Chinese": "China", "British": "United Kingdom", "UK": "United Kingdom",
    "Russian": "Russia", "Japanese": "Japan", "Indian": "India", "German": "Germany",
    "French": "France", "Canadian": "Canada", "Mexican": "Mexico", "Brazilian": "Brazil",
    "Ukrainian": "Ukraine", "Israeli": "Israel", "Italian": "Italy", "Spanish": "Spain",
    "Australian": "Australia", "Turkish": "Turkey", "Saudi": "Saudi Arabia",
    "Swiss": "Switzerland", "Dutch": "Netherlands", "Polish": "Poland",
    "Vietnamese": "Vietnam", "Iranian": "Iran", "Taiwanese": "Taiwan",
    "South Korean": "South Korea", "North Korean": "North Korea", "EU": "European Union",
    "European": "European Union", "Pakistani": "Pakistan", "Egyptian": "Egypt",
    "Qatari": "Qatar", "Hungarian": "Hungary", "Indonesian": "Indonesia",
}  # fmt: skip
CAPITALS: dict[str, str] = {
    "Beijing": "China", "Washington": "United States", "Moscow": "Russia", "Tokyo": "Japan",
    "Brussels": "European Union", "Kyiv": "Ukraine", "Kiev": "Ukraine", "Tehran": "Iran",
    "Berlin": "Germany", "Paris": "France", "New Delhi": "India", "Seoul": "South Korea",
    "Pyongyang": "North Korea", "Ottawa": "Canada", "Taipei": "Taiwan", "Ankara": "Turkey",
    "Riyadh": "Saudi Arabia", "Canberra": "Australia", "Jerusalem": "Israel",
}  # fmt: skip
# Where summits and talks are held, so "the Geneva negotiations" has a place.
MEETING_PLACES = {
    *CAPITALS, "London", "Geneva", "Istanbul", "Doha", "Davos", "Vienna", "Madrid", "Rome",
    "Singapore", "New York", "Stockholm", "Helsinki", "Oslo", "Jeddah", "Dubai", "Hiroshima",
    "Kuala Lumpur", "Bali", "Osaka", "Warsaw", "Budapest", "Minsk", "Abu Dhabi", "Cairo",
}  # fmt: skip
TITLE_HEADS = [
    "Secretary of State", "Secretary-General", "Secretary General", "Vice Premier",
    "Vice President", "Prime Minister", "Trade Representative", "Chief Executive",
    "Foreign Minister", "President", "Premier", "Chancellor", "Minister", "Secretary",
    "Governor", "Senator", "Ambassador", "Spokesperson", "Spokesman", "Spokeswoman",
    "Chairman", "Chairwoman", "Chair", "CEO", "Director", "Commissioner", "Mayor", "King",
    "Queen", "Judge", "Justice", "General", "Representative", "Leader", "Speaker",
    "Envoy", "Negotiator", "Governor",
]  # fmt: skip
TITLE_MODIFIERS = [
    "Treasury", "Commerce", "Trade", "Foreign", "Defense", "Defence", "State", "Finance",
    "Economy", "Interior", "Health", "Energy", "Agriculture", "Deputy", "Chief", "Senior",
    "Former", "Vice", "Prime", "Executive", "Central", "Bank", "Federal", "Reserve",
    "Homeland", "Security", "Economic", "Foreign Affairs", "Competition", "Digital",
]  # fmt: skip
GOVERNMENT_HEADS = [
    "Department", "Ministry", "Embassy", "Commission", "Parliament", "Congress", "Senate",
    "Council", "Court", "Agency", "Bureau", "Office", "Treasury", "House", "Committee",
    "Authority", "Administration", "Consulate", "Cabinet", "Government", "Assembly",
    "Tribunal", "Police", "Army", "Navy", "Central Bank", "Federal Reserve",
]  # fmt: skip
ORGANIZATION_HEADS = [
    "Inc", "Corp", "Corporation", "Company", "Group", "Capital", "Securities", "Exchange",
    "University", "Institute", "Association", "Foundation", "Bank", "Fund", "Partners",
    "Holdings", "Ltd", "LLC", "Technologies", "Labs", "Network", "Organization",
    "Organisation", "Union", "Federation", "Party",
]  # fmt: skip


@functools.cache
def country_code(name: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country by its common name (None when unknown)."""
    special = {
        "European Union": None, "Russia": "RU", "Iran": "IR", "Taiwan": "TW",
        "South Korea": "KR", "North Korea": "KP", "Vietnam": "VN", "Turkey": "TR",
    }  # fmt: skip
    if name in special:
        return special[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
