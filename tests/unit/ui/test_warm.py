"""A request never waits long for the tables: during the first build it is a quick
503 that says how far the build is, during a big update it is answered from the
table as it was (saying so), and once the table is up to date the objects are not
read again. The store's reads of event objects are held back by a gate, so "still
building" is a state the test controls, not a race it hopes to win."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from defence_news.interval import Interval
from defence_news.store import LocalStore
from defence_news.ui import tables
from defence_news.ui.app import create_app
from defence_news.ui.tables import CACHE, RETRY_SECONDS, TableCache, table_path
from tests.unit.ui.fixtures import fill_store, make_event, write_events

LATER = Interval(datetime(2026, 11, 30, 6, tzinfo=UTC), datetime(2026, 11, 30, 7, tzinfo=UTC))
QUICK = 5.0  # seconds: well above the tables' WAIT_SECONDS, far below a closed gate
SERVED_WAIT = tables.WAIT_SECONDS  # as served (the tests' conftest raises it)


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


@pytest.fixture
def served_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wait a served request has, instead of the tests' patient one."""
    monkeypatch.setattr(tables, "WAIT_SECONDS", SERVED_WAIT)


def _until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_a_request_during_the_first_build_is_a_quick_503_then_the_page(
    store: GatedStore, served_wait: None
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
    store: GatedStore, served_wait: None
) -> None:
    client = TestClient(create_app(lambda: store))
    assert client.get("/api/events").json()["total"] == 4
    store.gate.clear()
    write_events(store, LATER, [make_event("e9", "visit", "planned", ("IND", "JPN"), "Soon.")])
    started = time.monotonic()
    body = client.get("/api/events").json()
    assert time.monotonic() - started < QUICK
    assert body["total"] == 4  # the store as it was, not a half-read one
    assert "0 of 1 new or replaced object(s) read so far" in body["pending"]
    page = client.get("/events").text
    assert 'id="pending"' in page and "reload in a moment" in page

    store.gate.set()
    _until(lambda: client.get("/api/events").json()["pending"] is None, "no catching up")
    body = client.get("/api/events?country=JPN").json()
    assert [row["event_id"] for row in body["events"]] == ["e9"]
    assert 'id="pending"' not in client.get("/events").text


# -- a restarted server: the tables' files ------------------------------------------------


def _cache(folder: Path) -> TableCache:
    return TableCache(lambda: folder)


def test_a_restarted_server_answers_from_its_file_and_reads_only_what_changed(
    store: GatedStore, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    before = _cache(folder)
    built = before.table(store, "events")
    assert built.rows == 4
    before.close()  # the server stops
    assert table_path(folder, store, "events").exists()

    store.gate.clear()  # reading any event object now would hang: none is read
    reads = store.event_reads
    after = _cache(folder)
    table = after.table(store, "events")
    assert (table.rows, table.pending) == (4, None)
    assert (table.countries, table.sources) == (built.countries, built.sources)
    assert store.event_reads == reads
    store.gate.set()

    write_events(store, LATER, [make_event("e9", "visit", "planned", ("IND", "JPN"), "Soon.")])
    assert after.table(store, "events").rows == 5
    assert store.event_reads == reads + 1  # the new object only
    after.close()
    assert _cache(folder).table(store, "events").rows == 5  # the update was saved too


def test_while_a_restarted_server_catches_up_its_file_answers(
    store: GatedStore, tmp_path: Path, served_wait: None
) -> None:
    folder = tmp_path / "tables"
    before = _cache(folder)
    before.table(store, "events")
    before.close()
    write_events(store, LATER, [make_event("e9", "visit", "planned", ("IND", "JPN"), "Soon.")])
    store.gate.clear()
    after = _cache(folder)
    after.warm(store, "events")  # as the app does when it starts
    table = after.table(store, "events")  # not a 503: the saved rows, saying what is missing
    assert table.rows == 4 and "of 1 new or replaced object(s)" in (table.pending or "")
    store.gate.set()
    _until(lambda: after.table(store, "events").rows == 5, "the new object was not read")
    after.close()


def test_a_file_another_process_holds_means_a_table_in_memory(
    store: GatedStore, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    path = table_path(folder, store, "events")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        cache = _cache(folder)
        assert cache.table(store, "events").rows == 4
        cache.close()
    finally:
        holder.kill()
        holder.wait()


# Another server on the same machine: it has the file open, as a DuckDB writer does.
HOLD = """
import duckdb, sys, time
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_damaged_file_or_one_made_by_other_code_is_replaced(
    store: GatedStore, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    path = table_path(folder, store, "events")
    path.write_bytes(b"not a database" * 100)
    older = path.with_name(path.name.rsplit("-", 1)[0] + "-0123456789abcdef.duckdb")
    older.write_bytes(b"a table written by other code")
    cache = _cache(folder)
    assert cache.table(store, "events").rows == 4
    cache.close()
    assert not older.exists()
    assert _cache(folder).table(store, "events").rows == 4  # the rebuilt file reads back


def test_with_the_cache_off_nothing_is_written(store: GatedStore, tmp_path: Path) -> None:
    cache = TableCache(lambda: None)
    assert cache.table(store, "events").rows == 4
    cache.close()
    assert not list(tmp_path.glob("**/*.duckdb"))


# A server stopping while it builds: it exits once the build is reading (slowly).
STOP_PROBE = """
import sys, threading, time
from pathlib import Path
from defence_news.store import LocalStore
from defence_news.ui.tables import TableCache

reading = threading.Event()

class SlowStore(LocalStore):
    def get(self, key):
        reading.set()
        time.sleep(0.3)
        return super().get(key)

TableCache(lambda: Path(sys.argv[2])).warm(SlowStore(sys.argv[1]), "events")
assert reading.wait(60)
print("stopping mid-build", flush=True)
"""


def test_a_server_stopping_mid_build_exits_cleanly_and_the_next_start_answers_right(
    store: GatedStore, tmp_path: Path
) -> None:
    # The build either finishes before the exit (Python waits for its thread) or fails
    # cleanly (no new reads are scheduled once the interpreter shuts down): a whole table
    # or none. A daemon thread here aborted the process ("terminate called ...").
    folder = tmp_path / "tables"
    result = subprocess.run(
        [sys.executable, "-c", STOP_PROBE, str(store.root), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "stopping mid-build"), result.stderr
    assert "terminate called" not in result.stderr
    cache = _cache(folder)
    table = cache.table(store, "events", wait=60)
    assert (table.rows, table.pending) == (4, None)
    cache.close()
