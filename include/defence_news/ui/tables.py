"""The store's events and fused events as DuckDB tables, kept between requests.

Every object is read through the project's ObjectStore (local folder or S3 via
boto3 and the Airflow connection) into Arrow and handed to DuckDB: DuckDB's own
S3 reader (httpfs) is an extension it downloads at run time, which an offline
machine cannot do (the wheel does not bundle it). A request lists the keys with
their versions (file mtime and size, or the S3 ETag) and brings the table up to
date: only new or changed objects are read and inserted, rows of replaced or
removed objects deleted. The pages then filter, sort and page in DuckDB on the
server.

Each table lives in a DuckDB file in the cache folder (``ui_cache_folder``,
``DEFENCE_NEWS_UI_CACHE``) with the versions of the objects it holds, so a
restarted server opens it and reads only what changed while it was down. A file
made by other code (another query, schema or DuckDB version) is not reused; a
file another process holds, or no folder, means memory only.

Building or updating runs on a thread of its own (one per store and kind), so a
request never waits longer than ``WAIT_SECONDS`` for it: past that it answers
from the table as it was before the store changed, saying so (``pending``), or,
while the first build is still running, raises ``Warming`` (a 503 with
Retry-After). Reading 100,000 events from 720 objects takes seconds on two cores;
a correct answer cannot be had sooner, so the app starts the build when it
starts (``warm``) and a visitor normally finds it done.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from defence_news.extract.schema import EVENT_ARROW_SCHEMA, FUSED_EVENT_ARROW_SCHEMA
from defence_news.settings import ui_cache_folder
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
    """One kind's rows in a DuckDB database (a file, else memory); ``cursor()`` per
    request."""

    kind: str  # "events" or "fused"
    connection: duckdb.DuckDBPyConnection
    rows: int
    countries: list[str]
    sources: list[str]
    ingest_dates: list[str]  # newest first
    problems: list[str] = field(default_factory=list)
    origin: str = ""  # what was read: "per-interval objects" or the snapshot's key
    pending: str | None = None  # the store changed and the table is still catching up

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()


WAIT_SECONDS = 0.3  # a request's wait for a build or update before it answers without it
RETRY_SECONDS = 2  # what a request during the first build is told to wait


class Warming(RuntimeError):
    """The kind's table is still being built for the first time: no answer yet."""

    def __init__(self, kind: str, read: int, total: int) -> None:
        super().__init__(
            f"The {kind} table is being built from the store: {read:,} of {total:,} "
            f"objects read so far. Try again in {RETRY_SECONDS} s."
        )
        self.retry_after = RETRY_SECONDS


@dataclass
class _Job:
    """One build or update of a table toward one listing, on its own thread."""

    versions: dict[str, str]
    total: int  # objects to read (all of them for a build)
    read: int = 0
    waited_out: bool = False  # a request gave up on it: later ones do not wait again
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    # Set when a table can answer: the saved one opened (still catching up), or done.
    answerable: threading.Event = field(default_factory=threading.Event)


