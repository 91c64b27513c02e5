"""The Airflow adapter's pure parts: intervals, asset batches, summaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from defence_news.adapters.airflow import (
    batch_for_interval,
    batches_from_asset_events,
    format_ingest_summary,
    interval_from_context,
    publish_ingest,
)
from defence_news.contracts import ArticlesAnnouncement, IngestReport
from defence_news.interval import Interval
from defence_news.store import LocalStore, keys
from defence_news.store.records import write_json

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


def _report(source_id: str, **changes: Any) -> dict[str, Any]:
    interval = Interval(HOUR_START, HOUR_END)
    report = IngestReport(
        source_id=source_id,
        interval=interval.slug,
        interval_start=HOUR_START.isoformat(),
        interval_end=HOUR_END.isoformat(),
        articles_key=None,
        raw_key=None,
        manifest_key=keys.manifest_key("defence_news_ingest", interval, source_id),
        counts={"discovered": 0},
    )
    return replace(report, **changes).to_extra()


def test_publish_summary_counts_sources_and_survives_failed_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path))
    seed = _report(
        "seed",
        counts={"discovered": 12, "article": 9, "skipped": 3},
        articles_key="articles/x.parquet",
    )
    offline_feed = "feed https://offline.example/rss unreachable: name resolution failed"
    offline = _report("offline", source_errors=[offline_feed])
    # "down" failed its task after writing its manifest; "lost" before writing one.
    manifest = {"counts": {"discovered": 2, "failed": 2}, "source_errors": ["sitemap gone"]}
    interval = Interval(HOUR_START, HOUR_END)
    write_json(
        LocalStore(tmp_path), keys.manifest_key("defence_news_ingest", interval, "down"), manifest
    )
    context = {"data_interval_start": HOUR_START, "data_interval_end": HOUR_END, "params": {}}
    summary = publish_ingest(
        [seed, offline, None, None], ["seed", "offline", "down", "lost"], context
    )
    assert summary["article_keys"] == ["articles/x.parquet"]
    assert summary["article_count"] == 9
    assert summary["sources_ok"] == ["seed"]
    assert summary["sources_failed"] == ["down", "lost"]
    assert summary["sources"]["down"]["counts"] == {"discovered": 2, "failed": 2}
    assert summary["sources"]["down"]["errors"] == ["sitemap gone"]
    assert "before writing its manifest" in summary["sources"]["lost"]["errors"][0]
    assert ArticlesAnnouncement.from_extra(summary).to_extra() == summary
    table = format_ingest_summary(summary)
    assert "name resolution failed" in table
    assert "2 source task(s) failed: down, lost" in table


def test_the_xcom_summary_stays_small_however_many_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from defence_news.adapters.airflow import SourceFailed, require_every_source, xcom_summary

    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path))
    ids = [f"outlet_{n:03d}" for n in range(200)]
    reports = [
        _report(
            i,
            counts={"discovered": 40, "article": 30, "skipped": 10},
            articles_key=f"articles/{i}.parquet",
            source_errors=["feed slow " * 5],
        )
        for i in ids[:-1]
    ]
    context = {"data_interval_start": HOUR_START, "data_interval_end": HOUR_END, "params": {}}
    summary = publish_ingest([*reports, None], ids, context)
    small = xcom_summary(summary)
    assert len(json.dumps(small)) < 1024 < len(json.dumps(summary))
    assert small["article_count"] == 30 * 199 and small["sources"] == 200
    assert small["sources_failed"] == ["outlet_199"]
    with pytest.raises(SourceFailed, match="outlet_199"):
        require_every_source(small)
