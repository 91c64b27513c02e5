"""What the DuckDB tables are built from: the fused snapshot, else per-interval objects."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from defence_news.extract.fusion import fuse_events
from defence_news.store import LocalStore
from defence_news.ui.app import create_app
from defence_news.ui.tables import _snapshot_key, latest_snapshot
from tests.unit.ui.fixtures import MORNING, fill_store, same_visit_twice, write_fused

SNAPSHOT_DAY = date(2026, 11, 29)
_TS = pa.timestamp("us", tz="UTC")


def snapshot_rows() -> list[dict]:
    """The pipeline's fused rows with the snapshot's columns added, as the fuse DAG will."""
    rows = [fused.to_dict() for fused in fuse_events(same_visit_twice())]
    for row in rows:
        row["first_reported"] = datetime(2026, 11, 27, 9, tzinfo=UTC)
        row["last_reported"] = datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
        row["outlets"] = sorted({item["source_id"] for item in row["evidence"]})
        row["status_history"] = [
            {
                "status": "planned",
                "first_seen": datetime(2026, 11, 27, 9, tzinfo=UTC),
                "event_id": "v0",
            },
            {
                "status": row["status"],
                "first_seen": datetime(2026, 11, 28, 8, tzinfo=UTC),
                "event_id": "v1",
            },
        ]
        row["extractor_versions"] = ["rules test"]
        for item in row["evidence"]:
            item["duplicate_of"] = "art-v1" if item["article_id"] == "art-v2" else None
    return rows


def write_snapshot(store: LocalStore, day: date, rows: list[dict]) -> str:
    key = _snapshot_key(day)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)  # the writer's own types (timestamps)
    store.put(key, buffer.getvalue())
    return key


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    store = fill_store(LocalStore(tmp_path / "store"))
    write_fused(store, MORNING, same_visit_twice())
    return store


def test_the_latest_snapshot_is_read_when_present(store: LocalStore) -> None:
    write_snapshot(store, date(2026, 11, 28), snapshot_rows()[:1])
    key = write_snapshot(store, SNAPSHOT_DAY, snapshot_rows())
    assert latest_snapshot(store)[0] == key  # type: ignore[index]
    client = TestClient(create_app(lambda: store))
    body = client.get("/api/fused").json()
    assert body["read_from"] == key and body["total"] == 2
    visit = next(row for row in body["events"] if row["category"] == "visit")
    assert visit["outlets"] == ["other", "seed"]
    assert [h["status"] for h in visit["status_history"]] == ["planned", "occurred"]
    assert visit["ingest_date"] == "2026-11-27"  # first reported, not the snapshot's day
    assert client.get("/api/fused", params={"date": "2026-11-27"}).json()["total"] == 2


def test_snapshot_rows_expand_to_status_history_and_duplicates(store: LocalStore) -> None:
    write_snapshot(store, SNAPSHOT_DAY, snapshot_rows())
    page = TestClient(create_app(lambda: store)).get("/fused", params={"category": "visit"}).text
    assert "Status history" in page
    assert "<td>planned</td><td>v0</td>" in page
    assert "repeats art-v1" in page
    assert "Reported</b>: first 2026-11-27 09:00:00+00:00" in page
    assert "extractors: rules test" in page


def test_a_snapshot_without_the_new_columns_still_reads(store: LocalStore) -> None:
    new_columns = ("first_reported", "last_reported", "outlets", "status_history")
    rows = [
        {k: v for k, v in fused.to_dict().items() if k not in new_columns}
        for fused in fuse_events(same_visit_twice())
    ]
    write_snapshot(store, SNAPSHOT_DAY, rows)
    body = TestClient(create_app(lambda: store)).get("/api/fused").json()
    assert body["total"] == 2 and body["problems"] == []
    assert {row["status_history"] for row in body["events"]} == {None}
    page = TestClient(create_app(lambda: store)).get("/fused").text
    assert "2 outlet(s)" in page


def test_without_a_snapshot_the_per_interval_objects_are_read(store: LocalStore) -> None:
    body = TestClient(create_app(lambda: store)).get("/api/fused").json()
    assert body["read_from"] == "per-interval objects" and body["total"] == 2
    assert latest_snapshot(store) is None


def test_the_table_follows_new_replaced_removed_and_repaired_objects(store: LocalStore) -> None:
    from defence_news.store import keys
    from tests.unit.ui.fixtures import NOON, make_event, noon_events, write_events

    client = TestClient(create_app(lambda: store))

    def ids() -> list[str]:
        return sorted(row["event_id"] for row in client.get("/api/events").json()["events"])

    assert ids() == ["e1", "e2", "e3", "e4"]
    store.delete(keys.events_key(NOON))
    assert ids() == ["e1", "e2", "e4"]
    store.put(keys.events_key(NOON), b"not parquet")
    body = client.get("/api/events").json()
    assert body["problems"][0].startswith(keys.events_key(NOON)) and body["total"] == 3
    write_events(
        store, NOON, [*noon_events(), make_event("e5", "visit", "planned", ("IND", "JPN"), "Soon.")]
    )
    body = client.get("/api/events").json()
    assert body["problems"] == [] and sorted(r["event_id"] for r in body["events"]) == [
        "e1",
        "e2",
        "e3",
        "e4",
        "e5",
    ]
    assert "JPN" in client.get("/events").text  # the country list follows too


def test_a_newer_snapshot_replaces_the_older_one(store: LocalStore) -> None:
    client = TestClient(create_app(lambda: store))
    write_snapshot(store, date(2026, 11, 28), snapshot_rows()[:1])
    assert client.get("/api/fused").json()["total"] == 1
    key = write_snapshot(store, SNAPSHOT_DAY, snapshot_rows())
    body = client.get("/api/fused").json()
    assert (body["total"], body["read_from"]) == (2, key)


def test_an_s3_store_is_read_through_boto3_and_follows_etags(s3_endpoint: str) -> None:
    import uuid

    import boto3

    from defence_news.store import S3Store
    from tests.unit.ui.fixtures import NOON, make_event, write_events

    bucket = f"ui-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    store = S3Store.from_params(bucket, prefix="news", endpoint_url=s3_endpoint)
    fill_store(store)  # type: ignore[arg-type]
    client = TestClient(create_app(lambda: store))
    body = client.get("/api/events", params={"country": "KHM"}).json()
    assert (body["total"], body["stored"]) == (3, 4)
    write_events(store, NOON, [make_event("e9", "training", "planned", ("IND", "JPN"), "Soon.")])  # type: ignore[arg-type]
    assert [r["event_id"] for r in client.get("/api/events?country=JPN").json()["events"]] == ["e9"]
    seed = next(r for r in client.get("/api/health").json()["sources"] if r["source_id"] == "seed")
    assert seed["articles"] == 4


def test_warm_builds_both_tables_in_the_background(store: LocalStore) -> None:
    import time

    from defence_news.ui.tables import CACHE

    CACHE.clear()
    create_app(lambda: store, warm=True)
    deadline = time.monotonic() + 60
    while not (CACHE.built(store, "events") and CACHE.built(store, "fused")):
        assert time.monotonic() < deadline, "the tables were not built in the background"
        time.sleep(0.05)
    assert not CACHE.built(LocalStore(store.root / "elsewhere"), "events")
