"""One ingest of a source at a time: two intervals at once must not claim one article twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from defence_news.fetch.lease import Lease, SourceBusy, lease_key, source_lease
from defence_news.fetch.settings import FetchSettings
from defence_news.interval import Interval
from defence_news.pipeline import ingest_source
from defence_news.sources import seed_source
from defence_news.store import LocalStore
from defence_news.store.records import read_articles

HOUR = timedelta(hours=1)
FIRST = Interval(datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC))
SECOND = Interval(FIRST.end, FIRST.end + HOUR)


def test_intervals_ingested_at_once_store_each_article_once(seed_site, tmp_path) -> None:
    """A backfill beside the schedule: four intervals of the seed site start together."""
    store = LocalStore(tmp_path)
    source = seed_source(seed_site)
    intervals = [Interval(FIRST.start + n * HOUR, FIRST.end + n * HOUR) for n in range(4)]
    start = threading.Barrier(len(intervals))

    def ingest(interval: Interval):
        start.wait()
        return ingest_source(source, interval, store)

    with ThreadPoolExecutor(max_workers=len(intervals)) as pool:
        reports = list(pool.map(ingest, intervals))
    stored = [
        a.url for r in reports if r.articles_key for a in read_articles(store, r.articles_key)
    ]
    assert stored, "the seed site's articles were not stored"
    assert len(stored) == len(set(stored)), "an article was stored by two intervals"
    assert sum(1 for r in reports if r.article_count) == 1
    assert not store.exists(lease_key("seed")), "the lease was not let go of"


def test_another_interval_waits_then_is_told_the_source_is_busy(tmp_path) -> None:
    store = LocalStore(tmp_path)
    with source_lease(store, "wire", FIRST, wait=1, ttl=600):
        busy = r"being ingested for interval .*0800Z.*retried"
        with (
            pytest.raises(SourceBusy, match=busy),
            source_lease(store, "wire", SECOND, wait=0.1, ttl=600),
        ):
            pytest.fail("two intervals held the lease at once")
        held = Lease.from_json(store.get(lease_key("wire")))
        assert held is not None and held.interval == FIRST.slug
    with source_lease(store, "wire", SECOND, wait=0.1, ttl=600) as lease:
        assert lease.interval == SECOND.slug


def test_a_retry_of_the_same_interval_takes_over_a_killed_trys_lease(tmp_path) -> None:
    store = LocalStore(tmp_path)
    killed = Lease(FIRST.slug, "killed-try", datetime.now(UTC))
    store.put(lease_key("wire"), killed.to_json())
    with source_lease(store, "wire", FIRST, wait=0, ttl=600) as lease:
        assert lease.token != "killed-try"
    assert not store.exists(lease_key("wire"))


def test_a_stale_or_unreadable_lease_is_broken(tmp_path) -> None:
    store = LocalStore(tmp_path)
    old = Lease(FIRST.slug, "dead", datetime.now(UTC) - timedelta(hours=2))
    store.put(lease_key("wire"), old.to_json())
    with source_lease(store, "wire", SECOND, wait=0, ttl=3600) as lease:
        assert lease.interval == SECOND.slug
    store.put(lease_key("wire"), b"\x00 not json")
    with source_lease(store, "wire", SECOND, wait=0, ttl=3600) as lease:
        assert lease.interval == SECOND.slug


def test_the_lease_is_let_go_of_when_the_ingest_fails(tmp_path) -> None:
    store = LocalStore(tmp_path)
    with pytest.raises(OSError, match="disk"), source_lease(store, "wire", FIRST, wait=0, ttl=60):
        raise OSError("disk full")
    assert not store.exists(lease_key("wire"))


def test_lease_settings_from_the_environment() -> None:
    settings = FetchSettings.from_env({"DEFENCE_NEWS_FETCH_LEASE_WAIT": "0"})
    assert settings.lease_wait == 0 and settings.lease_ttl == FetchSettings().lease_ttl
    with pytest.raises(ValueError, match="lease_ttl"):
        replace(settings, lease_ttl=0)
