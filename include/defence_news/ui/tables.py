"""The store's events and fused events as DuckDB tables, kept between requests.

Every object is read through the project's ObjectStore (local folder or S3 via
boto3 and the Airflow connection) into Arrow and handed to DuckDB: DuckDB's own
S3 reader (httpfs) is an extension it downloads at run time, which an offline
machine cannot do (the wheel does not bundle it). A request lists the keys with
their versions (file mtime and size, or the S3 ETag) and brings the table up to
date: only new or changed objects are read and inserted, rows of replaced or
removed objects deleted. The pages then filter, sort and page in DuckDB on the
server.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
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

# An ISO date, a year-month or a year as the first day it covers (NULL otherwise).
_AS_DATE = (
    "TRY_CAST(CASE WHEN length({0}) = 4 THEN {0} || '-01-01' "
    "WHEN length({0}) = 7 THEN {0} || '-01' ELSE substr({0}, 1, 10) END AS DATE)"
)

_EVENTS_SELECT = f"""
SELECT
  r.*,
  row_number() OVER () + ? AS _row,
  list_sort(list_distinct(list_filter(list_transform(actors, lambda a: a.country),
                                      lambda c: c IS NOT NULL))) AS _countries,
  flatten(list_transform(_countries, lambda a: list_transform(
      list_filter(_countries, lambda b: b > a), lambda b: a || '-' || b))) AS _pairs,
  [article.source_id] AS _sources,
  {_AS_DATE.format('r."when".start')} AS _event_start,
  coalesce({_AS_DATE.format('r."when"."end"')}, {_AS_DATE.format('r."when".start')}) AS _event_end,
  lower(coalesce(evidence.sentence, '')) AS _text
FROM raw r
"""

_FUSED_SELECT = f"""
SELECT
  r.* REPLACE (
    -- a snapshot row's ingest date is the day it was first reported
    coalesce(substr(CAST(r.first_reported AS VARCHAR), 1, 10), r._ingest_date) AS _ingest_date
  ),
  row_number() OVER () + ? AS _row,
  list_sort(list_distinct(list_filter(countries, lambda c: c IS NOT NULL))) AS _countries,
  flatten(list_transform(_countries, lambda a: list_transform(
      list_filter(_countries, lambda b: b > a), lambda b: a || '-' || b))) AS _pairs,
  -- the registry ids of the sources that reported it (what the source filter takes);
  -- ``outlets`` holds their publishers' names for display
  list_sort(list_distinct(list_filter(
      list_transform(evidence, lambda e: e.source_id), lambda s: s IS NOT NULL))) AS _sources,
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
    """One DuckDB table per store and kind, kept in step with the store's listing:
    new objects are inserted, replaced ones deleted and inserted again, removed ones
    deleted; anything else (a schema no insert accepts) rebuilds the table."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[tuple[str, str], _Entry] = {}

    def table(self, store: ObjectStore, kind: str) -> EventTable:
        with self._lock:  # one update at a time; readers of a built table do not wait
            return self._table(store, kind)

    def _table(self, store: ObjectStore, kind: str) -> EventTable:
        slot = (store.describe(), kind)
        found, origin = _listing_for(store, kind)
        versions = {key: version for key, version, *_ in found}
        entry = self._tables.get(slot)
        if entry is not None and entry.versions == versions:
            return entry.table
        if entry is not None:
            try:
                return self._update(store, kind, entry, found, versions, origin)
            except duckdb.Error as error:  # e.g. a column of another type: start over
                log.warning("rebuilding the %s table of %s: %s", kind, slot[0], error)
        problems: dict[str, str] = {}
        parts = _read_all(store, found, problems)
        connection = duckdb.connect(":memory:")
        _insert(connection, kind, parts, create=True)
        entry = _Entry(versions, problems, _described(connection, kind, problems, origin))
        self._tables[slot] = entry
        return entry.table

    def _update(
        self,
        store: ObjectStore,
        kind: str,
        entry: _Entry,
        found: list[tuple[str, Any, str, str]],
        versions: dict[str, Any],
        origin: str,
    ) -> EventTable:
        changed = [item for item in found if entry.versions.get(item[0], _NONE) != item[1]]
        gone = [key for key in entry.versions if versions.get(key, _NONE) != entry.versions[key]]
        connection = entry.table.connection
        problems = {key: text for key, text in entry.problems.items() if key in versions}
        for key in gone:
            problems.pop(key, None)
        parts = _read_all(store, changed, problems)
        connection.execute("BEGIN TRANSACTION")
        try:
            if gone:
                connection.execute("DELETE FROM events WHERE _key IN (SELECT unnest(?))", [gone])
            _insert(connection, kind, parts, create=False)
            connection.execute("COMMIT")
        except Exception:
            connection.execute("ROLLBACK")
            raise
        updated = _Entry(versions, problems, _described(connection, kind, problems, origin))
        self._tables[(store.describe(), kind)] = updated
        return updated.table

    def built(self, store: ObjectStore, kind: str) -> bool:
        """Whether a table of ``kind`` over ``store`` has been built (it may be stale)."""
        return (store.describe(), kind) in self._tables

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()


_NONE = object()  # "no such key" in a versions map (a version may be None)
READERS = 4  # objects read at once: S3 round trips overlap, local reads use both cores


@dataclass
class _Entry:
    versions: dict[str, Any]
    problems: dict[str, str]  # key -> why it could not be read
    table: EventTable


def _read_all(
    store: ObjectStore, found: list[tuple[str, Any, str, str]], problems: dict[str, str]
) -> list[pa.Table]:
    def read(item: tuple[str, Any, str, str]) -> pa.Table | None:
        key, _, ingest_date, interval = item
        try:
            table = pq.ParquetFile(io.BytesIO(store.get(key))).read(use_threads=False)
        except Exception as error:  # unreadable object: name it, keep the rest
            problems[key] = f"{key}: could not be read ({type(error).__name__}: {error})"
            return None
        return _with_origin(table, key, ingest_date, interval)

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return [table for table in pool.map(read, found) if table is not None]


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
    """Days with a snapshot, oldest first: keys under the snapshot prefix that are
    exactly what the layout's builder makes for their day."""
    prefix = _snapshot_prefix()
    days = []
    for key, _ in listing(store, prefix):
        try:
            day = date.fromisoformat(key[len(prefix) :].split("/", 1)[0])
        except ValueError:
            continue
        if _snapshot_key(day) == key:
            days.append(day)
    return sorted(days)


