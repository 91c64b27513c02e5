"""The store's events and fused events as DuckDB tables, kept between requests.

Every object is read through the project's ObjectStore (local folder or S3 via
boto3 and the Airflow connection): DuckDB's own S3 reader (httpfs) is an
extension it downloads at run time, which an offline machine cannot do. Each
Parquet object is read once into Arrow and kept by key and version (file
mtime and size, or the S3 ETag); a request lists the keys, reads only new or
changed objects, and rebuilds the DuckDB table only when the listing changed.
The pages then filter, sort and page in DuckDB on the server.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from defence_news.extract.schema import EVENT_ARROW_SCHEMA, FUSED_EVENT_ARROW_SCHEMA
from defence_news.store import LocalStore, ObjectStore, S3Store, keys

log = logging.getLogger(__name__)

_STR = pa.string()
# Columns of the daily fused snapshot beyond the per-interval fused rows; an object
# written before they existed gets them as nulls.
SNAPSHOT_FIELDS = (
    pa.field("first_reported", _STR),
    pa.field("last_reported", _STR),
    pa.field("outlets", pa.list_(_STR)),
    pa.field(
        "status_history",
        pa.list_(pa.struct([("status", _STR), ("first_seen", _STR), ("event_id", _STR)])),
    ),
    pa.field("extractor_versions", pa.list_(_STR)),
)
_SNAPSHOT_PREFIX = "events_fused/snapshot="  # the layout of keys.fused_snapshot_key

# An ISO date, a year-month or a year as the first day it covers (NULL otherwise).
_AS_DATE = (
    "TRY_CAST(CASE WHEN length({0}) = 4 THEN {0} || '-01-01' "
    "WHEN length({0}) = 7 THEN {0} || '-01' ELSE substr({0}, 1, 10) END AS DATE)"
)

_EVENTS_SQL = f"""
CREATE TABLE events AS SELECT
  r.*,
  row_number() OVER () AS _row,
  list_sort(list_distinct(list_filter(list_transform(actors, lambda a: a.country),
                                      lambda c: c IS NOT NULL))) AS _countries,
  [article.source_id] AS _sources,
  {_AS_DATE.format('r."when".start')} AS _event_start,
  coalesce({_AS_DATE.format('r."when"."end"')}, {_AS_DATE.format('r."when".start')}) AS _event_end,
  lower(coalesce(evidence.sentence, '')) AS _text
FROM raw r
"""

_FUSED_SQL = f"""
CREATE TABLE events AS SELECT
  r.*,
  row_number() OVER () AS _row,
  list_sort(list_distinct(list_filter(countries, lambda c: c IS NOT NULL))) AS _countries,
  list_sort(list_distinct(list_filter(
      list_concat(coalesce(outlets, []), list_transform(evidence, lambda e: e.source_id)),
      lambda s: s IS NOT NULL))) AS _sources,
  {_AS_DATE.format("r.start")} AS _event_start,
  coalesce({_AS_DATE.format('r."end"')}, {_AS_DATE.format("r.start")}) AS _event_end,
  lower(array_to_string(list_transform(evidence, lambda e: coalesce(e.sentence, '')), ' ')) AS _text
FROM raw r
"""


@dataclass
class EventTable:
    """One kind's rows in an in-memory DuckDB database; ``cursor()`` per request."""

    kind: str  # "events" or "fused"
    connection: duckdb.DuckDBPyConnection
    rows: int
    countries: list[str]
    sources: list[str]
    ingest_dates: list[str]  # newest first
    problems: list[str] = field(default_factory=list)
    origin: str = ""  # what was read: "per-interval objects" or the snapshot's key

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()


