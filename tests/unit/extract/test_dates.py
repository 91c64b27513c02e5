"""Dates resolved against the publication date, with precision."""

from __future__ import annotations

from datetime import date

import pytest

from defence_news.extract.dates import find_dates, reference_date

PUBLISHED = date(2024, 6, 18)  # a Tuesday


def _one(text: str, future: bool = False, published: date = PUBLISHED):
    spans = find_dates(text, 0, len(text), published, future)
    assert len(spans) == 1, spans
    span = spans[0]
    return span.start.isoformat(), span.end.isoformat() if span.end else None, span.precision


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("a visit from June 18-20", True, ("2024-06-18", "2024-06-20", "day")),
        ("talks on 18-20 June", True, ("2024-06-18", "2024-06-20", "day")),
        ("from June 28 to July 2", True, ("2024-06-28", "2024-07-02", "day")),
        ("In March, Sophan led a delegation", False, ("2024-03-01", "2024-03-31", "month")),
        ("drills in March", True, ("2025-03-01", "2025-03-31", "month")),
        ("signed in September", False, ("2023-09-01", "2023-09-30", "month")),
        ("in September 2021", False, ("2021-09-01", "2021-09-30", "month")),
        ("on May 3, 2022", False, ("2022-05-03", "2022-05-03", "day")),
        ("in 2019", False, ("2019-01-01", "2019-12-31", "year")),
        ("not held since 2016", False, ("2016-01-01", None, "year")),
        ("last week", False, ("2024-06-10", "2024-06-16", "day")),
        ("next month", True, ("2024-07-01", "2024-07-31", "month")),
        ("on Monday", False, ("2024-06-17", "2024-06-17", "day")),
        ("on Friday", True, ("2024-06-21", "2024-06-21", "day")),
        ("yesterday", False, ("2024-06-17", "2024-06-17", "day")),
        ("last year", False, ("2023-01-01", "2023-12-31", "year")),
        ("On 29 February this year", False, ("2024-02-29", "2024-02-29", "day")),
        ("in March last year", False, ("2023-03-01", "2023-03-31", "month")),
        ("by May 5 next year", True, ("2025-05-05", "2025-05-05", "day")),
    ],
)
def test_resolution(text: str, future: bool, expected: tuple) -> None:
    assert _one(text, future) == expected


def test_year_rolls_back_for_a_past_december_in_january() -> None:
    assert _one("signed last December", published=date(2024, 1, 10))[0] == "2023-12-01"


def test_may_the_modal_is_not_a_month() -> None:
    assert find_dates("The navy may send ships.", 0, 24, PUBLISHED, False) == []


def test_relative_dates_are_skipped_without_a_publication_date() -> None:
    assert find_dates("they met last week", 0, 18, None, False) == []


def test_impossible_dates_are_dropped() -> None:
    assert find_dates("on February 31", 0, 14, PUBLISHED, False) == []


def test_an_undated_page_takes_missing_years_from_the_latest_year_it_names() -> None:
    text = "The frigate arrived in 2021. On 21 April 2022 the ships met; on 3 May they sailed."
    fallback = reference_date(text, today=date(2026, 12, 1))
    assert fallback == date(2022, 12, 31)
    days = [s.start.isoformat() for s in find_dates(text, 0, len(text), None, False, fallback)]
    assert days == ["2021-01-01", "2022-04-21", "2022-05-03"]


def test_years_after_this_one_are_not_a_reference() -> None:
    assert reference_date("a plan for 2030 and 2035", today=date(2026, 12, 1)) is None


@pytest.mark.parametrize(
    ("text", "future", "published"),
    [
        ("tomorrow", False, date.max),
        ("yesterday", False, date.min),
        ("next week", True, date.max),
        ("last week", False, date.min),
        ("next month", True, date.max),
        ("last month", False, date.min),
        ("next year", True, date.max),
        ("last year", False, date.min),
        ("on Monday", True, date.max),  # 9999-12-31 is a Friday
        ("drills in January", True, date.max),
        ("signed in December", False, date.min),
        ("by 3 January next year", True, date.max),
        ("by 3 December last year", True, date.min),
    ],
)
def test_a_date_beyond_the_calendar_is_no_date(text: str, future: bool, published: date) -> None:
    # A feed that dates an article 9999-12-31 must not stop the extraction.
    assert find_dates(text, 0, len(text), published, future) == []


@pytest.mark.parametrize(
    ("text", "future", "published", "start"),
    [
        ("yesterday", False, date.max, "9999-12-30"),
        ("on 3 January", False, date.max, "9999-01-03"),
        ("on 30 December", True, date.min, "0001-12-30"),
        ("tomorrow", False, date.min, "0001-01-02"),
    ],
)
def test_a_date_at_the_edge_of_the_calendar_still_resolves(
    text: str, future: bool, published: date, start: str
) -> None:
    assert _one(text, future, published)[0] == start
