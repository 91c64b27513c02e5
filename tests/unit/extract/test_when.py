"""When an event happens (``extract/when.py``): one event per date of a list."""

from __future__ import annotations

import pytest

from defence_news.extract import extract_from_text

PUBLISHED = "2024-06-01"


def _dated(text: str, mode: str) -> list[tuple[str, str | None]]:
    events = extract_from_text(text, doc_id="t", published=PUBLISHED, mode=mode).events
    return [(e.category, e.when.text if e.when else None) for e in events]


@pytest.mark.parametrize("mode", ["rules", "learned"])
def test_a_list_of_dates_is_one_event_per_date(mode: str) -> None:
    text = (
        "The navies of India and Sri Lanka held the SLINEX exercise in New Delhi in "
        "September 2022 and in Colombo in December 2023."
    )
    assert _dated(text, mode) == [("exercise", "September 2022"), ("exercise", "December 2023")]


@pytest.mark.parametrize(
    "text",
    [
        # Two steps of one agreement, not two agreements.
        "India and Sri Lanka signed the agreement in 2022 and ratified it in 2023.",
        # A span, not a list.
        "India and Sri Lanka held a joint exercise between May 2022 and June 2022.",
    ],
)
def test_dates_that_are_not_a_list_leave_one_event(text: str) -> None:
    assert len(_dated(text, "rules")) == 1
