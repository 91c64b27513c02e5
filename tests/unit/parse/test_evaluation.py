"""The metadata scoring rules of the parse benchmark, one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from defence_news.parse.evaluation import (
    author_f1,
    day_match,
    language_match,
    minute_match,
    score_page,
    summarise,
    title_match,
)

CHICAGO_WINTER = timezone(-timedelta(hours=6))


def test_title_matches_after_entities_and_whitespace_only():
    assert title_match(
        "Navy ‘retires’ its last frigate", "Navy &#8216;retires&#8217; its last frigate"
    )
    assert title_match("Tanks & drones", "Tanks &amp;amp; drones")  # escaped twice
    assert title_match("Tanks and drones", "  Tanks\u00a0and\n drones ")
    assert not title_match("Tanks and drones", "tanks and drones")  # case is the headline's
    assert not title_match("Tanks and drones", "Tanks and drones | Harbour Ledger")
    assert not title_match("Tanks and drones", None)


def test_author_f1_over_normalised_names():
    assert author_f1(["Trevor J. Mitchell"], ["TREVOR J MITCHELL"]) == 1.0
    assert author_f1(["Ana Rojas", "Luis Vega"], ["Ana Rojas"]) == pytest.approx(2 / 3)
    assert author_f1(["Ana Rojas"], ["Ana Rojas", "Photo: Getty Images"]) == pytest.approx(2 / 3)
    assert author_f1([], []) == 1.0
    assert author_f1([], ["Harbour Ledger"]) == 0.0
    assert author_f1(["AP"], []) == 0.0


def test_day_is_the_date_in_the_gold_offset():
    late_in_chicago = datetime(2024, 3, 5, 22, 31, tzinfo=CHICAGO_WINTER)
    gold = "2024-03-05T22:31:00-06:00"
    assert day_match(gold, late_in_chicago)
    assert day_match(gold, late_in_chicago.astimezone(UTC))  # 6 March in UTC, same instant
    assert not day_match(gold, datetime(2024, 3, 5, 3, 0, tzinfo=UTC))  # 4 March in Chicago
    assert day_match(gold, "2024-03-05")  # a date alone is compared as written
    assert not day_match(gold, None)


def test_day_without_gold_offset_or_time():
    assert day_match("2024-03-05T22:31", datetime(2024, 3, 5, 22, 31, tzinfo=UTC))
    assert day_match("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC))
    assert not day_match("2024-03-05", datetime(2024, 3, 6, tzinfo=UTC))
    assert day_match(None, None)
    assert not day_match(None, datetime(2024, 3, 5, tzinfo=UTC))


def test_minute_is_the_same_instant_when_gold_has_a_time():
    gold = "2024-03-05T22:31:40-06:00"
    assert minute_match(gold, datetime(2024, 3, 6, 4, 31, 5, tzinfo=UTC))
    assert not minute_match(gold, datetime(2024, 3, 6, 4, 32, tzinfo=UTC))
    assert not minute_match(gold, "2024-03-05")  # no time given
    assert not minute_match(gold, None)
    assert minute_match("2024-03-05T22:31", datetime(2024, 3, 5, 22, 31, tzinfo=UTC))
    assert minute_match("2024-03-05", datetime(2024, 3, 5, 9, 0, tzinfo=UTC)) is None
    assert minute_match(None, None) is None


def test_language_is_the_exact_code():
    assert language_match("ja", "JA")
    assert not language_match("ja", "zh")
    assert not language_match("en", None)


def test_summary_macro_averages_and_counts_timed_pages():
    gold = [
        {
            "id": "a",
            "title": "T",
            "authors": ["X Y"],
            "published": "2024-01-02T03:04:00+00:00",
            "language": "en",
        },
        {
            "id": "b",
            "title": "U",
            "authors": ["P Q", "R S"],
            "published": "2024-01-02",
            "language": "de",
        },
    ]
    predicted = [
        {
            "title": "T",
            "authors": ["X Y"],
            "published": datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            "language": "en",
        },
        {"title": "V", "authors": ["P Q"], "published": None, "language": "de"},
    ]
    summary = summarise([score_page(g, p) for g, p in zip(gold, predicted, strict=True)])
    assert summary["pages"] == 2
    assert summary["title_exact"] == 0.5
    assert summary["author_f1"] == pytest.approx((1 + 2 / 3) / 2)
    assert summary["day"] == 0.5
    assert summary["minute"] == 1.0 and summary["minute_pages"] == 1
    assert summary["language"] == 1.0
