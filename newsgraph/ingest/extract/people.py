"""People: named with a role before them ("Finance Minister Raj Malhotra", "company
spokesman Daniel Okafor"), beside them ("Its chairwoman, Ingrid Holm," or "Marta Kowal,
a political scientist at ..."), with an honorific ("Dr. Ken Ashby"), or only as
someone who speaks ("said Gloria Mendes", "Jane Doe told reporters").
"""

from __future__ import annotations

import re

from newsgraph.db.enums import ActorKind
from newsgraph.ingest.extract.lexicon import (
    COMPANY_HEADS,
    GOVERNMENT_HEADS,
    ORGANIZATION_HEADS,
    ROLE_HEADS,
    alternation,
)
from newsgraph.ingest.extract.places import COUNTRY_FORMS, DEMONYMS
from newsgraph.ingest.extract.registry import Registry, surname_of
from newsgraph.ingest.extract.shapes import CAP_WORD, NOT_NAMES, PERSON_NAME, PROPER_PHRASE

__all__ = ["ROLE", "SPEECH", "TITLED", "find_introduced", "find_speakers", "role_owner", "titled"]


def _cases(words: list[str]) -> list[str]:
    """Each phrase as written, in lower case and with only its first letter capitalised."""
    return [form for w in words for form in {w, w.lower(), w[0] + w[1:].lower()}]


_EXTRA_ROLES = [
    "Scientist", "Researcher", "Historian", "Teacher", "Nurse", "Engineer", "Activist",
    "Coordinator", "Correspondent", "Executive", "Partner", "Owner", "Adviser", "Advisor",
    "Campaigner", "Organizer", "Organiser", "Resident", "Student", "Doctor", "Neurologist",
    "Physician", "Investor", "Entrepreneur", "Lawmaker", "Legislator", "Official",
]  # fmt: skip
ROLE = alternation(_cases(ROLE_HEADS + _EXTRA_ROLES))
# Lower-case words a role may carry before it: "finance spokeswoman", "chief UK economist".
_ROLE_MODIFIERS = alternation([
    "finance", "foreign", "competition", "enforcement", "press", "policy", "aid", "chief",
    "executive", "deputy", "budget", "transport", "aviation", "oil", "political",
    "parliamentary", "ranking", "former", "senior", "district", "economy", "trade", "health",
    "energy", "defence", "defense", "interior", "justice", "labor", "labour", "environment",
    "education", "industry", "euro", "zone", "research", "investment", "portfolio",
    "operating", "financial", "general", "managing", "vice", "acting", "interim", "state",
    "city", "county", "union", "board", "police", "fund", "company", "campaign", "party",
    "technology", "security", "treasury", "commerce", "economic", "retired", "independent",
    "top", "lead", "global", "regional", "national", "commodities", "market", "markets",
    "credit", "equity", "bond", "currency", "rates", "private", "public", "communications",
    "legal", "bankruptcy", "opposition", "international", "central", "bank", "analyst",
])  # fmt: skip
_TITLE_WORD = rf"(?:(?:[A-Z]\.){{2,}}|[A-Z][\w&'-]*|{_ROLE_MODIFIERS})"
_HONORED = r"(?:(?:Prince|Princess|Sheikh|King|Queen|Crown Prince) )?"
_CLAUSE_START = r"(?:^|(?<=[a-z0-9\"')][.;:!?] )|(?<=[\"(] )|(?<=, )|(?<=\n))"
# A role right before a name; the title runs back over the words before the role.
TITLED = re.compile(rf"(?<![\w'-])(?P<role>{ROLE}) (?P<name>{_HONORED}{PERSON_NAME})(?![\w-])")
_TITLE_BEFORE = re.compile(rf"(?<![\w'-])(?:{_TITLE_WORD} ){{1,4}}$")
# The second of two people under one plural role: "Supervisors Mark Ellison and Rosa Fuentes".
_PLURAL_MORE = re.compile(rf" and (?P<name>{PERSON_NAME})(?![\w-])")
ROLE_BEFORE = re.compile(
    rf"(?=[A-Z]){_CLAUSE_START}(?:(?:Its|His|Her|Their|The|A|An) |(?P<owner>{PROPER_PHRASE})'s? )"
    rf"(?P<title>(?:[\w&.'-]+ ){{0,4}}?(?:{ROLE})(?: (?:and|of) (?:[\w&.'-]+ ){{0,2}}?"
    rf"(?:{ROLE}))?), (?P<name>{PERSON_NAME}),"
)
ROLE_AFTER = re.compile(
    rf"(?=[A-Z])(?:{_CLAUSE_START}|(?<=[a-z] ))(?P<name>{PERSON_NAME}), (?:(?:a|an|the) )?"
    rf"(?P<title>(?:[\w&.'-]+ ){{0,4}}?(?:{ROLE})(?: (?:at|of|for) (?:the )?"
    rf"{PROPER_PHRASE}(?: of (?:the )?{PROPER_PHRASE})?)?)(?=[\s,.;])"
)
HONORIFIC = re.compile(rf"\b(?P<honorific>Dr|Mr|Mrs|Ms|Prof|Professor)\.? (?P<name>{PERSON_NAME})")
SPEECH = (
    r"said|says|told|tells|wrote|writes|added|noted|warned|argued|explained|stated|"
    r"announced|denied|accused|promised|criticized|criticised|welcomed|vowed|pledged|"
    r"rejected|dismissed|predicted|declined|urged|called|conceded|thanked|estimated|expects|"
    r"expected|insisted|confirmed|agreed|acknowledged|countered|replied|responded|"
    r"did not|could not|would not|has not|had not|have not|was not|is not"
)
SPEAKER = re.compile(
    rf"(?:\b(?:said|says|told|wrote|added|noted) (?P<after>{PERSON_NAME})\b)"
    rf"|(?:(?=[A-Z]){_CLAUSE_START}(?P<before>{PERSON_NAME})(?: of {PROPER_PHRASE})?"
    rf"(?:, who\b| (?:also |later |then )?(?:{SPEECH})\b))"
)
_NOT_IN_NAMES = (
    set(NOT_NAMES) | set(COUNTRY_FORMS) | set(DEMONYMS)
    | {w for head in ROLE_HEADS + _EXTRA_ROLES for w in head.split()}
    | {w for head in GOVERNMENT_HEADS + ORGANIZATION_HEADS + COMPANY_HEADS for w in head.split()}
)  # fmt: skip
_TITLE_LEADS = re.compile(r"^(?:(?:The|A|An|In|On|At|By|But|And|As|After|While|When)\s+)+")


