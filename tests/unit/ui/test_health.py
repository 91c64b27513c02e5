"""Source health over the last runs, from real manifests in a LocalStore."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from defence_news.interval import Interval
from defence_news.models import UrlOutcome
from defence_news.store import LocalStore, keys
from defence_news.ui.app import create_app
from defence_news.ui.health import RECENT_RUNS, load_health
from tests.unit.ui.fixtures import seed_outcomes, write_manifest

TODAY = date(2026, 11, 29)
FIRST = datetime(2026, 11, 28, 0, tzinfo=UTC)


def hour(index: int) -> Interval:
    start = FIRST + timedelta(hours=index)
    return Interval(start, start + timedelta(hours=1))


def article(n: int) -> UrlOutcome:
    return UrlOutcome(f"https://ok.example/{n}", "article", status_code=200, article_id=f"a{n}")


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    """30 hourly runs: "steady" fetches every run; "dead-feed" cannot read its feed from
    run 20 on; "quiet" stops finding anything at run 26; "flaky" misses one manifest."""
    store = LocalStore(tmp_path / "store")
    for index in range(30):
        interval = hour(index)
        write_manifest(store, interval, "steady", [article(index)])
        if index < 20:
            write_manifest(store, interval, "dead-feed", [article(100 + index)])
        else:
            write_manifest(
                store, interval, "dead-feed", [], errors=["feed https://dead.example/rss: http_503"]
            )
        write_manifest(store, interval, "quiet", [article(200 + index)] if index < 26 else [])
        if index != 28:
            write_manifest(store, interval, "flaky", seed_outcomes())
    return store


def by_source(store: LocalStore, **options: object) -> dict[str, dict]:
    view = load_health(store, today=TODAY, **options)  # type: ignore[arg-type]
    return {row["source_id"]: row for row in view.to_dict()["sources"]}


def test_the_last_24_runs_newest_first(store: LocalStore) -> None:
    view = load_health(store, today=TODAY)
    assert len(view.intervals) == RECENT_RUNS
    assert view.intervals[0] == hour(29).slug and view.intervals[-1] == hour(6).slug
    assert all(len(row.runs) == RECENT_RUNS for row in view.sources)


def test_an_unreachable_feed_counts_as_failures_not_zero(store: LocalStore) -> None:
    dead = by_source(store)["dead-feed"]
    assert dead["state"] == "failed"
    newest = dead["runs"][0]
    assert (newest["state"], newest["articles"], newest["failures"]) == ("failed", 0, 1)
    assert dead["failures"] == 10  # runs 20..29, one unreadable feed each
    assert dead["articles"] == 14  # runs 6..19
    assert dead["last_success"] == hour(19).slug
    assert dead["top_reasons"] == [["feed https://dead.example/rss: http_503", 10]]
    assert dead["flagged"] and dead["silent_for"] == 10


def test_failed_urls_are_counted_with_their_reasons(store: LocalStore) -> None:
    flaky = by_source(store)["flaky"]
    assert flaky["state"] == "failures"
    assert flaky["runs"][0]["failures"] == 3
    assert flaky["top_reasons"] == [["failed:http_404", 46], ["failed:timeout", 23]]
    missing = flaky["runs"][1]
    assert missing["interval"] == hour(28).slug and missing["state"] == "missing"
    assert not flaky["flagged"]


def test_silent_sources_are_flagged_after_n_runs(store: LocalStore) -> None:
    quiet = by_source(store)["quiet"]
    assert (quiet["state"], quiet["silent_for"], quiet["flagged"]) == ("empty", 4, True)
    assert not by_source(store, silent_runs=5)["quiet"]["flagged"]
    assert not by_source(store)["steady"]["flagged"]
    view = load_health(store, today=TODAY)
    assert [row.source_id for row in view.sources][:2] == ["dead-feed", "quiet"]  # flagged first


def test_task_log_links_per_run(store: LocalStore) -> None:
    asked: list[tuple[int, list[str]]] = []

    def links(intervals: list[Interval], sources: list[str]) -> dict[tuple[str, str], str]:
        asked.append((len(intervals), sources))
        return {
            (
                hour(29).slug,
                "dead-feed",
            ): "../dags/defence_news_ingest/runs/r29/tasks/ingest/mapped/1"
        }

    dead = by_source(store, task_links=links)["dead-feed"]
    assert dead["runs"][0]["log_url"].endswith("/runs/r29/tasks/ingest/mapped/1")
    assert dead["runs"][1]["log_url"] is None
    assert asked == [(RECENT_RUNS, ["dead-feed", "flaky", "quiet", "steady"])]


def test_links_that_fail_leave_the_page_standing(store: LocalStore) -> None:
    def broken(intervals: list[Interval], sources: list[str]) -> dict[tuple[str, str], str]:
        raise RuntimeError("metadata database is locked")

    view = load_health(store, today=TODAY, task_links=broken)
    assert view.problems == [
        "task log links unavailable (RuntimeError: metadata database is locked)"
    ]
    assert len(view.sources) == 4


def test_health_page_shows_bars_flags_and_reasons(store: LocalStore) -> None:
    page = TestClient(create_app(lambda: store)).get("/health").text
    assert 'class="st-failed" id="source-dead-feed"' in page
    assert "no article for 10 runs" in page
    assert f"{hour(29).slug}: 0 article(s), 1 failure(s), failed</title>" in page
    assert "feed https://dead.example/rss: http_503 ×10" in page
    assert f"none in the last {RECENT_RUNS} runs" not in page  # each source fetched once
    assert page.count("<svg") == 4


def test_corrupt_manifest_is_named_and_shown_as_unreadable(store: LocalStore) -> None:
    bad = keys.manifest_key("defence_news_ingest", hour(29), "garbled")
    store.put(bad, b"{not json")
    body = TestClient(create_app(lambda: store)).get("/api/health").json()
    assert len(body["problems"]) == 1 and body["problems"][0].startswith(bad)
    garbled = next(row for row in body["sources"] if row["source_id"] == "garbled")
    assert garbled["runs"][0]["state"] == "unreadable"


def test_a_store_filled_for_past_dates_still_shows_its_runs(store: LocalStore) -> None:
    view = load_health(store, today=date(2027, 6, 1))
    assert view.intervals[0] == hour(29).slug and len(view.intervals) == RECENT_RUNS


def test_a_whole_source_failure_without_error_lines_is_one_failure(tmp_path: Path) -> None:
    from defence_news.fetch.manifest import RunManifest

    store = LocalStore(tmp_path)
    manifest = RunManifest("gone", hour(0), [], failure="nothing read or fetched")
    store.put(keys.manifest_key("defence_news_ingest", hour(0), "gone"), manifest.to_json())
    (row,) = load_health(store, today=TODAY).to_dict()["sources"]
    assert (row["state"], row["failures"], row["top_reasons"]) == (
        "failed",
        1,
        [["nothing read or fetched", 1]],
    )


def test_reasons_are_counted_by_their_gist_not_their_library_detail(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for index, detail in enumerate(("(Pool(port=9): retry 1)", "(Pool(port=9): retry 2)")):
        error = f"feed http://gone.example/rss unreachable: connection_refused {detail}"
        write_manifest(store, hour(index), "gone", [], errors=[error])
    (row,) = load_health(store, today=TODAY).to_dict()["sources"]
    assert row["top_reasons"] == [
        ["feed http://gone.example/rss unreachable: connection_refused", 2]
    ]
    page = TestClient(create_app(lambda: store)).get("/health").text
    assert 'title="feed http://gone.example/rss unreachable: connection_refused (Pool' in page
