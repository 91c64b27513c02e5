"""What the events pages show: DuckDB queries over the tables of ``tables.py``.

Plain functions over an ObjectStore, no web framework: the FastAPI app, the
JSON API, the exports, the charts and the tests all use them. Filtering,
sorting and paging happen here, on the server; a page carries one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from defence_news.store import ObjectStore
from defence_news.ui.filters import BadFilter, EventQuery
from defence_news.ui.tables import CACHE, EventTable, iter_batches

__all__ = ["BadFilter", "EventQuery", "EventsView", "load_events"]

KINDS = ("events", "fused")
_ORDER = "ORDER BY _event_start DESC NULLS LAST, confidence DESC NULLS LAST, _row"
# Helper columns of tables.py that a reader of the rows does not need.
_HIDDEN = ("_key", "_row", "_text", "_event_start", "_event_end", "_pairs")


def where(query: EventQuery) -> tuple[str, list[Any]]:
    """The SQL condition and its parameters for ``query`` over the ``events`` table."""
    parts: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        parts.append(sql)
        params.extend(values)

    # An event matches a date range when its own span overlaps it; undated ones do not.
    if query.event_from is not None:
        add("_event_end >= ?", query.event_from)
    if query.event_to is not None:
        add("_event_start <= ?", query.event_to)
    if query.ingest_from is not None:
        add("_ingest_date >= ?", query.ingest_from.isoformat())
    if query.ingest_to is not None:
        add("_ingest_date <= ?", query.ingest_to.isoformat())
    if query.interval is not None:
        add("_interval = ?", query.interval)
    if query.country is not None:
        add("list_contains(_countries, ?)", query.country)
    if query.pair is not None:
        add("list_contains(_pairs, ?)", "-".join(query.pair))  # the pair is sorted
    if query.category is not None:
        add("category = ?", query.category)
    if query.status is not None:
        add("status = ?", query.status)
    if query.source is not None:
        add("list_contains(_sources, ?)", query.source)
    if query.min_confidence is not None:
        add("confidence >= ?", query.min_confidence)
    if query.q is not None:
        add("contains(_text, ?)", query.q.lower())
    return (" AND ".join(parts) or "TRUE"), params


@dataclass
class EventsView:
    """One page of matching events (or fused events) and what the form needs."""

    kind: str
    query: EventQuery
    events: list[dict[str, Any]]
    total: int
    stored: int  # rows in the store, before filters
    countries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    ingest_dates: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    origin: str = ""
    pending: str | None = None  # the store changed and these rows are from before

    @property
    def fused(self) -> bool:
        return self.kind == "fused"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "fused_events" if self.fused else "events",
            "filters": self.query.to_dict(),
            "total": self.total,
            "shown": len(self.events),
            "page": self.query.page,
            "pages": self.pages,
            "stored": self.stored,
            "read_from": self.origin,
            "ingest_dates": self.ingest_dates,
            "events": self.events,
            "problems": self.problems,
            "pending": self.pending,
        }


def table_for(store: ObjectStore, kind: str) -> EventTable:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return CACHE.table(store, kind)


def load_events(store: ObjectStore, query: EventQuery, *, kind: str = "events") -> EventsView:
    """The page ``query`` asks for: its rows newest event first, and the total."""
    table = table_for(store, kind)
    condition, params = where(query)
    cursor = table.cursor()
    ((total,),) = cursor.sql(
        f"SELECT count(*) FROM events WHERE {condition}", params=params
    ).fetchall()
    offset = (query.page - 1) * query.page_size
    result = cursor.sql(
        f"SELECT * EXCLUDE ({', '.join(_HIDDEN)}) FROM events WHERE {condition} "
        f"{_ORDER} LIMIT ? OFFSET ?",
        params=[*params, query.page_size, offset],
    )
    rows = [public_row(row) for batch in iter_batches(result) for row in batch]
    return EventsView(
        kind=kind,
        query=query,
        events=rows,
        total=int(total),
        stored=table.rows,
        countries=table.countries,
        sources=table.sources,
        ingest_dates=table.ingest_dates,
        problems=list(table.problems),
        origin=table.origin,
        pending=table.pending,
    )


def matching_batches(
    store: ObjectStore,
    query: EventQuery,
    kind: str,
    columns: str,
    *,
    as_json: bool = False,
    rows_per_batch: int = 5000,
) -> pa.RecordBatchReader:
    """Every row ``query`` matches (all pages), as Arrow batches of ``columns`` (SQL
    select-list over the ``events`` table), in page order: for exports. ``as_json``:
    one column holding each row as JSON text, serialised by DuckDB."""
    table = table_for(store, kind)
    condition, params = where(query)
    sql = f"SELECT {columns} FROM events WHERE {condition} {_ORDER}"
    if as_json:
        sql = f"SELECT to_json(t) AS line FROM ({sql}) t"
    return table.cursor().sql(sql, params=params).to_arrow_reader(rows_per_batch)


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row with the table's bookkeeping renamed for readers."""
    row["ingest_date"] = row.pop("_ingest_date", None)
    row["interval"] = row.pop("_interval", None) or None
    row["countries_all"] = row.pop("_countries", None)
    row["sources_all"] = row.pop("_sources", None)
    return row


# -- aggregates for the charts -----------------------------------------------------------


def weekly_by_category(store: ObjectStore, query: EventQuery, kind: str) -> list[tuple]:
    """(week start, category, events) of the matching dated events, oldest week first."""
    condition, params = where(query)
    sql = (
        "SELECT date_trunc('week', _event_start)::DATE AS week, category, count(*) "
        f"FROM events WHERE {condition} AND _event_start IS NOT NULL "
        "GROUP BY ALL ORDER BY week, category"
    )
    return table_for(store, kind).cursor().sql(sql, params=params).fetchall()


def pair_counts(
    store: ObjectStore, query: EventQuery, kind: str, limit: int = 400
) -> list[tuple[str, str, int]]:
    """(country, country, events) for the pairs the matching events join, strongest first."""
    condition, params = where(query)
    sql = f"""
        SELECT split_part(p, '-', 1), split_part(p, '-', 2), count(*) AS n
        FROM (SELECT unnest(_pairs) AS p FROM events WHERE {condition})
        GROUP BY p ORDER BY n DESC, p LIMIT ?
    """
    return table_for(store, kind).cursor().sql(sql, params=[*params, limit]).fetchall()


def partners_by_month(
    store: ObjectStore, query: EventQuery, kind: str, country: str
) -> list[tuple[str, str, int]]:
    """(month, partner, events) of ``country``'s dated matching events."""
    condition, params = where(query)
    sql = f"""
        SELECT strftime(_event_start, '%Y-%m') AS month, p AS partner, count(*) AS n
        FROM (SELECT _event_start, unnest(_countries) AS p FROM events
              WHERE {condition} AND list_contains(_countries, ?) AND _event_start IS NOT NULL)
        WHERE p <> ? GROUP BY ALL ORDER BY month, partner
    """
    cursor = table_for(store, kind).cursor()
    return cursor.sql(sql, params=[*params, country, country]).fetchall()


def kinds_of(
    store: ObjectStore, query: EventQuery, kind: str, country: str
) -> list[tuple[str, str, int]]:
    """(category, status, events) of ``country``'s matching events."""
    condition, params = where(query)
    sql = (
        f"SELECT category, status, count(*) FROM events WHERE {condition} "
        "AND list_contains(_countries, ?) GROUP BY ALL ORDER BY category, status"
    )
    return table_for(store, kind).cursor().sql(sql, params=[*params, country]).fetchall()