class TableCache:
    """One DuckDB table per store and kind, kept in step with the store's listing:
    new objects are inserted, replaced ones deleted and inserted again, removed ones
    deleted; anything else (a schema no insert accepts) rebuilds the table."""

    def __init__(self, folder: Callable[[], Path | None] = ui_cache_folder) -> None:
        self._folder = folder  # asked when a table is first opened: settings at call time
        self._lock = threading.Lock()  # guards the two maps; never held while reading
        self._tables: dict[tuple[str, str], _Entry] = {}
        self._jobs: dict[tuple[str, str], _Job] = {}

    def table(self, store: ObjectStore, kind: str, *, wait: float | None = None) -> EventTable:
        """The table as of the store's listing now, if it can be had within ``wait``
        seconds (``WAIT_SECONDS``); else the table as it was (``pending`` says so),
        else ``Warming``."""
        deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
        self._await_first_build(store, kind, deadline)
        found, origin = _listing_for(store, kind)
        versions = _versions(found)
        while True:
            current = self._current_or_job(store, kind, found, versions, origin)
            if isinstance(current, EventTable):
                return current
            budget = 0.0 if current.waited_out else max(0.0, deadline - time.monotonic())
            if not current.done.wait(budget):
                current.waited_out = True
                return self._meanwhile(store, kind, current)
            if current.error is not None:
                raise current.error
            # Done: the next turn finds the table, or starts a job toward a newer listing.

    def warm(self, store: ObjectStore, kind: str) -> None:
        """Start bringing the table up to date, without waiting for it."""
        found, origin = _listing_for(store, kind)
        self._current_or_job(store, kind, found, _versions(found), origin)

    def built(self, store: ObjectStore, kind: str) -> bool:
        """Whether a table of ``kind`` over ``store`` has been built (it may be stale)."""
        return (store.describe(), kind) in self._tables

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            self._jobs.clear()

    def close(self) -> None:
        """Let running builds finish, then close every table's database: what a
        stopping process does, so that another can open the files."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.done.wait()
        with self._lock:
            entries = list(self._tables.values())
        self.clear()
        for entry in entries:
            entry.table.connection.close()

    def _current_or_job(
        self,
        store: ObjectStore,
        kind: str,
        found: list[tuple[str, Any, str, str]],
        versions: dict[str, str],
        origin: str,
    ) -> EventTable | _Job:
        """The table if it matches ``versions``; else the job bringing it up to date,
        started toward ``found`` unless one is running already (one writer per table)."""
        slot = (store.describe(), kind)
        with self._lock:
            entry = self._tables.get(slot)
            if entry is not None and entry.versions == versions:
                return entry.table
            job = self._jobs.get(slot)
            if job is None or job.done.is_set():
                todo = found if entry is None else _changed(entry, found, versions)
                job = _Job(versions, total=len(todo))
                self._jobs[slot] = job
                # Not a daemon: a process that exits while DuckDB is mid-build aborts
                # ("terminate called"); Python waits for this thread before it finalizes.
                thread = threading.Thread(
                    target=self._run,
                    args=(job, store, kind, found, origin),
                    name=f"defence-news {kind} table",
                )
                thread.start()
            return job

    def _await_first_build(self, store: ObjectStore, kind: str, deadline: float) -> None:
        """While there is no table yet but a job is running, wait until one can answer
        (its saved file opened, or the build done) without listing the store first: a
        request that will be a 503 costs (almost) nothing."""
        slot = (store.describe(), kind)
        with self._lock:
            job = None if slot in self._tables else self._jobs.get(slot)
        if job is None:
            return
        budget = 0.0 if job.waited_out else max(0.0, deadline - time.monotonic())
        if not job.answerable.wait(budget):
            job.waited_out = True
            raise Warming(kind, job.read, job.total)

    def _meanwhile(self, store: ObjectStore, kind: str, job: _Job) -> EventTable:
        """What a request that cannot wait for ``job`` gets."""
        with self._lock:
            entry = self._tables.get((store.describe(), kind))
        if entry is None:
            raise Warming(kind, job.read, job.total)
        note = (
            f"The store has changed since this table was read: {job.read:,} of {job.total:,} "
            "new or replaced object(s) read so far. This answer is from the store as it "
            "was before; reload in a moment."
        )
        return replace(entry.table, pending=note)

    def _run(
        self,
        job: _Job,
        store: ObjectStore,
        kind: str,
        found: list[tuple[str, Any, str, str]],
        origin: str,
    ) -> None:
        slot = (store.describe(), kind)
        try:
            # One build at a time: two at once on two cores both end as late as the
            # second would in a row, and the events table (asked first) is ready sooner.
            with _ONE_AT_A_TIME:
                updated = self._brought_up_to_date(job, store, kind, found, origin)
            with self._lock:
                self._tables[slot] = updated
        except BaseException as error:  # the waiting request raises it; log it for the rest
            log.warning("the %s table of %s could not be built", kind, slot[0], exc_info=True)
            job.error = error
        finally:
            job.done.set()
            job.answerable.set()

    def _brought_up_to_date(
        self,
        job: _Job,
        store: ObjectStore,
        kind: str,
        found: list[tuple[str, Any, str, str]],
        origin: str,
    ) -> _Entry:
        slot = (store.describe(), kind)
        with self._lock:
            entry = self._tables.get(slot)
        connection = entry.table.connection if entry else _open(self._folder(), store, kind)
        if entry is None:
            entry = _saved(connection, kind, origin)
            if entry is not None:  # answers, as it was, while it catches up
                with self._lock:
                    self._tables[slot] = entry
                job.answerable.set()
        if entry is not None:
            try:
                return _update(store, kind, entry, found, job, origin)
            except duckdb.Error as error:  # e.g. a column of another type: start over
                log.warning("rebuilding the %s table of %s: %s", kind, slot[0], error)
        return _build(connection, store, kind, found, job, origin)


_NONE = object()  # "no such key" in a versions map
_ONE_AT_A_TIME = threading.Lock()  # builds and updates of every table, one after another
READERS = 4  # objects read at once: S3 round trips overlap, local reads use both cores


@dataclass
class _Entry:
    versions: dict[str, str]  # key -> its version as JSON text
    problems: dict[str, str]  # key -> why it could not be read
    table: EventTable


def _versions(found: list[tuple[str, Any, str, str]]) -> dict[str, str]:
    """Key -> version as JSON text: one comparable form for mtimes, ETags and None."""
    return {key: json.dumps(version) for key, version, *_ in found}


def _build(
    connection: duckdb.DuckDBPyConnection,
    store: ObjectStore,
    kind: str,
    found: list[tuple[str, Any, str, str]],
    job: _Job,
    origin: str,
) -> _Entry:
    """The table from every object, replacing what ``connection`` held in one
    transaction (readers of the old rows keep them until it commits)."""
    problems: dict[str, str] = {}
    parts = _read_all(store, found, problems, job)
    versions = _versions(found)
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute("DROP TABLE IF EXISTS events")
        connection.execute("DROP TABLE IF EXISTS objects")
        _insert(connection, kind, parts, create=True)
        connection.execute("CREATE TABLE objects (key VARCHAR, version VARCHAR, problem VARCHAR)")
        _record(connection, versions, list(versions), problems)
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return _Entry(versions, problems, _described(connection, kind, problems, origin))


def _update(
    store: ObjectStore,
    kind: str,
    entry: _Entry,
    found: list[tuple[str, Any, str, str]],
    job: _Job,
    origin: str,
) -> _Entry:
    versions = _versions(found)
    changed = _changed(entry, found, versions)
    gone = [key for key in entry.versions if versions.get(key, _NONE) != entry.versions[key]]
    job.total, job.read = len(changed), 0
    connection = entry.table.connection
    problems = {key: text for key, text in entry.problems.items() if key in versions}
    for key in gone:
        problems.pop(key, None)
    parts = _read_all(store, changed, problems, job)
    connection.execute("BEGIN TRANSACTION")
    try:
        if gone:
            connection.execute("DELETE FROM events WHERE _key IN (SELECT unnest(?))", [gone])
            connection.execute("DELETE FROM objects WHERE key IN (SELECT unnest(?))", [gone])
        _insert(connection, kind, parts, create=False)
        _record(connection, versions, [key for key, *_ in changed], problems)
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return _Entry(versions, problems, _described(connection, kind, problems, origin))


def _changed(
    entry: _Entry, found: list[tuple[str, Any, str, str]], versions: dict[str, str]
) -> list[tuple[str, Any, str, str]]:
    """The objects of ``found`` that ``entry`` lacks or holds at another version."""
    return [item for item in found if entry.versions.get(item[0], _NONE) != versions[item[0]]]


def _read_all(
    store: ObjectStore,
    found: list[tuple[str, Any, str, str]],
    problems: dict[str, str],
    job: _Job,
) -> list[pa.Table]:
    def read(item: tuple[str, Any, str, str]) -> pa.Table | None:
        key, _, ingest_date, interval = item
        try:
            table = pq.ParquetFile(io.BytesIO(store.get(key))).read(use_threads=False)
        except Exception as error:  # unreadable object: name it, keep the rest
            problems[key] = f"{key}: could not be read ({type(error).__name__}: {error})"
            return None
        return _with_origin(table, key, ingest_date, interval)

    parts = []
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        for table in pool.map(read, found):
            job.read += 1  # progress for a request that cannot wait (one thread counts)
            if table is not None:
                parts.append(table)
    return parts


CACHE = TableCache()


# -- the tables' files -------------------------------------------------------------------

TABLE_FORMAT = 1  # raise when the files' layout changes in a way the SQL does not show
LOCKED = "Could not set lock"  # DuckDB's words when another process has the file


def table_path(folder: Path, store: ObjectStore, kind: str) -> Path:
    """``<kind>-<store>-<code>.duckdb``: one file per store and kind, named also by what
    made it (the SQL, the schema, DuckDB's version), so other code never reuses it."""
    made_by = "\n".join(
        [
            str(TABLE_FORMAT),
            duckdb.__version__,
            _FUSED_SELECT if kind == "fused" else _EVENTS_SELECT,
            str(_expected_schema(kind)),
        ]
    )
    return folder / f"{kind}-{_digest(store.describe())}-{_digest(made_by)}.duckdb"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _open(folder: Path | None, store: ObjectStore, kind: str) -> duckdb.DuckDBPyConnection:
    """The table's database: its file in ``folder``, else memory (no folder, a folder
    that cannot be written, or a file another process holds)."""
    if folder is None:
        return duckdb.connect(":memory:")
    path = table_path(folder, store, kind)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _forget_others(path)
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as error:
            if LOCKED in str(error):
                raise
            # Not a database DuckDB can open (damaged, cut short): it only held a copy.
            log.warning("replacing the unreadable table file %s: %s", path, error)
            _remove(path)
            return duckdb.connect(str(path))
    except (OSError, duckdb.Error) as error:
        log.warning("the %s table of %s stays in memory: %s", kind, store.describe(), error)
        return duckdb.connect(":memory:")


def _forget_others(path: Path) -> None:
    """Remove files of the same store and kind made by other code: never read again."""
    kind, store, _ = path.stem.split("-")
    for other in path.parent.glob(f"{kind}-{store}-*.duckdb"):
        if other != path:
            _remove(other)


def _remove(path: Path) -> None:
    for part in (path, path.with_name(path.name + ".wal")):
        part.unlink(missing_ok=True)


def _saved(connection: duckdb.DuckDBPyConnection, kind: str, origin: str) -> _Entry | None:
    """What an earlier process left in the table's file; None for a new file (a build
    writes both tables in one transaction, so there is no half-written one)."""
    try:
        rows = connection.sql("SELECT key, version, problem FROM objects").fetchall()
        versions = {key: version for key, version, _ in rows}
        problems = {key: problem for key, _, problem in rows if problem is not None}
        return _Entry(versions, problems, _described(connection, kind, problems, origin))
    except duckdb.CatalogException:  # a new file
        return None
    except duckdb.Error as error:  # not what a build leaves: build it again
        log.warning("the saved %s table cannot be read back, rebuilding it: %s", kind, error)
        return None


def _record(
    connection: duckdb.DuckDBPyConnection,
    versions: dict[str, str],
    keys: list[str],
    problems: dict[str, str],
) -> None:
    """The versions (and any problem) of ``keys``, beside their rows: what a restarted
    server compares with the store's listing."""
    if keys:
        connection.execute(
            "INSERT INTO objects SELECT unnest(?), unnest(?), unnest(?)",
            [keys, [versions[key] for key in keys], [problems.get(key) for key in keys]],
        )


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
