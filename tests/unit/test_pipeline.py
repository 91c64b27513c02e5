"""The two stages as plain functions, without Airflow: what the DAG tasks call."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import defence_news.extract
from defence_news.interval import Interval
from defence_news.models import Article
from defence_news.parse.fingerprint import content_hash, simhash
from defence_news.pipeline import extract_interval, ingest_source
from defence_news.sources import seed_source
from defence_news.store import LocalStore, keys
from defence_news.store.records import read_articles, read_parquet, write_articles

INTERVAL = Interval(datetime(2024, 6, 18, 4, tzinfo=UTC), datetime(2024, 6, 18, 5, tzinfo=UTC))
SEED_TEXT = (Path(__file__).resolve().parents[2] / "seeds" / "000_daa3c69061294fcf.txt").read_text(
    encoding="utf-8"
)
OTHER_TEXT = (
    "The Philippine Navy and the Japan Maritime Self-Defense Force held a joint exercise "
    "in the South China Sea on Monday, the Armed Forces of the Philippines said. "
    "The two navies have held such drills twice this year."
)


def article(source_id: str, url: str, body: str) -> Article:
    return Article(
        article_id=Article.make_id(url),
        url=url,
        source_id=source_id,
        title="Test article",
        body=body.strip(),
        published_at=datetime(2024, 6, 18, 7, tzinfo=UTC),
        word_count=len(body.split()),
        content_hash=content_hash(body.strip()),
        simhash=simhash(body.strip()),
    )


def test_ingest_writes_articles_raw_and_a_manifest_that_adds_up(seed_site, tmp_path) -> None:
    store = LocalStore(tmp_path)
    report = ingest_source(seed_source(seed_site), INTERVAL, store)
    manifest = json.loads(store.get(report.manifest_key))
    counts = manifest["counts"]
    assert (
        counts["discovered"]
        == len(manifest["outcomes"])
        == len({o["url"] for o in manifest["outcomes"]})
    )
    assert (
        report.article_count == counts["article"] == len(read_articles(store, report.articles_key))
    )
    assert store.exists(keys.raw_key("seed", INTERVAL))
    assert report.source_errors == []


def test_extract_links_near_duplicates_across_sources_and_counts_events_once(tmp_path) -> None:
    store = LocalStore(tmp_path)
    original = article("seed", "https://a.example/cambodia-russia", SEED_TEXT)
    copy = article("wire", "https://b.example/wire/cambodia-russia", SEED_TEXT)
    write_articles(store, keys.articles_key("seed", INTERVAL), [original])
    write_articles(store, keys.articles_key("wire", INTERVAL), [copy])
    report = extract_interval(
        [keys.articles_key("seed", INTERVAL), keys.articles_key("wire", INTERVAL)], INTERVAL, store
    )
    events = read_parquet(store, report.events_key)
    assert len({e["article"]["article_id"] for e in events}) == 1
    assert report.event_count == len(events) == 4
    assert report.skipped == {"near_duplicate": 1}


def test_one_failing_article_or_missing_object_does_not_lose_the_others(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    good = article("seed", "https://a.example/phl-jpn-drill", OTHER_TEXT)
    bad = article("seed", "https://a.example/cambodia-russia", SEED_TEXT)
    write_articles(store, keys.articles_key("seed", INTERVAL), [good, bad])
    real_extract = defence_news.extract.extract_events

    def extract_or_fail(item: Article):
        if item.article_id == bad.article_id:
            raise RuntimeError("extractor bug")
        return real_extract(item)

    monkeypatch.setattr(defence_news.extract, "extract_events", extract_or_fail)
    gone = keys.articles_key("gone", INTERVAL)
    report = extract_interval([keys.articles_key("seed", INTERVAL), gone], INTERVAL, store)
    events = read_parquet(store, report.events_key)
    assert events and {e["article"]["article_id"] for e in events} == {good.article_id}
    manifest = json.loads(store.get(report.manifest_key))
    assert manifest["articles"][bad.article_id]["failed"] == "extract_error:RuntimeError"
    assert manifest["missing_keys"] == [gone]
    assert report.skipped["extract_error:RuntimeError"] == 1
