"""Events with many parties: lists of participants, tours and rounds of agreements."""

from __future__ import annotations

import pytest

from defence_news.extract import extract_from_text


def _summary(text: str, mode: str) -> set[tuple[str, frozenset[str]]]:
    events = extract_from_text(text, doc_id="t", published="2024-06-18", mode=mode).events
    return {(e.category, frozenset(e.countries)) for e in events}


def test_participants_listed_after_the_exercise_join_it() -> None:
    summary = _summary(
        "NATO began its annual BALTOPS naval exercise in the Baltic Sea on Monday. "
        "Participating ships come from Denmark, Estonia, Finland, Germany, Poland and Sweden.",
        "learned",  # the grammar alone finds no exercise of NATO's with one party named
    )
    exercise = [countries for category, countries in summary if category == "exercise"]
    assert exercise == [frozenset({"NATO", "DNK", "EST", "FIN", "DEU", "POL", "SWE"})]


def test_the_grammar_adds_listed_participants_to_an_exercise_it_found() -> None:
    summary = _summary(
        "Germany and Poland began the BALTOPS naval exercise in the Baltic Sea on Monday. "
        "Ships taking part also come from Denmark, Estonia and Finland.",
        "rules",
    )
    exercise = [countries for category, countries in summary if category == "exercise"]
    assert exercise == [frozenset({"DEU", "POL", "DNK", "EST", "FIN"})]


@pytest.mark.parametrize("mode", ["rules", "learned"])
def test_a_tour_is_one_visit_per_country(mode: str) -> None:
    summary = _summary(
        "The Chinese navy hospital ship Peace Ark will visit Tonga, Fiji and Vanuatu "
        "next month, the Chinese embassy said.",
        mode,
    )
    visits = {countries for category, countries in summary if category == "visit"}
    assert visits == {
        frozenset({"CHN", "TON"}),
        frozenset({"CHN", "FJI"}),
        frozenset({"CHN", "VUT"}),
    }


def test_a_meeting_of_several_ministers_stays_one_event() -> None:
    summary = _summary(
        "The defence ministers of Denmark, Finland, Norway and Sweden met in Oslo on Monday.",
        "rules",
    )
    visits = [countries for category, countries in summary if category == "visit"]
    assert visits == [frozenset({"DNK", "FIN", "NOR", "SWE"})]


def test_a_round_of_bilateral_agreements_is_one_agreement_per_partner() -> None:
    summary = _summary(
        "Ukraine signed bilateral security agreements with Britain, France and Germany on Friday.",
        "rules",
    )
    agreements = {countries for category, countries in summary if category == "agreement"}
    assert agreements == {
        frozenset({"UKR", "GBR"}),
        frozenset({"UKR", "FRA"}),
        frozenset({"UKR", "DEU"}),
    }
