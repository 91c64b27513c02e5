"""The UI app through FastAPI's TestClient over a LocalStore filled with real records."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from defence_news.models import Evidence, Person, When
from defence_news.store import LocalStore, keys
from defence_news.ui.app import create_app
from tests.unit.ui.fixtures import (
    HOSTILE_URL,
    MORNING,
    NEXT_DAY,
    NOON,
    fill_store,
    make_event,
    same_visit_twice,
    write_events,
    write_fused,
)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    store = fill_store(LocalStore(tmp_path / "store"))
    # Events whose own dates differ from the day they were ingested.
    write_events(
        store,
        NEXT_DAY,
        [
            make_event(
                "e4", "visit", "occurred", ("KHM", "CHN"), "The delegation went to Beijing."
            ),
            make_event(
                "old",
                "agreement",
                "occurred",
                ("FRA", "DEU"),
                "The ministers signed the treaty in March.",
                start="2026-03-10",
                confidence=0.6,
            ),
            make_event(
                "undated", "dialogue", "occurred", ("FRA", "DEU"), "Talks went on.", start=None
            ),
        ],
    )
    return store


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


def test_events_come_newest_event_date_first_undated_last(client: TestClient) -> None:
    # Same event date: most confident first; the March agreement after; undated last.
    assert event_ids(client) == ["e1", "e3", "e4", "e2", "old", "undated"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"event_from": "2026-03-01", "event_to": "2026-03-31"}, ["old"]),
        ({"event_from": "2026-11-20"}, ["e1", "e3", "e4", "e2"]),
        ({"event_to": "2026-11-19"}, ["old"]),
        ({"date": "2026-11-29"}, ["e4", "old", "undated"]),  # ingest day, not event day
        ({"ingest_from": "2026-11-28", "ingest_to": "2026-11-28"}, ["e1", "e3", "e2"]),
        ({"event_from": "2026-03-01", "ingest_from": "2026-11-29"}, ["e4", "old"]),
        ({"category": "exercise"}, ["e2"]),
        ({"status": "planned"}, ["e1"]),
        ({"country": "usa"}, ["e2"]),  # codes compare upper-case
        ({"pair": "rus-khm"}, ["e1"]),  # either order
        ({"pair": "KHM-USA", "country": "KHM"}, ["e2"]),
        ({"source": "other"}, ["e2"]),
        ({"min_confidence": "0.75"}, ["e1", "e3", "e4", "undated"]),
        ({"q": "MEMORANDUM"}, ["e1"]),  # free text over the evidence, any case
        ({"q": "treaty", "country": "FRA"}, ["old"]),
        ({"interval": MORNING.slug}, ["e1", "e2"]),
        ({"category": "exercise", "status": "planned"}, []),
        ({"category": "", "country": " "}, ["e1", "e3", "e4", "e2", "old", "undated"]),
    ],
)
def test_filters(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    assert event_ids(client, **params) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event_from": "last week"}, "event_from must be an ISO date like 2026-11-29"),
        ({"event_to": "2026-02-30"}, "event_to must be an ISO date"),
        ({"event_from": "2026-12-01", "event_to": "2026-11-01"}, "is after event_to"),
        ({"ingest_from": "../../etc"}, "ingest_from must be an ISO date"),
        ({"country": "K1"}, "country must be a country code like KHM"),
        ({"pair": "KHM"}, "pair must be two different country codes"),
        ({"category": "war"}, "category must be one of"),
        ({"status": "maybe"}, "status must be one of"),
        ({"min_confidence": "high"}, "min_confidence must be a number from 0 to 1"),
        ({"min_confidence": "nan"}, "min_confidence must be a number from 0 to 1"),
        ({"page": "0"}, "page must be a whole number"),
        ({"page_size": "100000"}, "page_size must be a whole number from 1 to 500"),
        ({"interval": "today"}, "interval must look like"),
        ({"source": "<script>"}, "source must be a source id"),
    ],
)
def test_bad_filters_are_a_clear_422(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    api = client.get("/api/events", params=params)
    assert api.status_code == 422
    assert api.json()["error"] == "Bad filter" and message in api.json()["detail"]
    page = client.get("/events", params=params)
    assert page.status_code == 422 and message in page.text
    assert client.get("/export/events", params=params).status_code == 422
    assert client.get("/api/fused", params=params).status_code == 422


def test_bad_health_and_page_parameters_are_422(client: TestClient) -> None:
    assert client.get("/api/health", params={"silent_runs": "never"}).status_code == 422
    assert client.get("/charts", params={"kind": "tweets"}).status_code == 422
    assert client.get("/country", params={"code": "??"}).status_code == 422
    assert client.get("/country").status_code == 422
    assert client.get("/export/events", params={"format": "xlsx"}).status_code == 422
    assert client.get("/export/articles").status_code == 422


def test_pages_of_results(client: TestClient) -> None:
    first = client.get("/api/events", params={"page_size": "4"}).json()
    second = client.get("/api/events", params={"page_size": "4", "page": "2"}).json()
    assert (first["total"], first["pages"], first["shown"], second["shown"]) == (6, 2, 4, 2)
    ids = [row["event_id"] for row in first["events"] + second["events"]]
    assert ids == ["e1", "e3", "e4", "e2", "old", "undated"]
    page = client.get("/events", params={"page_size": "4", "country": "KHM"}).text
    assert "page 1 of 1" in page
    page = client.get("/events", params={"page_size": "4"}).text
    assert 'href="events?page=2&amp;page_size=4" rel="next"' in page


def test_a_row_expands_to_evidence_with_triggers_people_date_and_link(
    store: LocalStore,
) -> None:
    event = make_event(
        "t1",
        "exercise",
        "planned",
        ("KHM", "CHN"),
        "The armies will hold the Golden Dragon drill in May.",
        url="https://news.example/golden-dragon",
        title="Golden Dragon announced",
    )
    event = replace(
        event,
        evidence=Evidence(event.evidence.sentence, 0, 52, triggers=("drill", "hold")),
        people=(Person(name="Hun Manet", title="General", country="KHM"),),
        when=When(start="2027-05", precision="month", text="in May"),
    )
    write_events(store, NOON, [event])
    page = TestClient(create_app(lambda: store)).get("/events", params={"q": "golden"}).text
    assert '<details class="ev">' in page
    assert (
        "The armies will <mark>hold</mark> the <mark>Golden</mark> Dragon <mark>drill</mark>"
        in page
    )
    assert "Hun Manet (General, KHM)" in page
    assert "2027-05 (precision: month)" in page and "“in May”" in page
    assert "extractor: rules test" in page  # a re-extracted interval shows its new version
    assert '<a href="https://news.example/golden-dragon"' in page
    assert "Golden Dragon announced</a>" in page


def test_hostile_text_is_escaped_and_unsafe_links_are_not_links(client: TestClient) -> None:
    page = client.get("/events", params={"interval": NOON.slug}).text
    assert "<script>" not in page and "<b>Bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    assert "drill &amp; train" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
    assert HOSTILE_URL not in page  # neither as href nor anywhere else


def test_free_text_highlight_cannot_break_escaping(client: TestClient) -> None:
    page = client.get("/events", params={"q": "<script>"}).text
    assert "<script>" not in page
    assert "<mark>&lt;script&gt;</mark>" in page


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
    assert client.get("/charts").status_code == 200
    assert client.get("/country", params={"code": "KHM"}).status_code == 200
    (header,) = csv.reader(io.StringIO(client.get("/export/events").text))
    assert header[:3] == ["event_id", "category", "status"]  # the columns, without rows


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


def test_a_new_or_replaced_object_is_seen_on_the_next_request(store: LocalStore) -> None:
    client = TestClient(create_app(lambda: store))
    assert event_ids(client, category="training") == ["e3"]
    write_events(store, NOON, [make_event("e9", "training", "planned", ("IND", "FRA"), "Soon.")])
    assert event_ids(client, category="training") == ["e9"]


def test_store_that_cannot_be_opened_is_a_clear_503() -> None:
    def no_store() -> LocalStore:
        raise ValueError("DEFENCE_NEWS_STORE=s3 needs DEFENCE_NEWS_S3_BUCKET")

    client = TestClient(create_app(no_store))
    page = client.get("/events")
    assert page.status_code == 503
    assert "DEFENCE_NEWS_S3_BUCKET" in page.text
    assert client.get("/api/events").json()["error"] == "The object store could not be opened"


def test_csv_export_holds_every_matching_row_and_says_it_is_a_file(client: TestClient) -> None:
    response = client.get(
        "/export/events", params={"format": "csv", "country": "KHM", "page_size": "1"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        'attachment; filename="defence-news-events.csv"' in response.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["event_id"] for row in rows] == ["e1", "e4", "e2"]  # all pages, same order
    assert rows[0]["url"] == "https://news.example/khm-rus-mou"
    assert rows[0]["countries"] == "KHM; RUS" and rows[0]["event_start"] == "2026-11-20"
    assert rows[0]["sentence"].startswith("The two land forces will sign")


def test_jsonl_export_carries_whole_rows(client: TestClient) -> None:
    response = client.get("/export/events", params={"format": "jsonl", "event_to": "2026-06-01"})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    (line,) = response.text.splitlines()
    row = json.loads(line)
    assert row["event_id"] == "old" and row["actors"][0]["country"] == "FRA"
    assert row["evidence"]["sentence"] == "The ministers signed the treaty in March."


def test_pages_link_exports_with_the_current_filters(client: TestClient) -> None:
    page = client.get("/events", params={"country": "KHM", "event_from": "2026-11-01"}).text
    assert 'href="export/events?event_from=2026-11-01&amp;country=KHM&amp;format=csv"' in page
    assert 'href="export/events?event_from=2026-11-01&amp;country=KHM&amp;format=jsonl"' in page
    fused = client.get("/fused", params={"status": "occurred"}).text
    assert 'href="export/fused?status=occurred&amp;format=csv"' in fused


def test_fused_events_list_every_outlet_of_one_happening(store: LocalStore) -> None:
    write_fused(store, MORNING, same_visit_twice())
    client = TestClient(create_app(lambda: store))
    body = client.get("/api/fused").json()
    assert body["kind"] == "fused_events" and body["read_from"] == "per-interval objects"
    visits = [row for row in body["events"] if row["category"] == "visit"]
    assert len(visits) == 1 and sorted(visits[0]["article_ids"]) == ["art-v1", "art-v2"]
    only_other = client.get("/api/fused", params={"source": "other"}).json()
    assert [row["category"] for row in only_other["events"]] == ["visit"]
    by_country = client.get("/api/fused", params={"country": "fra"}).json()
    assert [row["category"] for row in by_country["events"]] == ["exercise"]

    page = client.get("/fused", params={"category": "visit"}).text
    assert "2 outlet(s)" in page
    assert "<b>other</b>" in page and "<b>seed</b>" in page
    assert "The army chief led a delegation to Beijing." in page
    assert '<a href="https://other.example/visit"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'action="fused"' in page
    rows = list(csv.DictReader(io.StringIO(client.get("/export/fused").text)))
    visit_rows = [row for row in rows if row["category"] == "visit"]
    assert [row["sources"] for row in visit_rows] == ["other; seed"]


def test_fused_page_of_a_store_without_fused_events(client: TestClient) -> None:
    page = client.get("/fused")
    assert page.status_code == 200
    assert "No fused events have been written to the store yet." in page.text


def test_charts_draw_weeks_by_category_and_pairs(client: TestClient) -> None:
    page = client.get("/charts").text
    assert "<svg" in page and "<script" not in page
    assert "2026-11-16 · agreement: 1</title>" in page  # the week of 2026-11-20
    assert "2026-03-09 · agreement: 1</title>" in page
    assert "KHM–RUS: 1</title>" in page
    assert 'href="events?pair=KHM-RUS"' in page
    # The filters apply to the charts too.
    only_march = client.get("/charts", params={"event_to": "2026-04-01"}).text
    assert "2026-11-16 ·" not in only_march and "2026-03-09 · agreement: 1</title>" in only_march


def test_country_page_shows_partners_over_time_and_kinds(client: TestClient) -> None:
    page = client.get("/country", params={"code": "khm"}).text
    assert "<h2>KHM</h2>" in page
    assert "2026-11 · RUS: 1</title>" in page and "2026-11 · USA: 1</title>" in page
    assert "exercise · suspended: 1</title>" in page
    assert "<b>3</b> events with KHM" in page
    assert 'href="events?country=KHM&amp;pair=KHM-RUS"' in page


def test_health_page_link_from_events_country_tags(client: TestClient) -> None:
    page = client.get("/events", params={"country": "USA"}).text
    assert 'href="country?code=USA"' in page


def test_the_keys_read_are_the_layouts(store: LocalStore) -> None:
    # A foreign object under events/ is not an interval's events: it is not read.
    store.put("events/dt=2026-11-28/notes.parquet", b"not parquet")
    body = TestClient(create_app(lambda: store)).get("/api/events").json()
    assert body["problems"] == [] and body["total"] == 6
    assert keys.parse_key("events/dt=2026-11-28/notes.parquet") is None


def test_an_event_of_three_countries_joins_three_pairs(store: LocalStore) -> None:
    from defence_news.models import Actor

    event = make_event("tri", "exercise", "occurred", ("KHM", "USA"), "Three navies drilled.")
    third = Actor(name="THA navy", country="THA", sector="MIL", role="participant")
    write_events(store, NOON, [replace(event, actors=(*event.actors, third))])
    client = TestClient(create_app(lambda: store))
    assert event_ids(client, pair="THA-USA") == ["tri"]
    assert event_ids(client, pair="KHM-THA") == ["tri"]
    page = client.get("/charts", params={"category": "exercise"}).text
    assert "KHM–THA: 1</title>" in page and "THA–USA: 1</title>" in page
    assert "KHM–USA: 2</title>" in page  # with the suspended drill e2


def test_a_filter_value_with_no_rows_still_shows_as_chosen(client: TestClient) -> None:
    page = client.get("/events", params={"country": "NZL", "source": "gone"}).text
    assert '<option value="NZL" selected>NZL</option>' in page
    assert '<option value="gone" selected>gone</option>' in page
    assert "No event matches these filters." in page


def test_csv_cells_of_scraped_text_are_never_formulas(store: LocalStore) -> None:
    sentence = '=HYPERLINK("https://evil.example","click") said the navy.'
    write_events(store, NOON, [make_event("f1", "visit", "planned", ("IND", "JPN"), sentence)])
    client = TestClient(create_app(lambda: store))
    (row,) = csv.DictReader(io.StringIO(client.get("/export/events?country=JPN").text))
    assert row["sentence"] == "'" + sentence
    assert row["title"] == "An article" and row["event_id"] == "f1"
    whole = json.loads(client.get("/export/events?country=JPN&format=jsonl").text)
    assert whole["evidence"]["sentence"] == sentence  # JSON Lines carries the text as it is


def test_refused_pages_show_the_way_to_sign_in_and_the_api_stays_json(store: LocalStore) -> None:
    from fastapi import Depends, HTTPException

    def nobody() -> None:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    client = TestClient(create_app(lambda: store, dependencies=[Depends(nobody)]))
    page = client.get("/events?country=KHM")
    assert page.status_code == 401 and page.headers["www-authenticate"] == "Bearer"
    assert 'href="../auth/login?next=http%3A%2F%2Ftestserver%2Fevents%3Fcountry%3DKHM"' in page.text
    api = client.get("/api/events")
    assert api.status_code == 401 and api.json() == {"detail": "Not authenticated"}
