"""Candidate events of a sentence (``extract/candidates.py``): one per instrument."""

from __future__ import annotations

import pytest

from defence_news.extract import extract_from_text


def _kinds(text: str, mode: str = "rules") -> list[str]:
    events = extract_from_text(text, doc_id="t", published="2024-06-01", mode=mode).events
    return sorted(e.category for e in events)


@pytest.mark.parametrize("mode", ["rules", "learned"])
def test_instruments_told_one_by_one_are_one_agreement_each(mode: str) -> None:
    text = (
        "The defence ministers of Russia and Mali signed a military cooperation agreement, "
        "as well as a memorandum of understanding on air defence, and a contract on "
        "military supplies."
    )
    assert _kinds(text, mode).count("agreement") == 3


def test_a_number_of_instruments_is_that_many_agreements() -> None:
    text = "The ministers of Poland and South Korea signed two agreements on export control."
    assert _kinds(text) == ["agreement", "agreement"]


def test_one_agreement_about_a_purchase_stays_one() -> None:
    text = "India and France signed an agreement on the purchase of a fleet of Rafale jets."
    assert _kinds(text).count("agreement") == 1
