"""Countries as news writing names them: names, short forms, demonyms, capitals and the
cities companies are "based" in, each to its ISO 3166 alpha-2 code.

pycountry gives the codes and the formal names; what writers actually say ("Britain",
"Turkish", "Brasilia") is listed here, since no package ships it.
"""

from __future__ import annotations

import functools

import pycountry

__all__ = [
    "CAPITALS",
    "CITIES",
    "COUNTRY_ALIASES",
    "COUNTRY_FORMS",
    "DEMONYMS",
    "MEETING_PLACES",
    "US_STATES",
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
    "Turkey": ["Turkiye"],
    "Czech Republic": ["Czechia"],
    "Netherlands": ["the Netherlands", "Holland"],
    "United Arab Emirates": ["UAE", "U.A.E."],
    "Vietnam": ["Viet Nam"],
    "Syria": ["Syrian Arab Republic"],
    "Laos": [],
    "Ivory Coast": ["Cote d'Ivoire"],
    "Democratic Republic of Congo": ["DR Congo", "DRC"],
}
_CODES = {
    "European Union": None, "Russia": "RU", "Iran": "IR", "Taiwan": "TW", "South Korea": "KR",
    "North Korea": "KP", "Vietnam": "VN", "Turkey": "TR", "Syria": "SY", "Laos": "LA",
    "Czech Republic": "CZ", "Ivory Coast": "CI", "Democratic Republic of Congo": "CD",
    "Moldova": "MD", "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ",
}  # fmt: skip
# Country names that are also given names, states or islands a story more often means.
_AMBIGUOUS = {"Jersey", "Guernsey", "Georgia", "Jordan", "Chad", "Man", "Christmas Island"}


def _pycountry_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        if "," in name or "(" in name or name in _AMBIGUOUS:
            continue
        names.setdefault(name, [])
    return names


