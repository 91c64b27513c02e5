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


def test_hours_between_cuts_a_backfill_range_as_the_hourly_timetable_does() -> None:
    hours = Interval.hours_between(
        datetime(2024, 6, 18, 5, 30, tzinfo=UTC), datetime(2024, 6, 18, 8, tzinfo=UTC)
    )
    assert [h.slug for h in hours] == [
        "20240618T0500Z--20240618T0600Z",
        "20240618T0600Z--20240618T0700Z",
        "20240618T0700Z--20240618T0800Z",
    ]
    assert (
        Interval.hours_between(
            datetime(2024, 6, 18, 8, tzinfo=UTC), datetime(2024, 6, 18, 8, tzinfo=UTC)
        )
        == []
    )


def test_run_refuses_a_backwards_or_overlong_backfill_range(capsys) -> None:
    from defence_news.cli import main

    assert main(["run", "--from", "2026-11-02", "--to", "2026-11-01"]) == 2
    assert "later than --from" in capsys.readouterr().err
    assert main(["run", "--from", "2024-01-01", "--to", "2026-01-01"]) == 2
    assert "airflow backfill create" in capsys.readouterr().err
    assert main(["run", "--to", "2026-01-01"]) == 2
