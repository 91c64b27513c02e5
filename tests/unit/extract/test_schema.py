"""The JSON Schema and Arrow schemas match the records the extractor really writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from defence_news.extract import extract_from_text, fuse_events
from defence_news.extract.schema import (
    EVENT_ARROW_SCHEMA,
    FUSED_EVENT_ARROW_SCHEMA,
    event_json_schema,
)
from defence_news.models import SCHEMA_VERSION, Event

ROOT = Path(__file__).resolve().parents[3]
CHECKED_IN = ROOT / "include" / "defence_news" / "extract" / "schema" / "event.v1.json"
SEED = ROOT / "seeds" / "000_daa3c69061294fcf.txt"


@pytest.fixture(scope="module")
def events() -> list[Event]:
    texts = [
        SEED.read_text("utf-8"),
        "Russia delivered two more Su-30 fighter jets to Myanmar's air force last week. "
        "Thailand and the United States will hold Cobra Gold drills in March, officials said.",
    ]
    found: list[Event] = []
    for i, text in enumerate(texts):
        found += extract_from_text(text, doc_id=f"doc-{i}", published=date(2024, 6, 18)).events
    assert len(found) >= 6
    return found


def test_checked_in_json_schema_is_the_generated_one() -> None:
    assert json.loads(CHECKED_IN.read_text("utf-8")) == event_json_schema()


def test_real_events_validate_against_the_json_schema(events: list[Event]) -> None:
    validator = jsonschema.Draft202012Validator(event_json_schema())
    for event in events:
        validator.validate(event.to_dict())


def test_schema_rejects_a_broken_record(events: list[Event]) -> None:
    broken = events[0].to_dict()
    broken["status"] = "rumoured"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, event_json_schema())


def test_arrow_schema_round_trips_through_parquet(events: list[Event], tmp_path: Path) -> None:
    rows = [e.to_dict() for e in events]
    table = pa.Table.from_pylist(rows, schema=EVENT_ARROW_SCHEMA)
    pq.write_table(table, tmp_path / "events.parquet")
    back = pq.read_table(tmp_path / "events.parquet")
    assert back.schema.metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    assert [Event.from_dict(row) for row in back.to_pylist()] == events


def test_arrow_schema_fields_match_event_dict(events: list[Event]) -> None:
    assert set(EVENT_ARROW_SCHEMA.names) == set(events[0].to_dict())


def test_fused_schema_round_trips(events: list[Event], tmp_path: Path) -> None:
    rows = [f.to_dict() for f in fuse_events(events)]
    assert set(FUSED_EVENT_ARROW_SCHEMA.names) == set(rows[0])
    table = pa.Table.from_pylist(rows, schema=FUSED_EVENT_ARROW_SCHEMA)
    pq.write_table(table, tmp_path / "fused.parquet")
    assert pq.read_table(tmp_path / "fused.parquet").to_pylist() == rows
