"""The UI app through FastAPI's TestClient over a LocalStore filled with real records."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from defence_news.interval import Interval
from defence_news.store import LocalStore, keys
from defence_news.ui.app import create_app
from tests.unit.ui.fixtures import (
    HOSTILE_URL,
    MORNING,
    NOON,
    fill_store,
    make_event,
    same_visit_twice,
    seed_outcomes,
    write_events,
    write_fused,
    write_manifest,
)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return fill_store(LocalStore(tmp_path / "store"))


@pytest.fixture
def client(store: LocalStore) -> TestClient:
    return TestClient(create_app(lambda: store))


def event_ids(client: TestClient, **params: str) -> list[str]:
    response = client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    return [row["event_id"] for row in response.json()["events"]]


def test_root_redirects_to_the_events_page(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "events"


def test_events_default_to_the_newest_date(client: TestClient) -> None:
    body = client.get("/api/events").json()
    assert body["filters"]["date"] == "2026-11-29"
    assert body["dates"] == ["2026-11-29", "2026-11-28"]
    assert [row["event_id"] for row in body["events"]] == ["e4"]


def test_a_date_lists_newest_interval_first_then_by_confidence(client: TestClient) -> None:
    assert event_ids(client, date="2026-11-28") == ["e3", "e1", "e2"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "exercise"}, ["e2"]),
        ({"status": "planned"}, ["e1"]),
        ({"country": "usa"}, ["e2"]),  # codes compare upper-case
        ({"country": "KHM"}, ["e1", "e2"]),
        ({"source": "other"}, ["e2"]),
        ({"interval": MORNING.slug}, ["e1", "e2"]),
        ({"category": "exercise", "status": "planned"}, []),
        ({"category": ""}, ["e3", "e1", "e2"]),  # a blank form field means any
    ],
)
def test_filters(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    assert event_ids(client, date="2026-11-28", **params) == expected


def test_events_page_shows_the_columns_an_analyst_reads(client: TestClient) -> None:
    page = client.get("/events", params={"date": "2026-11-28", "category": "exercise"}).text
    assert "Angkor Sentinel" in page
    assert "The joint drill has not taken place for several years." in page
    assert "suspended" in page and "USA" in page and "KHM" in page
    assert "2026-11-20" in page and "0.70" in page
    assert "1 event(s) on 2026-11-28" in page
    # Only the filtered event: the agreement of the same interval is not on the page.
    assert "memorandum" not in page


def test_article_link_and_title(client: TestClient) -> None:
    page = client.get("/events", params={"date": "2026-11-28", "status": "planned"}).text
    assert '<a href="https://news.example/khm-rus-mou"' in page
    assert "Land forces to sign memorandum</a>" in page


def test_hostile_text_is_escaped_and_unsafe_links_are_not_links(client: TestClient) -> None:
    page = client.get("/events", params={"date": "2026-11-28", "interval": NOON.slug}).text
    assert "<script>" not in page and "<b>Bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    assert "drill &amp; train" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
    assert HOSTILE_URL not in page  # neither as href nor anywhere else


def test_filter_values_from_the_query_are_escaped(client: TestClient) -> None:
    page = client.get("/events", params={"source": '"><script>x()</script>'}).text
    assert "<script>x()" not in page
    assert "No event matches these filters." in page


def test_empty_store_says_so(tmp_path: Path) -> None:
    client = TestClient(create_app(lambda: LocalStore(tmp_path / "empty")))
    events = client.get("/events")
    assert events.status_code == 200
    assert "No events have been written to the store yet." in events.text
    health = client.get("/health")
    assert health.status_code == 200
    assert "No ingest manifest has been written to the store yet." in health.text
    assert client.get("/api/events").json()["total"] == 0
    assert client.get("/api/health").json()["sources"] == []


def test_corrupt_parquet_is_named_and_the_rest_still_shows(store: LocalStore) -> None:
    bad_key = "events/dt=2026-11-28/20261128T1500Z--20261128T1600Z.parquet"
    store.put(bad_key, b"PAR1 this is not parquet at all")
    client = TestClient(create_app(lambda: store))
    page = client.get("/events", params={"date": "2026-11-28"})
    assert page.status_code == 200
    assert f"{bad_key}: could not be read" in page.text
    assert "memorandum" in page.text  # the readable intervals are still listed
    body = client.get("/api/events", params={"date": "2026-11-28"}).json()
    assert [problem.split(":")[0] for problem in body["problems"]] == [bad_key]
    assert body["total"] == 3


def test_bad_date_is_a_clear_400(client: TestClient) -> None:
    page = client.get("/events", params={"date": "../../etc"})
    assert page.status_code == 400
    assert "date must look like 2026-11-29" in page.text
    api = client.get("/api/health", params={"date": "yesterday"})
    assert api.status_code == 400
    assert api.json()["error"] == "Bad filter"


def test_store_that_cannot_be_opened_is_a_clear_503() -> None:
    def no_store() -> LocalStore:
        raise ValueError("DEFENCE_NEWS_STORE=s3 needs DEFENCE_NEWS_S3_BUCKET")

    client = TestClient(create_app(no_store))
    page = client.get("/events")
    assert page.status_code == 503
    assert "DEFENCE_NEWS_S3_BUCKET" in page.text
    assert client.get("/api/events").json()["error"] == "The object store could not be opened"


def test_health_counts_reasons_and_source_errors(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["intervals"] == [NOON.slug, MORNING.slug]
    by_key = {(row["source_id"], row["interval"]): row for row in body["sources"]}
    morning = by_key[("seed", MORNING.slug)]
    assert morning["counts"] == {
        "discovered": 7,
        "article": 2,
        "not_modified": 1,
        "skipped": 1,
        "failed": 3,
        "deferred": 0,
    }
    assert morning["reasons"] == {
        "failed:http_404": 2,
        "failed:timeout": 1,
        "skipped:robots_disallowed": 1,
    }
    assert morning["state"] == "failures"
    assert by_key[("seed", NOON.slug)]["state"] == "ok"
    broken = by_key[("broken-feed", NOON.slug)]
    assert broken["state"] == "error"
    assert broken["source_errors"] == ["feed https://x.example/rss: http_503"]
    assert body["totals"]["seed"]["article"] == 4
    assert body["totals"]["seed"]["discovered"] == 9


def test_health_page_shows_top_reasons_and_errors(client: TestClient) -> None:
    page = client.get("/health").text
    assert "failed:http_404 ×2" in page
    assert "feed https://x.example/rss: http_503" in page
    assert "broken-feed" in page and "st-error" in page


def test_health_for_a_date_without_manifests_is_empty(client: TestClient) -> None:
    body = client.get("/api/health", params={"date": "2026-11-29"}).json()
    assert body["sources"] == []
    assert body["dates"] == ["2026-11-29", "2026-11-28"]  # dates with events or manifests


def test_corrupt_manifest_is_named(store: LocalStore) -> None:
    bad_key = keys.manifest_key("defence_news_ingest", MORNING, "garbled")
    store.put(bad_key, b"{not json")
    client = TestClient(create_app(lambda: store))
    body = client.get("/api/health").json()
    assert len(body["problems"]) == 1 and body["problems"][0].startswith(bad_key)
    assert "seed" in body["totals"]
    page = client.get("/health")
    assert page.status_code == 200 and bad_key in page.text


def test_events_page_caps_long_lists(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import defence_news.ui.data as data

    monkeypatch.setattr(data, "MAX_EVENTS_SHOWN", 2)
    write_events(
        store,
        MORNING,
        [
            make_event(f"m{i}", "dialogue", "occurred", ("FRA", "DEU"), f"Talk {i}.")
            for i in range(5)
        ],
    )
    client = TestClient(create_app(lambda: store))
    body = client.get("/api/events", params={"date": "2026-11-28"}).json()
    assert body["shown"] == 2 and body["total"] == 6  # 5 dialogues + the noon training
    assert "2 of 6 event(s)" in client.get("/events", params={"date": "2026-11-28"}).text


def test_health_counts_per_interval_include_events(store: LocalStore) -> None:
    later = Interval(NOON.end, NOON.end + timedelta(hours=1))
    write_manifest(store, later, "seed", seed_outcomes()[:1])  # ingested, not extracted yet
    body = TestClient(create_app(lambda: store)).get("/api/health").json()
    assert body["per_interval"] == [
        {
            "interval": later.slug,
            "sources": 1,
            "discovered": 1,
            "articles": 1,
            "failed": 0,
            "events": None,
        },
        {
            "interval": NOON.slug,
            "sources": 2,
            "discovered": 2,
            "articles": 2,
            "failed": 0,
            "events": 1,
        },
        {
            "interval": MORNING.slug,
            "sources": 1,
            "discovered": 7,
            "articles": 2,
            "failed": 3,
            "events": 2,
        },
    ]
    page = TestClient(create_app(lambda: store)).get("/health").text
    assert "not extracted yet" in page


def test_health_names_an_unreadable_events_object(store: LocalStore) -> None:
    store.put(keys.events_key(NOON), b"garbage")
    body = TestClient(create_app(lambda: store)).get("/api/health").json()
    (problem,) = body["problems"]
    assert problem.startswith(f"{keys.events_key(NOON)}: could not be read (ArrowInvalid: ")
    assert [c["events"] for c in body["per_interval"]] == [None, 2]


def test_health_shows_only_the_most_recent_intervals(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import defence_news.ui.data as data

    monkeypatch.setattr(data, "RECENT_INTERVALS", 1)
    body = TestClient(create_app(lambda: store)).get("/api/health").json()
    assert body["intervals"] == [NOON.slug]
    assert {row["interval"] for row in body["sources"]} == {NOON.slug}


def test_health_links_each_interval_to_its_events(client: TestClient) -> None:
    page = client.get("/health").text
    link = f'href="events?date=2026-11-28&amp;interval={MORNING.slug}"'
    assert link in page
    events = client.get(f"/events?date=2026-11-28&interval={MORNING.slug}").text
    assert "memorandum" in events and "drill &amp; train" not in events


def test_where_is_shown_with_when(store: LocalStore) -> None:
    from dataclasses import replace

    from defence_news.models import Where

    event = replace(
        make_event("w1", "visit", "planned", ("KHM", "RUS"), "The general will go to Moscow."),
        where=Where(country="RUS", place="Moscow"),
    )
    write_events(store, MORNING, [event])
    page = TestClient(create_app(lambda: store)).get("/events?date=2026-11-28").text
    assert "in Moscow, RUS" in page


def test_fused_events_list_every_source_of_one_happening(store: LocalStore) -> None:
    write_fused(store, MORNING, same_visit_twice())
    client = TestClient(create_app(lambda: store))
    body = client.get("/api/fused", params={"date": "2026-11-28"}).json()
    assert body["kind"] == "fused_events"
    visits = [row for row in body["events"] if row["category"] == "visit"]
    assert len(visits) == 1 and sorted(visits[0]["article_ids"]) == ["art-v1", "art-v2"]
    only_other = client.get("/api/fused", params={"date": "2026-11-28", "source": "other"}).json()
    assert [row["category"] for row in only_other["events"]] == ["visit"]
    by_country = client.get("/api/fused", params={"date": "2026-11-28", "country": "fra"}).json()
    assert [row["category"] for row in by_country["events"]] == ["exercise"]

    page = client.get("/fused", params={"date": "2026-11-28", "category": "visit"}).text
    assert "The army chief led a delegation to Beijing." in page
    assert '<a href="https://other.example/visit"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'action="fused"' in page


def test_fused_page_of_a_store_without_fused_events(client: TestClient) -> None:
    page = client.get("/fused")
    assert page.status_code == 200
    assert "No fused events have been written to the store yet." in page.text