def _snapshot_key(day: date) -> str:
    return keys.fused_snapshot_key(day)


def _snapshot_prefix() -> str:
    sample = date(2000, 1, 1)
    return _snapshot_key(sample).split(sample.isoformat())[0]


# -- building ----------------------------------------------------------------------------


def _with_origin(table: pa.Table, key: str, ingest_date: str, interval: str) -> pa.Table:
    rows = table.num_rows
    table = table.append_column("_key", pa.array([key] * rows, _STR))
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
    full = schema
    for name in ("_key", "_ingest_date", "_interval"):
        full = full.append(pa.field(name, _STR))
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


def _insert(
    connection: duckdb.DuckDBPyConnection, kind: str, parts: list[pa.Table], *, create: bool
) -> None:
    """Create the table from ``parts`` or insert them (by column name) into it."""
    if not parts and not create:
        return
    raw = _combine(parts, _expected_schema(kind))
    select = _FUSED_SELECT if kind == "fused" else _EVENTS_SELECT
    connection.register("raw", raw)
    try:
        if create:
            connection.execute(f"CREATE TABLE events AS {select}", [0])
        else:
            ((offset,),) = connection.sql("SELECT coalesce(max(_row), 0) FROM events").fetchall()
            connection.execute(f"INSERT INTO events BY NAME {select}", [offset])
    finally:
        connection.unregister("raw")


def _described(
    connection: duckdb.DuckDBPyConnection, kind: str, problems: dict[str, str], origin: str
) -> EventTable:
    ((rows,),) = connection.sql("SELECT count(*) FROM events").fetchall()
    return EventTable(
        kind=kind,
        connection=connection,
        rows=int(rows),
        countries=_distinct(connection, "unnest(_countries)"),
        sources=_distinct(connection, "unnest(_sources)"),
        ingest_dates=sorted(_distinct(connection, "_ingest_date"), reverse=True),
        problems=sorted(problems.values()),
        origin=origin,
    )


def _distinct(connection: duckdb.DuckDBPyConnection, expression: str) -> list[str]:
    rows = connection.sql(f"SELECT DISTINCT {expression} AS v FROM events").fetchall()
    return sorted(str(value) for (value,) in rows if value is not None)


def iter_batches(result: duckdb.DuckDBPyRelation, size: int = 2000) -> Iterable[list[dict]]:
    """The rows of a query as lists of dicts, ``size`` at a time."""
    reader = result.to_arrow_reader(size)
    for batch in reader:
        yield batch.to_pylist()