class TableCache:
    """Tables by store and kind, and Arrow objects by key and version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[tuple[str, str], tuple[Any, pa.Table]] = {}
        self._tables: dict[tuple[str, str], tuple[tuple[Any, ...], EventTable]] = {}

    def table(self, store: ObjectStore, kind: str) -> EventTable:
        with self._lock:  # one build at a time; readers of a built table do not wait long
            return self._table(store, kind)

    def _table(self, store: ObjectStore, kind: str) -> EventTable:
        where = store.describe()
        listing, origin = _listing_for(store, kind)
        signature = tuple(listing)
        cached = self._tables.get((where, kind))
        if cached is not None and cached[0] == signature:
            return cached[1]
        problems: list[str] = []
        parts = []
        for key, version, ingest_date, interval in listing:
            table = self._object(store, key, version, problems)
            if table is not None:
                parts.append(_with_origin(table, ingest_date, interval))
        built = _build(kind, parts, problems, origin)
        self._tables[(where, kind)] = (signature, built)
        live = {(where, key) for key, *_ in listing}
        for stale in [k for k in self._objects if k[0] == where and k not in live]:
            del self._objects[stale]  # replaced or deleted objects are not kept
        return built

    def _object(
        self, store: ObjectStore, key: str, version: Any, problems: list[str]
    ) -> pa.Table | None:
        slot = (store.describe(), key)
        cached = self._objects.get(slot)
        if cached is not None and cached[0] == version:
            return cached[1]
        try:
            table = pq.read_table(io.BytesIO(store.get(key)))
        except Exception as error:  # unreadable object: name it, keep the rest
            problems.append(f"{key}: could not be read ({type(error).__name__}: {error})")
            return None
        self._objects[slot] = (version, table)
        return table

    def clear(self) -> None:
        with self._lock:
            self._objects.clear()
            self._tables.clear()


CACHE = TableCache()


# -- listing with versions --------------------------------------------------------------


def listing(store: ObjectStore, prefix: str) -> list[tuple[str, Any]]:
    """Keys under ``prefix`` with a version that changes when the object does.

    A local folder is walked under the prefix's own directory (the store's
    ``list`` walks the whole root); S3 listings carry the ETag. Any other store
    is listed through the protocol, its objects versioned by key alone."""
    if isinstance(store, LocalStore):
        return _local_listing(store.root, prefix)
    if isinstance(store, S3Store):
        return _s3_listing(store, prefix)
    return [(key, None) for key in store.list(prefix)]


def _local_listing(root: Path, prefix: str) -> list[tuple[str, Any]]:
    directory = root / prefix.rsplit("/", 1)[0] if "/" in prefix else root
    if not directory.is_dir():
        return []
    found = []
    for folder, _, files in os.walk(directory):
        for name in files:
            if name.startswith(".tmp-"):
                continue
            path = Path(folder, name)
            key = path.relative_to(root).as_posix()
            if key.startswith(prefix):
                stat = path.stat()
                found.append((key, (stat.st_mtime_ns, stat.st_size)))
    return sorted(found)


def _s3_listing(store: S3Store, prefix: str) -> list[tuple[str, Any]]:
    paginator = store.client.get_paginator("list_objects_v2")
    found = []
    for page in paginator.paginate(Bucket=store.bucket, Prefix=store.prefix + prefix):
        for item in page.get("Contents", []):
            found.append((item["Key"][len(store.prefix) :], item.get("ETag")))
    return found


def _listing_for(store: ObjectStore, kind: str) -> tuple[list[tuple[str, Any, str, str]], str]:
    """(key, version, ingest date, interval slug) of what the kind's table is built from."""
    if kind == "fused":
        snapshot = latest_snapshot(store)
        if snapshot is not None:
            key, version, day = snapshot
            return [(key, version, day, "")], key
    layout_kind = "events_fused" if kind == "fused" else "events"
    found = []
    for key, version in listing(store, f"{layout_kind}/dt="):
        parsed = keys.parse_key(key)
        if parsed is not None and parsed.kind == layout_kind:
            found.append((key, version, parsed.date, parsed.slug))
    return found, "per-interval objects"