def _unhonored(name: str) -> str:
    return re.sub(rf"^{_HONORED}", "", name)


def _valid(name: str) -> bool:
    return not any(word in _NOT_IN_NAMES for word in name.split())


def _person(registry: Registry, name: str, title: str | None, span: tuple[int, int]) -> None:
    registry.cover(*span, title=True)
    title = _TITLE_LEADS.sub("", title).strip() if title else None
    honored, name = name, _unhonored(name)
    person = registry.add(name, ActorKind.PERSON, title=title or None)
    if person.kind is not ActorKind.PERSON:
        return  # the name is an organisation's
    if honored != name:
        registry.alias(person, honored)  # "Prince Abdulaziz bin Salman"
    surname = surname_of(name)
    if surname != name and registry.person_by_surname(surname) is person:
        registry.alias(person, surname)
    head = (title or "").split()[-1:] or [""]
    alone = f"{head[0]} {surname}"  # "President Xi", when the text calls him that
    if head[0] in {"President", "Premier", "Chancellor", "Minister"} and re.search(
        rf"\b{re.escape(alone)}\b(?! [A-Z])", registry.text
    ):
        registry.alias(person, alone)


def titled(text: str, match: re.Match[str]) -> tuple[int, str]:
    """Where the title of a `TITLED` match starts, and the title ("German Finance Minister")."""
    before = _TITLE_BEFORE.search(text, max(0, match.start() - 60), match.start())
    start = before.start() if before else match.start()
    return start, text[start : match.start()] + match.group("role")


def find_introduced(registry: Registry) -> None:
    """People named with a role (before or beside them) or an honorific."""
    text = registry.text
    for match in TITLED.finditer(text):
        start, title = titled(text, match)
        names = [match.group("name")]
        more = _PLURAL_MORE.match(text, match.end()) if match.group("role").endswith("s") else None
        if more:
            names.append(more.group("name"))
        for name in names:
            if _valid(_unhonored(name)):
                _person(registry, name, title, (start, match.end()))
    for pattern in (ROLE_BEFORE, ROLE_AFTER):
        for match in pattern.finditer(text):
            if _valid(match.group("name")):
                _person(registry, match.group("name"), match.group("title"), match.span())
                owner = match.groupdict().get("owner")
                person = registry.get(match.group("name"))
                if owner and person is not None:
                    registry.owners.setdefault(id(person), owner)
    for match in HONORIFIC.finditer(text):
        if _valid(match.group("name")):
            _person(registry, match.group("name"), None, match.span())
            person = registry.get(match.group("name"))
            if person is not None and match.group("honorific") in {"Dr", "Professor"}:
                registry.alias(person, match.group(0))


def find_speakers(registry: Registry) -> None:
    """People known only by what they say, unless the name is an organisation's."""
    for match in SPEAKER.finditer(registry.text):
        name = match.group("after") or match.group("before")
        if not _valid(name) or registry.get(name) or registry.person_by_surname(surname_of(name)):
            continue
        _person(registry, name, None, match.span("after" if match.group("after") else "before"))


_OWNED_ROLE = re.compile(
    rf"^(?P<owner>{CAP_WORD}(?: (?:& )?{CAP_WORD}){{0,3}}?) (?:(?i:{_ROLE_MODIFIERS}) )*(?:{ROLE})$"
)


def role_owner(title: str) -> str | None:
    """The organisation a title names before its role: "Westpac" in "Westpac chief
    economist", "SEC" in "SEC enforcement director" (None for "German Finance Minister")."""
    match = _OWNED_ROLE.match(title)
    if match is None:
        return None
    owner = match.group("owner")
    words = owner.split()
    if words[0] in NOT_NAMES or any(w in _NOT_IN_NAMES for w in words[-1:]):
        return None
    return owner