COUNTRY_FORMS: dict[str, str] = {
    form: name
    for name, forms in {**_pycountry_names(), **COUNTRY_ALIASES}.items()
    for form in [name, *forms]
    if name not in {"Russian Federation", "Viet Nam", "Syrian Arab Republic", "Czechia"}
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
    "Qatari": "Qatar", "Hungarian": "Hungary", "Indonesian": "Indonesia", "Irish": "Ireland",
    "Austrian": "Austria", "Belgian": "Belgium", "Danish": "Denmark", "Swedish": "Sweden",
    "Norwegian": "Norway", "Finnish": "Finland", "Portuguese": "Portugal", "Greek": "Greece",
    "Czech": "Czech Republic", "Slovak": "Slovakia", "Romanian": "Romania",
    "Bulgarian": "Bulgaria", "Croatian": "Croatia", "Serbian": "Serbia",
    "Slovenian": "Slovenia", "Lithuanian": "Lithuania", "Latvian": "Latvia",
    "Estonian": "Estonia", "Moldovan": "Moldova", "Belarusian": "Belarus",
    "Georgian": "Georgia", "Armenian": "Armenia", "Azerbaijani": "Azerbaijan",
    "Kazakh": "Kazakhstan", "Argentine": "Argentina", "Argentinian": "Argentina",
    "Chilean": "Chile", "Colombian": "Colombia", "Peruvian": "Peru",
    "Venezuelan": "Venezuela", "Cuban": "Cuba", "Nigerian": "Nigeria", "Kenyan": "Kenya",
    "Ethiopian": "Ethiopia", "South African": "South Africa", "Sudanese": "Sudan",
    "Moroccan": "Morocco", "Algerian": "Algeria", "Tunisian": "Tunisia", "Libyan": "Libya",
    "Emirati": "United Arab Emirates", "Iraqi": "Iraq", "Syrian": "Syria",
    "Lebanese": "Lebanon", "Jordanian": "Jordan", "Afghan": "Afghanistan",
    "Bangladeshi": "Bangladesh", "Thai": "Thailand", "Malaysian": "Malaysia",
    "Filipino": "Philippines", "Philippine": "Philippines", "Singaporean": "Singapore",
    "New Zealand": "New Zealand", "Icelandic": "Iceland", "Luxembourg": "Luxembourg",
    "Kuwaiti": "Kuwait", "Omani": "Oman", "Yemeni": "Yemen", "Palestinian": "Palestine",
    "Ghanaian": "Ghana", "Senegalese": "Senegal", "Ecuadorian": "Ecuador",
    "Uruguayan": "Uruguay", "Paraguayan": "Paraguay", "Bolivian": "Bolivia",
    "Mongolian": "Mongolia", "Sri Lankan": "Sri Lanka", "Nepalese": "Nepal",
}  # fmt: skip
CAPITALS: dict[str, str] = {
    "Beijing": "China", "Washington": "United States", "Moscow": "Russia", "Tokyo": "Japan",
    "Brussels": "European Union", "Kyiv": "Ukraine", "Kiev": "Ukraine", "Tehran": "Iran",
    "Berlin": "Germany", "Paris": "France", "New Delhi": "India", "Seoul": "South Korea",
    "Pyongyang": "North Korea", "Ottawa": "Canada", "Taipei": "Taiwan", "Ankara": "Turkey",
    "Riyadh": "Saudi Arabia", "Canberra": "Australia", "Jerusalem": "Israel",
    "Brasilia": "Brazil", "Rome": "Italy", "Madrid": "Spain", "Warsaw": "Poland",
    "Budapest": "Hungary", "Vienna": "Austria", "Bratislava": "Slovakia",
    "Prague": "Czech Republic",
    "Bucharest": "Romania", "Athens": "Greece", "Lisbon": "Portugal", "Dublin": "Ireland",
    "Stockholm": "Sweden", "Oslo": "Norway", "Helsinki": "Finland", "Copenhagen": "Denmark",
    "Minsk": "Belarus", "Tbilisi": "Georgia", "Islamabad": "Pakistan", "Cairo": "Egypt",
    "Doha": "Qatar", "Abu Dhabi": "United Arab Emirates", "Baghdad": "Iraq",
    "Damascus": "Syria", "Beirut": "Lebanon", "Kabul": "Afghanistan", "Dhaka": "Bangladesh",
    "Bangkok": "Thailand", "Hanoi": "Vietnam", "Manila": "Philippines", "Jakarta": "Indonesia",
    "Kuala Lumpur": "Malaysia", "Mexico City": "Mexico", "Buenos Aires": "Argentina",
    "Santiago": "Chile", "Bogota": "Colombia", "Lima": "Peru", "Caracas": "Venezuela",
    "Havana": "Cuba", "Pretoria": "South Africa", "Nairobi": "Kenya", "Abuja": "Nigeria",
    "Addis Ababa": "Ethiopia", "Khartoum": "Sudan", "Wellington": "New Zealand",
    "London": "United Kingdom", "Amsterdam": "Netherlands", "Bern": "Switzerland",
    "Chisinau": "Moldova", "Belgrade": "Serbia", "Sofia": "Bulgaria", "Zagreb": "Croatia",
}  # fmt: skip
# Cities that place a company or an institution ("the Dublin-based carrier").
CITIES: dict[str, str] = {
    **CAPITALS, "Brussels": "Belgium", "Luxembourg": "Luxembourg", "New York": "United States",
    "San Francisco": "United States", "Chicago": "United States", "Boston": "United States",
    "Frankfurt": "Germany", "Munich": "Germany", "Hamburg": "Germany", "Stuttgart": "Germany",
    "Zurich": "Switzerland", "Geneva": "Switzerland", "Milan": "Italy", "Barcelona": "Spain",
    "Shanghai": "China", "Shenzhen": "China", "Hong Kong": "Hong Kong", "Mumbai": "India",
    "Osaka": "Japan", "Sydney": "Australia", "Melbourne": "Australia", "Toronto": "Canada",
    "Montreal": "Canada", "Vancouver": "Canada", "Dubai": "United Arab Emirates",
    "Istanbul": "Turkey", "Sao Paulo": "Brazil", "Singapore": "Singapore",
}  # fmt: skip
# Where summits and talks are held, so "the Geneva negotiations" has a place.
MEETING_PLACES = {
    *CAPITALS, *CITIES, "Davos", "Jeddah", "Hiroshima", "Bali", "Sharm el-Sheikh", "Anchorage",
}  # fmt: skip
US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
    "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
    "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire",
    "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota",
    "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "West Virginia",
    "Wisconsin", "Wyoming",
}  # fmt: skip


@functools.cache
def country_code(name: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country by its common name (None when unknown)."""
    if name in _CODES:
        return _CODES[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None
