"""The data layer on its own: which manifests the health page reads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from defence_news.interval import Interval
from defence_news.store import LocalStore
from defence_news.ui.data import EventFilters, load_events, load_health, partition_dates
from tests.unit.ui.fixtures import MORNING, NOON, fill_store, seed_outcomes, write_manifest

WEEK_BEFORE = Interval(datetime(2026, 11, 20, 6, tzinfo=UTC), datetime(2026, 11, 20, 7, tzinfo=UTC))


def test_health_reads_only_the_recent_days_when_they_have_manifests(tmp_path: Path) -> None:
    store = fill_store(LocalStore(tmp_path))
    write_manifest(store, WEEK_BEFORE, "seed", seed_outcomes())
    view = load_health(store, today=datetime(2026, 11, 29, 10, tzinfo=UTC))
    assert view.intervals == [NOON.slug, MORNING.slug]
    # An explicit date still reaches the older day.
    assert load_health(store, "2026-11-20").intervals == [WEEK_BEFORE.slug]


def test_health_falls_back_to_every_manifest_when_recent_days_are_empty(tmp_path: Path) -> None:
    store = fill_store(LocalStore(tmp_path))
    write_manifest(store, WEEK_BEFORE, "seed", seed_outcomes())
    view = load_health(store, today=datetime(2027, 3, 1, tzinfo=UTC))
    assert view.intervals == [NOON.slug, MORNING.slug, WEEK_BEFORE.slug]
    assert view.dates == ["2026-11-29", "2026-11-28", "2026-11-20"]


def test_partition_dates_are_distinct_and_newest_first() -> None:
    keys = [
        "events/dt=2026-11-28/a.parquet",
        "events/dt=2026-11-29/b.parquet",
        "events/dt=2026-11-28/c.parquet",
        "events/readme.txt",
    ]
    assert partition_dates(keys) == ["2026-11-29", "2026-11-28"]


def test_filters_from_a_form_treat_blanks_as_any() -> None:
    filters = EventFilters.from_query(date=" ", category="visit", country=" khm ", status=None)
    assert (filters.date, filters.category, filters.country, filters.status) == (
        None,
        "visit",
        "KHM",
        None,
    )


def test_events_of_an_empty_store(tmp_path: Path) -> None:
    view = load_events(LocalStore(tmp_path), EventFilters())
    assert (view.dates, view.events, view.total, view.problems) == ([], [], 0, [])
