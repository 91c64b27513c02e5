"""Status from the grammar and the dates: what is under way, what is only ever planned."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from defence_news.extract import extract_from_text
from defence_news.extract.categories import load_categories, parse_category

EXERCISE = (
    "The joint exercise Surya Kiran between the Indian Army and the Nepal Army commenced "
    "on {when} in Saljhandi."
)


def _statuses(text: str, published: str | None, category: str) -> Iterator[list[str]]:
    """The category's statuses, by the rules alone and by rules and learning."""
    for mode in ("rules", "learned"):
        events = extract_from_text(text, doc_id="t", published=published, mode=mode).events
        yield sorted(e.status for e in events if e.category == category)


@pytest.mark.parametrize(
    ("when", "published", "expected"),
    [
        ("December 31, 2024", "2025-01-02", "ongoing"),  # begun two days before
        ("December 31, 2023", "2025-01-02", "occurred"),  # a year before: over
    ],
)
def test_an_exercise_told_as_begun_is_under_way_only_near_its_start(
    when: str, published: str, expected: str
) -> None:
    for statuses in _statuses(EXERCISE.format(when=when), published, "exercise"):
        assert statuses == [expected]


def test_an_exercise_told_as_over_is_not_under_way() -> None:
    text = (
        "The joint exercise between the Indian Army and the Nepal Army, which commenced "
        "on December 31, 2024, concluded on Thursday in Saljhandi."
    )
    for statuses in _statuses(text, "2025-01-02", "exercise"):
        assert statuses == ["occurred"]


def test_dialogue_is_always_planned() -> None:
    text = (
        "Peru and Brazil agreed to expand their defence cooperation, the ministers said "
        "after talks in Lima on Monday."
    )
    for statuses in _statuses(text, "2024-05-08", "dialogue"):
        assert statuses and set(statuses) == {"planned"}


def test_only_status_must_be_a_status() -> None:
    data = {"order": 9, "triggers": [r"\bx\b"], "needs": None, "codes": {}}
    assert parse_category("x", {**data, "only_status": "planned"}).only_status == "planned"
    with pytest.raises(ValueError, match="only_status"):
        parse_category("x", {**data, "only_status": "maybe"})


def test_the_categories_that_last_say_how_long_they_are_news() -> None:
    specs = load_categories()
    assert {name for name, spec in specs.items() if spec.begun} == {
        "visit",
        "exercise",
        "training",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Brazil and France sign arms deal for four Scorpene submarines.",
        "Canada has pledged 39 armoured combat support vehicles to Ukraine.",
        "Brazil's president approved the transfer of ten M108 howitzers to Uruguay.",
        "Indonesia signed up to procure 42 Rafale fighter aircraft from France.",
    ],
)
def test_a_transfer_whose_deal_is_made_or_aid_promised_is_planned(text: str) -> None:
    for statuses in _statuses(text, "2024-05-08", "arms_transfer"):
        assert statuses and set(statuses) == {"planned"}
