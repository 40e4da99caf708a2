"""Words the rule-based extractor knows about actors: the roles people hold, the head
nouns of institutions and companies, the words that describe an organisation, and the
institutions everyone knows the country of. Places live in `places.py`.
"""

from __future__ import annotations

import re

__all__ = [
    "COMPANY_HEADS",
    "GOVERNMENT_HEADS",
    "INSTITUTION_COUNTRIES",
    "NOT_ACRONYMS",
    "ORGANIZATION_DESCRIPTORS",
    "ORGANIZATION_HEADS",
    "POLITICAL_ROLES",
    "ROLE_HEADS",
    "TITLE_MODIFIERS",
    "alternation",
]

# The last word (or words) of a role: "Finance Minister", "chief executive", "analyst".
ROLE_HEADS = [
    "Secretary of State", "Secretary-General", "Secretary General", "Vice Premier",
    "Vice President", "Vice-President", "Prime Minister", "Trade Representative",
    "Chief Executive", "Chief Executive Officer", "Chief Financial Officer",
    "Chief Operating Officer", "Chief Justice", "Chief Economist", "Foreign Minister",
    "President", "Premier", "Chancellor", "Minister", "Secretary", "Governor", "Senator",
    "Ambassador", "Spokesperson", "Spokesman", "Spokeswoman", "Chairman", "Chairwoman",
    "Chair", "CEO", "CFO", "Director", "Commissioner", "Mayor", "King", "Queen", "Judge",
    "Justice", "General", "Representative", "Leader", "Speaker", "Envoy", "Negotiator",
    "Treasurer", "Councilmember", "Councilman", "Councilwoman", "Councillor", "Supervisor",
    "Supervisors", "Administrator", "Manager", "Member", "Economist", "Analyst",
    "Strategist", "Lawyer", "Attorney", "Prosecutor", "Founder", "Professor", "Trustee",
    "Moderator", "Businessman", "Businesswoman", "Head", "Chief", "Officer", "Candidate",
    "Sheriff", "Commander", "Prince", "Princess", "Crown Prince", "Emir", "Sultan",
    "Archbishop", "Pope", "Dr.", "Governors", "Senators", "Ministers",
]  # fmt: skip
# Roles whose holders speak for a country: without a demonym, the article's country.
POLITICAL_ROLES = {
    "prime minister", "minister", "president", "chancellor", "premier", "secretary",
    "treasurer", "senator", "governor", "speaker", "leader", "spokesperson", "spokesman",
    "spokeswoman", "justice", "judge", "attorney", "ambassador", "envoy", "commissioner",
    "member", "chief justice",
}  # fmt: skip
TITLE_MODIFIERS = [
    "Treasury", "Commerce", "Trade", "Foreign", "Defense", "Defence", "State", "Finance",
    "Economy", "Interior", "Health", "Energy", "Agriculture", "Deputy", "Chief", "Senior",
    "Former", "Vice", "Prime", "Executive", "Central", "Bank", "Federal", "Reserve",
    "Homeland", "Security", "Economic", "Foreign Affairs", "Competition", "Digital",
    "Labor", "Labour", "Transport", "Business", "Justice", "Education", "Environment",
    "Opposition", "Board", "Union", "Council", "County", "City", "District", "Supreme Court",
    "Budget", "Industry", "Culture", "Climate", "Press", "Acting", "Interim", "Conservative",
    "Liberal", "Labour", "Republican", "Democratic", "Green", "Socialist", "Police", "Committee",
]  # fmt: skip
GOVERNMENT_HEADS = [
    "Department", "Ministry", "Embassy", "Commission", "Parliament", "Congress", "Senate",
    "Council", "Court", "Agency", "Bureau", "Office", "Treasury", "House", "Committee",
    "Authority", "Administration", "Consulate", "Cabinet", "Government", "Assembly",
    "Tribunal", "Police", "Army", "Navy", "Central Bank", "Federal Reserve", "Board",
    "Bundestag", "Bundesbank", "Duma", "Knesset", "Legislature", "Directorate", "Inspectorate",
    "Regulator", "Reserve Bank", "County",
]  # fmt: skip
ORGANIZATION_HEADS = [
    "Inc", "Corp", "Corporation", "Company", "Group", "Capital", "Securities", "Exchange",
    "University", "Institute", "Association", "Foundation", "Bank", "Fund", "Partners",
    "Holdings", "Ltd", "LLC", "Technologies", "Labs", "Network", "Organization",
    "Organisation", "Union", "Federation", "Party", "Alliance", "League", "Forces",
    "Clinic", "Centers", "Center", "Centre", "Services", "Chambers", "Confederation",
    "Coalition", "Movement", "Front", "Society", "Trust", "Research", "Economics", "Advisors",
    "Advisers", "Industry", "Industries", "Forum", "Club", "Institution", "Agency",
]  # fmt: skip
# Words that name a company for what it does: "drugmaker Corvan", "Helixa Therapeutics".
COMPANY_HEADS = [
    "Airlines", "Airways", "Motors", "Automotive", "Pharmaceuticals", "Pharma",
    "Therapeutics", "Biosciences", "Biotech", "Materials", "Energy", "Power", "Oil", "Steel",
    "Mining", "Systems", "Media", "Telecom", "Communications", "Networks", "Insurance",
    "Investments", "Analytics", "Consulting", "Foods", "Brands", "Logistics", "Shipping",
    "Chemicals", "Semiconductor", "Semiconductors", "Software", "Solutions", "Ventures",
    "Bancorp", "Financial", "Digital", "Aerospace", "Electronics", "Entertainment",
    "Realty", "Properties", "Resources", "AG", "SA", "SE", "NV", "plc", "PLC", "GmbH", "Co",
]  # fmt: skip
# A lower-case noun before a name that says it is an organisation: "carmaker Volkner".
ORGANIZATION_DESCRIPTORS = [
    "company", "companies", "firm", "drugmaker", "carmaker", "automaker", "chipmaker",
    "maker", "makers", "lender", "insurer", "operator", "broadcaster", "developer",
    "retailer", "airline", "carrier", "manufacturer", "producer", "supplier", "startup",
    "platform", "conglomerate", "exchange", "bank", "group", "agency", "regulator",
    "watchdog", "office", "owner", "parent", "rival", "asset manager",
    "news agency", "statistics office", "utility", "miner", "giant", "shipper", "insurer",
]  # fmt: skip
# Institutions whose country is known to every reader (names as written in stories).
INSTITUTION_COUNTRIES = {
    "Federal Reserve": "US", "Fed": "US", "White House": "US", "Pentagon": "US",
    "Congress": "US", "Kremlin": "RU", "Elysee": "FR", "Bundestag": "DE", "Bundesbank": "DE",
    "Securities and Exchange Commission": "US", "SEC": "US", "Federal Trade Commission": "US",
    "FTC": "US", "Food and Drug Administration": "US", "FDA": "US",
    "Federal Communications Commission": "US", "FCC": "US", "Labor Department": "US",
    "State Department": "US", "Justice Department": "US", "Commerce Department": "US",
    "Downing Street": "GB", "Bank of England": "GB", "Bank of Japan": "JP", "BOJ": "JP",
    "Reserve Bank of Australia": "AU", "RBA": "AU", "Reserve Bank of India": "IN",
    "Bank of Canada": "CA", "Knesset": "IL", "Duma": "RU", "Istat": "IT", "Destatis": "DE",
}  # fmt: skip
# Upper-case words that are not organisations: units, products, titles.
NOT_ACRONYMS = {
    "CEO", "CFO", "COO", "GDP", "ETF", "ETFs", "IPO", "AI", "OK", "TV", "PM", "AM", "XRP",
    "BTC", "ETH", "USD", "EUR", "GMT", "UTC", "NFL", "NBA", "FY", "Q1", "Q2", "Q3",
    "Q4", "II", "III", "IV",
}  # fmt: skip


def alternation(words: list[str] | set[str]) -> str:
    """A regex matching any of the literal words, the longest where several fit.

    The words are factored into a trie ("Chief (?:Executive|Justice)" rather than one
    branch per word): Python's regex engine tries alternatives one by one at every
    position, and lists of hundreds of names made that the bulk of extraction time.
    """
    trie: _Trie = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _pattern(trie)


_Trie = dict[str, "_Trie"]


def _pattern(node: _Trie) -> str:
    ends = "" in node
    branches = [re.escape(char) + _pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body
