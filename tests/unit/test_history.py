"""Fusion over time and reprocessing, over a real local store written by the pipeline."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from defence_news.audit import audit_store
from defence_news.contracts import FuseReport
from defence_news.fetch.manifest import RunManifest
from defence_news.history import (
    days_between,
    fuse_window,
    intervals_with_articles,
    read_snapshot,
    reextract_day,
    reextract_interval,
)
from defence_news.interval import Interval
from defence_news.models import Article, UrlOutcome
from defence_news.parse.fingerprint import content_hash, simhash
from defence_news.pipeline import extract_interval
from defence_news.store import LocalStore, keys
from defence_news.store.records import read_json, read_parquet, write_articles, write_parquet

# One happening, three outlets, three days: announced, under way, concluded.
PLANNED = (
    "Cambodia and Russia will hold a joint naval exercise in the Gulf of Thailand from "
    "March 10 to March 14, the Cambodian defence ministry said on Monday. Two Russian "
    "corvettes are expected at Ream for the drills."
)
ONGOING = (
    "Russian and Cambodian warships are holding a joint naval exercise in the Gulf of "
    "Thailand from March 10 to March 14, officials in Phnom Penh said on Wednesday."
)
OCCURRED = (
    "Cambodia and Russia concluded a joint naval exercise in the Gulf of Thailand on "
    "March 14 after five days of drills at sea, the ministry said."
)
UNRELATED = (
    "Kenya and the United Kingdom signed a defence cooperation agreement in Nairobi on "
    "Thursday, the Kenyan defence ministry said."
)


def _interval(day: int, hour: int = 9) -> Interval:
    start = datetime(2026, 3, day, hour, tzinfo=UTC)
    return Interval(start, start + timedelta(hours=1))


def _article(source: str, slug: str, body: str, published: datetime) -> Article:
    url = f"https://{source}.example/news/{slug}"
    return Article(
        article_id=Article.make_id(url),
        url=url,
        canonical_url=url,
        source_id=source,
        publisher=source.title(),
        title=slug.replace("-", " "),
        body=body,
        published_at=published,
        word_count=len(body.split()),
        content_hash=content_hash(body),
        simhash=simhash(body),
        fetched_at=published,
    )


def _ingest(store: LocalStore, interval: Interval, *articles: Article) -> None:
    """What the ingest and events DAGs leave for one interval: articles, then events."""
    by_source: dict[str, list[Article]] = {}
    for article in articles:
        by_source.setdefault(article.source_id, []).append(article)
    for source, batch in by_source.items():
        write_articles(store, keys.articles_key(source, interval), batch)
        outcomes = [UrlOutcome(a.url, "article", article_id=a.article_id) for a in batch]
        manifest = RunManifest(source, interval, outcomes)
        store.put(keys.manifest_key("defence_news_ingest", interval, source), manifest.to_json())
    extract_interval(keys.article_keys_for(store, interval), interval, store)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    store = LocalStore(tmp_path / "store")
    first, second, third = _interval(2), _interval(11), _interval(15)
    _ingest(store, first, _article("khmertimes", "drill-announced", PLANNED, first.start))
    _ingest(
        store,
        second,
        _article("wire", "drill-under-way", ONGOING, second.start),
        _article("eastafrica", "kenya-uk-pact", UNRELATED, second.start),
    )
    _ingest(store, third, _article("daily", "drill-ends", OCCURRED, third.start))
    return store


def _exercises(fused: list) -> list:
    return [f for f in fused if f.category == "exercise"]


def test_one_happening_over_three_days_and_outlets_is_one_fused_event(store) -> None:
    report = fuse_window(store, date(2026, 3, 15))
    assert (report.intervals, report.fused) == (3, 2)
    (exercise,) = _exercises(read_snapshot(store, date(2026, 3, 15)))
    assert exercise.countries == ("KHM", "RUS")
    assert exercise.outlets == ("Khmertimes", "Wire", "Daily")
    assert len(exercise.article_ids) == len(exercise.evidence) == 3
    assert exercise.first_reported.startswith("2026-03-02")
    assert exercise.last_reported.startswith("2026-03-15")
    assert [(c.first_seen, c.status) for c in exercise.status_history] == [
        ("2026-03-02", "planned"),
        ("2026-03-11", "ongoing"),
        ("2026-03-15", "occurred"),
    ]
    assert exercise.status == "occurred"
    assert exercise.extractor_versions, "the extractor that wrote the reports is kept"


def test_the_fused_id_survives_later_reports_and_reruns(store) -> None:
    # On day 2 only the announcement exists; its id must be the one day 15 reports under.
    fuse_window(store, date(2026, 3, 2))
    (announced,) = _exercises(read_snapshot(store, date(2026, 3, 2)))
    assert len(announced.article_ids) == 1
    later = fuse_window(store, date(2026, 3, 15))
    (grown,) = _exercises(read_snapshot(store, date(2026, 3, 15)))
    assert grown.fused_id == announced.fused_id
    assert later.ids_kept == 1 and later.previous_snapshot == "2026-03-02"
    first_bytes = store.get(keys.fused_snapshot_key(date(2026, 3, 15)))
    fuse_window(store, date(2026, 3, 15))  # a rerun of the day
    assert store.get(keys.fused_snapshot_key(date(2026, 3, 15))) == first_bytes


def test_the_window_leaves_out_what_is_older(store) -> None:
    report = fuse_window(store, date(2026, 3, 15), window_days=5)
    assert report.intervals == 2  # the 11th and the 15th, not the 2nd
    (exercise,) = _exercises(read_snapshot(store, date(2026, 3, 15)))
    assert exercise.outlets == ("Wire", "Daily")


def test_a_syndicated_copy_in_a_later_interval_is_linked_not_counted(store) -> None:
    concluded = _article("daily", "drill-ends", OCCURRED, _interval(15).start)
    later = _interval(16)
    copy = _article("mirror", "drill-ends-copy", OCCURRED, later.start)
    _ingest(store, later, copy)
    report = fuse_window(store, date(2026, 3, 16))
    assert report.syndicated_copies == 1
    (exercise,) = _exercises(read_snapshot(store, date(2026, 3, 16)))
    duplicates = {e.article_id: e.duplicate_of for e in exercise.evidence}
    assert duplicates[copy.article_id] == concluded.article_id
    assert [a for a, original in duplicates.items() if original] == [copy.article_id]
    assert "Mirror" in exercise.outlets  # another outlet, but not another report


def test_the_fuse_manifest_lists_what_it_read_and_the_audit_stays_clean(store) -> None:
    report = fuse_window(store, date(2026, 3, 15))
    manifest = read_json(store, keys.fuse_manifest_key(date(2026, 3, 15)))
    assert FuseReport.from_extra(manifest) == report
    assert len(manifest["event_keys"]) == 3
    audit = audit_store(store, now=datetime(2026, 3, 16, tzinfo=UTC))
    assert audit.ok, audit.table()


def test_reextraction_replaces_exactly_the_days_it_is_given(store) -> None:
    # An older extractor wrote the 11th: its version differs from the current one.
    eleventh = _interval(11)
    key = keys.events_key(eleventh)
    rows = read_parquet(store, key)
    for row in rows:
        row["extractor"] = {"name": "old-rules", "version": "1.0.0"}
    from defence_news.extract.schema import EVENT_ARROW_SCHEMA

    write_parquet(store, key, rows, EVENT_ARROW_SCHEMA)
    untouched = {
        k: store.get(k) for k in (keys.events_key(_interval(2)), keys.events_key(_interval(15)))
    }
    reports = [
        r
        for day in days_between(date(2026, 3, 10), date(2026, 3, 11))
        for r in reextract_day(store, day)
    ]
    assert [r.interval for r in reports] == [eleventh.slug]
    (report,) = reports
    assert report.changed and report.versions_before == ["old-rules 1.0.0"]
    assert report.versions_after != report.versions_before
    assert report.events_after == report.events_before == len(rows)
    assert {r["extractor"]["version"] for r in read_parquet(store, key)} != {"1.0.0"}
    assert all(store.get(k) == v for k, v in untouched.items())
    manifest = read_json(store, keys.manifest_key("defence_news_events", eleventh))
    assert manifest["extractor"]["version"] == report.versions_after[0].split(" ")[1]
    again = reextract_interval(store, eleventh)
    assert not again.changed, "a second pass with the same extractor changes nothing"
    assert audit_store(store, now=datetime(2026, 3, 16, tzinfo=UTC)).ok


def test_a_dry_run_reports_the_change_and_writes_nothing(store) -> None:
    eleventh = _interval(11)
    key = keys.events_key(eleventh)
    rows = read_parquet(store, key)
    from defence_news.extract.schema import EVENT_ARROW_SCHEMA

    write_parquet(store, key, rows[:1], EVENT_ARROW_SCHEMA)  # one event lost, say
    before = {k: store.get(k) for k in store.list("")}
    report = reextract_interval(store, eleventh, dry_run=True)
    assert report.dry_run and report.changed and report.added == len(rows) - 1
    assert {k: store.get(k) for k in store.list("")} == before


def test_days_and_intervals_of_a_range() -> None:
    assert days_between(date(2026, 2, 27), date(2026, 3, 1)) == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]
    with pytest.raises(ValueError, match="ends"):
        days_between(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(ValueError, match="split the range"):
        days_between(date(2020, 1, 1), date(2026, 1, 1))


def test_intervals_with_articles_are_those_of_the_day(store) -> None:
    assert intervals_with_articles(store, date(2026, 3, 11)) == [_interval(11)]
    assert intervals_with_articles(store, date(2026, 3, 12)) == []


def test_the_audit_shows_which_extractor_wrote_which_intervals(store) -> None:
    eleventh = keys.manifest_key("defence_news_events", _interval(11))
    manifest = read_json(store, eleventh)
    current = f"{manifest['extractor']['name']} {manifest['extractor']['version']}"
    store.put(
        eleventh, json.dumps({**manifest, "extractor": {"name": "old", "version": "1"}}).encode()
    )
    audit = audit_store(store, now=datetime(2026, 3, 16, tzinfo=UTC))
    assert audit.extractor_versions == {current: 2, "old 1": 1}
    assert "old 1 (1)" in audit.table() and "mixed" in audit.table()
    reextract_interval(store, _interval(11))
    assert audit_store(store, now=datetime(2026, 3, 16, tzinfo=UTC)).extractor_versions == {
        current: 3
    }


def test_the_history_commands_fuse_and_reextract_the_configured_store(
    store, monkeypatch, capsys
) -> None:
    from defence_news.cli import main

    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(store.root))
    assert main(["history", "fuse", "--day", "2026-03-15", "--window", "30"]) == 0
    out = capsys.readouterr().out
    assert "3 intervals" in out and keys.fused_snapshot_key(date(2026, 3, 15)) in out
    before = {k: store.get(k) for k in store.list("events/")}
    code = main(["history", "reextract", "--from", "2026-03-10", "--to", "2026-03-12", "--dry-run"])
    assert code == 0
    out = capsys.readouterr().out
    assert _interval(11).slug in out and "1 intervals over 3 days, 0 would change" in out
    assert {k: store.get(k) for k in store.list("events/")} == before
    assert main(["history", "reextract", "--from", "2026-03-12", "--to", "2026-03-10"]) == 2
    assert "ends" in capsys.readouterr().err
