"""The rule-based extractor by category, each on a few sentences written for the test
(the annotated articles and their scores are in test_extraction_quality.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from newsgraph.ingest.extract.dates import find_dates
from newsgraph.ingest.normalize import normalize_text
from newsgraph.ingest.pipeline import extract_document

PUBLISHED = "2025-06-13"  # a Friday


def _extract(text: str) -> dict[str, Any]:
    return extract_document(text, published_at=PUBLISHED)


def _actor(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in document["actors"] if a["name"] == name)


def _claims(document: dict[str, Any], start: str) -> list[tuple[str | None, str]]:
    return [(c["claimant"], c["kind"]) for c in document["claims"] if c["text"].startswith(start)]


def test_a_wire_dateline_under_a_headline_is_cut() -> None:
    clean = normalize_text(
        "U.N. Council Demands Ceasefire\n"
        "UNITED NATIONS, March 26 (Global Desk) - The council adopted a resolution on Wednesday."
    )
    assert clean.dateline == "UNITED NATIONS, March 26 (Global Desk)"
    assert clean.lines[1] == "The council adopted a resolution on Wednesday."


def test_a_dateline_may_name_the_country() -> None:
    clean = normalize_text(
        "STUTTGART, Germany, Oct 30 (Rhine Wire) - Volkner AG said its profit fell."
    )
    assert clean.dateline == "STUTTGART, Germany, Oct 30 (Rhine Wire)"
    assert clean.lines == ["Volkner AG said its profit fell."]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Judge Feld set sentencing for October 9.", date(2025, 10, 9)),  # no tense: nearer
        ("The tariff was imposed in August.", date(2024, 8, 1)),  # past tense: before
        ("Pryce is due to be sentenced in September.", date(2025, 9, 1)),  # future: after
        ("Harlan will appear before the committee on Wednesday.", date(2025, 6, 18)),
        ("The company went bankrupt in 2023.", date(2023, 1, 1)),
    ],
)
def test_dates_resolve_against_publication_and_tense(sentence: str, expected: date) -> None:
    assert [d.value for d in find_dates(sentence, date(2025, 6, 13))] == [expected]


def test_organisations_without_a_company_suffix() -> None:
    document = _extract(
        "U.S. drugmaker Corvan Pharmaceuticals agreed to buy Helixa for $14.6 billion. "
        "Analysts at Jefferies said the price was steep. Maersk said it would impose a "
        "surcharge. The International Monetary Fund on Tuesday cut its forecast. The IMF "
        "expects growth to slow."
    )
    names = {a["name"] for a in document["actors"]}
    assert {"Corvan Pharmaceuticals", "Jefferies", "Maersk", "International Monetary Fund"} <= names
    assert "IMF" in _actor(document, "International Monetary Fund")["aliases"]
    assert "IMF" not in names
    assert _actor(document, "Corvan Pharmaceuticals")["country"] == "US"


def test_people_introduced_by_a_role_in_any_position() -> None:
    document = _extract(
        "Company spokesman Daniel Okafor said the changes worked. Its chairwoman, Ingrid "
        "Holm, said the ruling came too late. Marta Kowal, a political scientist at the "
        "University of Warsaw, said she expected gridlock. German Chancellor Frank Albers "
        "said Germany would pay."
    )
    assert _actor(document, "Daniel Okafor")["title"] == "Company spokesman"
    assert _actor(document, "Ingrid Holm")["kind"] == "person"
    assert _actor(document, "Marta Kowal")["country"] == "PL"
    assert _actor(document, "Frank Albers")["country"] == "DE"


def test_a_country_inside_a_name_or_only_placing_something_is_no_actor() -> None:
    document = _extract(
        "Britain's Competition and Markets Authority on Tuesday blocked the merger. Sales in "
        "China fell 16%. Switzerland said it was surprised by the U.S. tariffs."
    )
    names = {a["name"] for a in document["actors"]}
    assert "Competition and Markets Authority" in names
    assert _actor(document, "Competition and Markets Authority")["country"] == "GB"
    assert "Switzerland" in names
    assert not {"United Kingdom", "China", "United States"} & names


def test_speakers_named_by_pronoun_role_or_description() -> None:
    document = _extract(
        "The Bank of England cut interest rates to 4% on Thursday. Committee member Hugh "
        "Pemberton, who voted against, opened the debate by pressing Catherine Mills on the "
        "cost of borrowing. He said families were struggling. The central bank said it expected "
        "inflation to peak in September. A Treasury spokesperson declined to comment."
    )
    assert _claims(document, "He said") == [("Hugh Pemberton", "statement")]
    assert _claims(document, "The central bank said") == [("Bank of England", "prediction")]
    assert _claims(document, "A Treasury spokesperson") == [("Treasury", "no_comment")]


def test_reported_speech_kinds_and_several_speakers() -> None:
    document = _extract(
        "Markets now see an 85% chance of a cut, according to CME Group data. Novo Nordisk "
        "and Eli Lilly, which dominate the market, did not respond to requests for comment. "
        "Opposition finance spokeswoman Jane Ashdown said spending was too high, a charge "
        "Treasurer David Kerr rejected."
    )
    assert _claims(document, "Markets now see") == [("CME Group", "prediction")]
    assert sorted(_claims(document, "Novo Nordisk")) == [
        ("Eli Lilly", "no_comment"),
        ("Novo Nordisk", "no_comment"),
    ]
    assert sorted(_claims(document, "Opposition")) == [
        ("David Kerr", "denial"),
        ("Jane Ashdown", "statement"),
    ]


def test_a_quotation_over_two_sentences_is_the_speakers() -> None:
    document = _extract(
        'Finance Minister Jonas Kessler spoke first. "We are not spending for the sake of it. '
        'We are repairing bridges," Kessler said. "Nobody else will."'
    )
    quoted = [c["claimant"] for c in document["claims"] if c["text"].startswith('"')]
    assert quoted == ["Jonas Kessler", "Jonas Kessler"]
    assert [c["claimant"] for c in document["claims"] if c["text"].startswith("We are")] == [
        "Jonas Kessler"
    ]


def test_decisions_are_events_with_their_actor_and_causes() -> None:
    document = _extract(
        "The Reserve Bank of Australia kept its cash rate at 3.85% on Tuesday. "
        "The Ohio Supreme Court on Friday struck down the map drawn by the Ohio "
        "Redistricting Commission. China said on Friday it would raise its tariffs on U.S. "
        "goods, in response to Washington's decision this week to lift duties on Chinese "
        "imports."
    )
    events = {(e["kind"], e["date"]): e for e in document["events"]}
    rate = events[("policy", "2025-06-10")]
    assert [p["actor"] for p in rate["participants"]] == ["Reserve Bank of Australia"]
    ruling = events[("ruling", "2025-06-13")]
    assert {p["actor"] for p in ruling["participants"]} == {
        "Ohio Supreme Court",
        "Ohio Redistricting Commission",
    }
    retaliation = next(e for e in document["events"] if e["participants"][0]["actor"] == "China")
    duties = next(e for e in document["events"] if e["participants"][0]["actor"] == "United States")
    assert retaliation["caused_by"] == [duties["title"]]


def test_claims_link_to_the_event_they_react_to() -> None:
    document = _extract(
        "The Federal Communications Commission voted 3-2 on Thursday to auction airwaves. "
        "Verizon declined to comment. Verizon shares rose 1%."
    )
    (vote,) = [e["title"] for e in document["events"] if e["kind"] == "vote"]
    links = {c["text"].split()[1]: c["event"] for c in document["claims"]}
    assert links == {"Federal": vote, "declined": vote, "shares": None}
