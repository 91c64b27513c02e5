"""A request never waits long for the tables: during the first build it is a quick
503 that says how far the build is, during a big update it is answered from the
table as it was (saying so), and once the table is up to date the objects are not
read again. The store's reads of event objects are held back by a gate, so "still
building" is a state the test controls, not a race it hopes to win."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from defence_news.store import LocalStore
from defence_news.ui.app import create_app
from defence_news.ui.tables import CACHE, RETRY_SECONDS
from tests.unit.ui.fixtures import NEXT_DAY, fill_store, make_event, write_events

QUICK = 5.0  # seconds: well above the tables' WAIT_SECONDS, far below a closed gate


class GatedStore(LocalStore):
    """A local store whose event objects are read only while ``gate`` is open."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.gate = threading.Event()
        self.gate.set()
        self.event_reads = 0

    def get(self, key: str) -> bytes:
        if key.startswith("events"):
            self.event_reads += 1
            assert self.gate.wait(60), "the test never opened the gate"
        return super().get(key)


@pytest.fixture
def store(tmp_path: Path) -> GatedStore:
    store = GatedStore(tmp_path / "store")
    fill_store(store)
    return store


def _until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_a_request_during_the_first_build_is_a_quick_503_then_the_page(
    store: GatedStore,
) -> None:
    store.gate.clear()
    client = TestClient(create_app(lambda: store, warm=True))
    started = time.monotonic()
    page = client.get("/events")
    api = client.get("/api/events")
    assert time.monotonic() - started < QUICK  # answered, not held until the build ends
    assert page.status_code == 503 and page.headers["retry-after"] == str(RETRY_SECONDS)
    assert f'<meta http-equiv="refresh" content="{RETRY_SECONDS}">' in page.text
    assert "objects read so far" in page.text
    assert api.status_code == 503 and api.json()["error"] == "Warming up"
    assert api.headers["retry-after"] == str(RETRY_SECONDS)
    export = client.get("/export/events")
    assert export.status_code == 503 and export.json()["error"] == "Warming up"
    assert client.get("/health").status_code == 200  # health needs no table

    store.gate.set()
    _until(lambda: CACHE.built(store, "events"), "the build did not finish")
    body = client.get("/api/events").json()
    assert (body["total"], body["pending"]) == (4, None)
    assert "Land forces to sign memorandum" in client.get("/events").text


def test_a_short_build_is_waited_for(store: GatedStore) -> None:
    # No warm-up: the first request starts the build and, the store being small,
    # gets the rows within its wait.
    body = TestClient(create_app(lambda: store)).get("/api/events").json()
    assert body["total"] == 4 and body["pending"] is None


def test_once_built_the_table_answers_without_reading_the_store_again(
    store: GatedStore,
) -> None:
    client = TestClient(create_app(lambda: store))
    assert client.get("/api/events").json()["total"] == 4
    reads = store.event_reads
    for path in ("/events", "/api/events?country=KHM", "/charts", "/export/events"):
        assert client.get(path).status_code == 200, path
    assert store.event_reads == reads


def test_during_a_long_update_the_previous_table_answers_and_says_so(
    store: GatedStore,
) -> None:
    client = TestClient(create_app(lambda: store))
    assert client.get("/api/events").json()["total"] == 4
    store.gate.clear()
    write_events(store, NEXT_DAY, [make_event("e9", "visit", "planned", ("IND", "JPN"), "Soon.")])
    started = time.monotonic()
    body = client.get("/api/events").json()
    assert time.monotonic() - started < QUICK
    assert body["total"] == 4  # the store as it was, not a half-read one
    assert "1 new or replaced object(s) are still being read" in body["pending"]
    page = client.get("/events").text
    assert 'id="pending"' in page and "reload in a moment" in page

    store.gate.set()
    _until(lambda: client.get("/api/events").json()["pending"] is None, "no catching up")
    body = client.get("/api/events?country=JPN").json()
    assert [row["event_id"] for row in body["events"]] == ["e9"]
    assert 'id="pending"' not in client.get("/events").text