def latest_snapshot(store: ObjectStore) -> tuple[str, Any, str] | None:
    """The newest daily fused snapshot: (key, version, day), or None."""
    days = _snapshot_days(store)
    if not days:
        return None
    day = days[-1]
    key = _snapshot_key(day)
    versions = dict(listing(store, key))
    return key, versions.get(key), day.isoformat()


def _snapshot_days(store: ObjectStore) -> list[date]:
    reader = getattr(keys, "snapshot_days", None)  # keys.py owns the layout once it has it
    if reader is not None:
        return list(reader(store))
    days = []
    for key, _ in listing(store, _SNAPSHOT_PREFIX):
        day = key[len(_SNAPSHOT_PREFIX) :].split("/", 1)[0]
        if key == f"{_SNAPSHOT_PREFIX}{day}/fused.parquet":
            try:
                days.append(date.fromisoformat(day))
            except ValueError:
                continue
    return sorted(days)


def _snapshot_key(day: date) -> str:
    builder = getattr(keys, "fused_snapshot_key", None)
    return (
        builder(day)
        if builder is not None
        else f"{_SNAPSHOT_PREFIX}{day.isoformat()}/fused.parquet"
    )


# -- building ----------------------------------------------------------------------------


def _with_origin(table: pa.Table, ingest_date: str, interval: str) -> pa.Table:
    rows = table.num_rows
    table = table.append_column("_ingest_date", pa.array([ingest_date] * rows, _STR))
    return table.append_column("_interval", pa.array([interval] * rows, _STR))


def _expected_schema(kind: str) -> pa.Schema:
    if kind == "events":
        return EVENT_ARROW_SCHEMA
    schema = FUSED_EVENT_ARROW_SCHEMA
    for extra in SNAPSHOT_FIELDS:
        if schema.get_field_index(extra.name) < 0:
            schema = schema.append(extra)
    return schema


def _combine(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    """One table of all parts; columns a part lacks are nulls (older writers)."""
    full = schema.append(pa.field("_ingest_date", _STR)).append(pa.field("_interval", _STR))
    if not parts:
        return full.empty_table()
    try:
        table = pa.concat_tables(parts, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Struct fields that differ between writers: let Arrow rebuild from rows.
        table = pa.Table.from_pylist([row for part in parts for row in part.to_pylist()])
    for column in full:
        if table.schema.get_field_index(column.name) < 0:
            table = table.append_column(column, pa.nulls(table.num_rows, column.type))
    return table


def _build(kind: str, parts: list[pa.Table], problems: list[str], origin: str) -> EventTable:
    connection = duckdb.connect(":memory:")
    raw = _combine(parts, _expected_schema(kind))
    connection.register("raw", raw)
    connection.execute(_FUSED_SQL if kind == "fused" else _EVENTS_SQL)
    if kind == "fused":  # a snapshot row's ingest date is the day it was first reported
        connection.execute(
            "UPDATE events SET _ingest_date = substr(CAST(first_reported AS VARCHAR), 1, 10) "
            "WHERE first_reported IS NOT NULL"
        )
    connection.unregister("raw")
    return EventTable(
        kind=kind,
        connection=connection,
        rows=raw.num_rows,
        countries=_distinct(connection, "unnest(_countries)"),
        sources=_distinct(connection, "unnest(_sources)"),
        ingest_dates=sorted(_distinct(connection, "_ingest_date"), reverse=True),
        problems=problems,
        origin=origin,
    )


def _distinct(connection: duckdb.DuckDBPyConnection, expression: str) -> list[str]:
    rows = connection.sql(f"SELECT DISTINCT {expression} AS v FROM events").fetchall()
    return sorted(str(value) for (value,) in rows if value is not None)


def today() -> date:
    return datetime.now(UTC).date()


def iter_batches(result: duckdb.DuckDBPyRelation, size: int = 2000) -> Iterable[list[dict]]:
    """The rows of a query as lists of dicts, ``size`` at a time."""
    reader = result.to_arrow_reader(size)
    for batch in reader:
        yield batch.to_pylist()
