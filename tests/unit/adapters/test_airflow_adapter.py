"""The Airflow adapter's pure parts: intervals, asset batches, summaries."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from defence_news.adapters.airflow import (
    batch_for_interval,
    batches_from_asset_events,
    format_ingest_summary,
    interval_from_context,
    publish_ingest,
)
from defence_news.interval import Interval
from defence_news.store import LocalStore, keys

HOUR_START = datetime(2024, 6, 18, 4, tzinfo=UTC)
HOUR_END = datetime(2024, 6, 18, 5, tzinfo=UTC)


def test_interval_comes_from_the_data_interval() -> None:
    context = {"data_interval_start": HOUR_START, "data_interval_end": HOUR_END, "params": {}}
    assert interval_from_context(context) == Interval(HOUR_START, HOUR_END)


def test_params_override_the_data_interval() -> None:
    context = {
        "data_interval_start": HOUR_START,
        "data_interval_end": HOUR_END,
        "params": {"interval_start": "2024-06-01T00:00:00", "interval_end": "2024-06-02T00:00:00"},
    }
    interval = interval_from_context(context)
    assert interval.start == datetime(2024, 6, 1, tzinfo=UTC)
    assert interval.end == datetime(2024, 6, 2, tzinfo=UTC)


def test_empty_manual_interval_covers_the_hour_ending_at_the_logical_date() -> None:
    moment = datetime(2024, 6, 18, 5, 20, tzinfo=UTC)
    context = {"data_interval_start": moment, "data_interval_end": moment, "params": {}}
    assert interval_from_context(context) == Interval(HOUR_START, HOUR_END)


def _event(start: datetime, end: datetime, article_keys: list[str]) -> SimpleNamespace:
    extra = {
        "interval_start": start.isoformat(),
        "interval_end": end.isoformat(),
        "article_keys": article_keys,
    }
    return SimpleNamespace(extra=extra)


def test_asset_events_are_merged_per_interval_and_keep_their_own_interval() -> None:
    later = datetime(2024, 6, 18, 6, tzinfo=UTC)
    batches = batches_from_asset_events(
        [
            _event(HOUR_END, later, ["articles/b"]),
            _event(HOUR_START, HOUR_END, ["articles/a2"]),
            _event(HOUR_START, HOUR_END, ["articles/a1", "articles/a2"]),
            SimpleNamespace(extra={}),  # an event from elsewhere, without our keys
        ]
    )
    assert [b["article_keys"] for b in batches] == [["articles/a1", "articles/a2"], ["articles/b"]]
    assert batches[1]["interval_start"] == HOUR_END.isoformat()


def test_batch_for_interval_lists_only_that_intervals_article_objects(tmp_path) -> None:
    store = LocalStore(tmp_path)
    interval = Interval(HOUR_START, HOUR_END)
    other = Interval(HOUR_END, datetime(2024, 6, 18, 6, tzinfo=UTC))
    for source in ("seed", "defense_news"):
        store.put(keys.articles_key(source, interval), b"x")
    store.put(keys.articles_key("seed", other), b"x")
    batch = batch_for_interval(store, interval)
    assert batch["article_keys"] == sorted(
        keys.articles_key(s, interval) for s in ("seed", "defense_news")
    )


def test_publish_summary_counts_sources_and_survives_failed_tasks() -> None:
    report = {
        "source_id": "seed",
        "article_count": 9,
        "counts": {"discovered": 12, "article": 9, "skipped": 3},
        "source_errors": [],
        "articles_key": "articles/x.parquet",
        "interval_start": HOUR_START.isoformat(),
        "interval_end": HOUR_END.isoformat(),
    }
    offline = {
        **report,
        "source_id": "offline",
        "article_count": 0,
        "counts": {"discovered": 0},
        "source_errors": ["feed https://offline.example/rss unreachable: name resolution failed"],
        "articles_key": None,
    }
    context = {"data_interval_start": HOUR_START, "data_interval_end": HOUR_END, "params": {}}
    summary = publish_ingest([report, offline, None], context)
    assert summary["article_keys"] == ["articles/x.parquet"]
    assert summary["article_count"] == 9
    assert summary["sources_ok"] == ["seed"]
    assert summary["sources_with_errors"] == ["offline"]
    assert summary["sources_failed"] == 1
    table = format_ingest_summary(summary)
    assert "name resolution failed" in table
    assert "1 source task(s) failed" in table
