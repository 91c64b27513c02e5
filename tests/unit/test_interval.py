from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from defence_news.interval import Interval


def test_hour_ending_rounds_down_to_the_hour_in_utc() -> None:
    ict = timezone(timedelta(hours=7))
    interval = Interval.hour_ending(datetime(2024, 6, 18, 12, 40, tzinfo=ict))
    assert interval.start == datetime(2024, 6, 18, 4, tzinfo=UTC)
    assert interval.end == datetime(2024, 6, 18, 5, tzinfo=UTC)
    assert interval.slug == "20240618T0400Z--20240618T0500Z"
    assert interval.date == "2024-06-18"


def test_contains_is_half_open() -> None:
    interval = Interval.hour_ending(datetime(2024, 6, 18, 5, tzinfo=UTC))
    assert interval.contains(interval.start)
    assert not interval.contains(interval.end)


def test_naive_or_reversed_bounds_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2024, 6, 18), datetime(2024, 6, 19))
    with pytest.raises(ValueError, match="ends before"):
        Interval(datetime(2024, 6, 19, tzinfo=UTC), datetime(2024, 6, 18, tzinfo=UTC))
