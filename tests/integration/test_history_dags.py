"""History DAGs for real with ``dag.test()``: a backfill of two past intervals of the seed
site (runs by logical date, as ``airflow backfill create`` makes them), then the fuse
DAG's snapshot over both and a re-extraction, with the store audit clean after each."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from defence_news.adapters.runner import run_dag_in_process
from defence_news.audit import audit_store
from defence_news.history import read_snapshot
from defence_news.interval import Interval
from defence_news.store import LocalStore, keys
from defence_news.store.records import read_json, read_parquet

pytestmark = pytest.mark.integration

# Two past hours of the seed site's archive (its news sitemap dates its articles):
# the seed article (2024-06-18 07:05) and a later one (2025-03-21 07:30).
JUNE = Interval(datetime(2024, 6, 18, 7, tzinfo=UTC), datetime(2024, 6, 18, 8, tzinfo=UTC))
MARCH = Interval(datetime(2025, 3, 21, 7, tzinfo=UTC), datetime(2025, 3, 21, 8, tzinfo=UTC))
# dag.test() keeps an earlier test's Params on the DAG object: every run says all of them.
INGEST_DEFAULTS = {
    "sources": [],
    "interval_start": None,
    "interval_end": None,
    "limit": None,
    "dry_run": False,
}


def _backfill(dags: dict, interval: Interval) -> None:
    """One backfill run: the ingest run of that data interval, then its events run.
    (A manual run's data interval is the hour that ends at its logical date.)"""
    ingest = dags["defence_news_ingest"]
    assert run_dag_in_process(ingest, INGEST_DEFAULTS, logical_date=interval.end) == "success"
    conf = {"interval_start": interval.start.isoformat(), "interval_end": interval.end.isoformat()}
    assert run_dag_in_process(dags["defence_news_events"], conf) == "success"


def _audit_clean(store: LocalStore) -> None:
    report = audit_store(store, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert report.ok, report.table()


@pytest.fixture
def backfilled(dags, pipeline_env, monkeypatch, tmp_path: Path) -> LocalStore:
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path / "store"))
    store = LocalStore(tmp_path / "store")
    _backfill(dags, JUNE)
    _backfill(dags, MARCH)
    return store


def _published(store: LocalStore, interval: Interval) -> list[str]:
    """The articles' publication times, in UTC to the minute."""
    rows = read_parquet(store, keys.articles_key("seed", interval))
    moments = (datetime.fromisoformat(row["published_at"]).astimezone(UTC) for row in rows)
    return sorted(moment.strftime("%Y-%m-%dT%H:%M") for moment in moments)


def test_a_backfill_takes_each_past_interval_its_own_articles(backfilled) -> None:
    june, march = _published(backfilled, JUNE), _published(backfilled, MARCH)
    assert "2024-06-18T07:05" in june
    assert all(moment < "2024-06-18T08:00" for moment in june), "nothing from its future"
    assert "2025-03-21T07:30" in march and not set(june) & set(march)
    outcomes = read_json(backfilled, keys.manifest_key("defence_news_ingest", JUNE, "seed"))
    later = [o for o in outcomes["outcomes"] if o.get("reason") == "after_interval"]
    assert later, "the June run leaves later articles to the runs of their own intervals"
    _audit_clean(backfilled)


def test_the_fuse_dag_writes_a_snapshot_over_the_window(dags, backfilled) -> None:
    conf = {"day": "2025-03-21", "window_days": 300}
    assert run_dag_in_process(dags["defence_news_fuse"], conf) == "success"
    snapshot = read_snapshot(backfilled, date(2025, 3, 21))
    june_events = read_parquet(backfilled, keys.events_key(JUNE))
    assert {e["event_id"] for e in june_events} <= {i for f in snapshot for i in f.event_ids}
    manifest = read_json(backfilled, keys.fuse_manifest_key(date(2025, 3, 21)))
    assert manifest["intervals"] == 2 and manifest["fused"] == len(snapshot)
    assert all(f.first_reported and f.outlets for f in snapshot)
    # Idempotent per day: the rerun writes the same snapshot.
    first = backfilled.get(keys.fused_snapshot_key(date(2025, 3, 21)))
    assert run_dag_in_process(dags["defence_news_fuse"], conf) == "success"
    assert backfilled.get(keys.fused_snapshot_key(date(2025, 3, 21))) == first
    _audit_clean(backfilled)


def test_the_reextract_dag_replaces_the_days_it_is_given_and_a_dry_run_nothing(
    dags, backfilled
) -> None:
    june_key = keys.events_key(JUNE)
    before = {key: backfilled.get(key) for key in backfilled.list("")}
    dry = {"start": "2024-06-18", "end": "2024-06-19", "dry_run": True}
    assert run_dag_in_process(dags["defence_news_reextract"], dry) == "success"
    assert {key: backfilled.get(key) for key in backfilled.list("")} == before

    backfilled.delete(june_key)  # events lost, say: re-extraction brings them back
    real = {"start": "2024-06-18", "end": "2024-06-18", "dry_run": False}
    assert run_dag_in_process(dags["defence_news_reextract"], real) == "success"
    assert backfilled.get(june_key) == before[june_key]
    march_key = keys.events_key(MARCH)
    assert backfilled.get(march_key) == before[march_key], "other days untouched"
    _audit_clean(backfilled)
