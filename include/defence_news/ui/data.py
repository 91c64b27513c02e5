"""What the UI shows, read from the object store: events and per-source health.

Plain functions over an ObjectStore, no web framework: the FastAPI app, the
JSON endpoints and tests all use them. A store object that cannot be read
(corrupt Parquet, bad JSON) becomes a ``problems`` line naming the key; the
rest of the page still renders.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq

from defence_news.pipeline import INGEST_DAG_ID
from defence_news.store import ObjectNotFound, ObjectStore, keys
from defence_news.store.keys import StoreKey
from defence_news.store.records import read_json, read_parquet

# A page lists at most this many events: enough for a day of hourly runs over
# a few dozen sources, small enough for a browser table. The total is still shown.
MAX_EVENTS_SHOWN = 1000
# The health page covers this many most recent intervals (a day of hourly runs).
RECENT_INTERVALS = 24
# Days listed to find them: today and yesterday always hold the last 24 hourly intervals.
HEALTH_LOOKBACK_DAYS = 2
TOP_REASONS = 3  # reasons shown per source and interval; the JSON has them all
OUTCOME_COLUMNS = ("discovered", "article", "not_modified", "skipped", "failed", "deferred")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadFilter(ValueError):
    """A filter value the page cannot use (e.g. a malformed date)."""


@dataclass(frozen=True)
class EventFilters:
    """Which events to show; ``None`` means any."""

    date: str | None = None
    interval: str | None = None
    category: str | None = None
    status: str | None = None
    country: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.date is not None and not _DATE.match(self.date):
            raise BadFilter(f"date must look like 2026-11-29, not {self.date!r}")
        if self.interval is not None and keys.interval_from_slug(self.interval) is None:
            raise BadFilter(
                f"interval must look like 20261129T0400Z--20261129T0500Z, not {self.interval!r}"
            )

    @classmethod
    def from_query(cls, **values: str | None) -> EventFilters:
        """Blank form fields mean "any"; country codes compare upper-case."""
        cleaned = {name: (value or "").strip() or None for name, value in values.items()}
        if cleaned.get("country"):
            cleaned["country"] = cleaned["country"].upper()
        return cls(**cleaned)

    def matches(self, row: dict[str, Any]) -> bool:
        return (
            (self.category is None or row.get("category") == self.category)
            and (self.status is None or row.get("status") == self.status)
            and (self.country is None or self.country in row_countries(row))
            and (self.source is None or self.source in row_sources(row))
        )


def row_countries(row: dict[str, Any]) -> set[str]:
    """Countries of an event row (its actors) or of a fused row (its ``countries``)."""
    countries = {actor.get("country") for actor in row.get("actors") or () if actor}
    countries.update(row.get("countries") or ())
    return {country for country in countries if country}


def row_sources(row: dict[str, Any]) -> set[str]:
    """Source ids of an event row (its article) or of a fused row (each evidence's)."""
    sources = {(row.get("article") or {}).get("source_id")}
    evidence = row.get("evidence")
    if isinstance(evidence, list):
        sources.update(item.get("source_id") for item in evidence if item)
    return {source for source in sources if source}


@dataclass
class EventsView:
    filters: EventFilters
    fused: bool
    dates: list[str]
    intervals: list[str]
    events: list[dict[str, Any]]
    total: int
    problems: list[str] = field(default_factory=list)
    # Values present in the date's rows, for the filter drop-downs.
    countries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.events)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "fused_events" if self.fused else "events",
            "filters": {k: v for k, v in vars(self.filters).items() if v is not None},
            "dates": self.dates,
            "intervals": self.intervals,
            "total": self.total,
            "shown": len(self.events),
            "events": self.events,
            "problems": self.problems,
        }


@dataclass
class SourceHealth:
    """One source in one interval, from its ingest manifest."""

    source_id: str
    interval: str
    counts: dict[str, int]
    reasons: dict[str, int]
    source_errors: list[str]
    key: str

    @property
    def state(self) -> str:
        """``error`` (source-level problem), ``empty`` (nothing found), ``failures`` or ``ok``."""
        if self.source_errors:
            return "error"
        if self.counts.get("discovered", 0) == 0:
            return "empty"
        return "failures" if self.counts.get("failed", 0) else "ok"

    def top_reasons(self, limit: int = TOP_REASONS) -> list[tuple[str, int]]:
        return Counter(self.reasons).most_common(limit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "interval": self.interval,
            "state": self.state,
            "counts": {name: self.counts.get(name, 0) for name in OUTCOME_COLUMNS},
            "reasons": self.reasons,
            "source_errors": self.source_errors,
            "manifest_key": self.key,
        }


@dataclass(frozen=True)
class IntervalCounts:
    """What one interval produced over all sources."""

    interval: str
    sources: int
    discovered: int
    articles: int
    failed: int
    events: int | None  # None: no events object yet (the events DAG has not run)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class HealthView:
    date: str | None
    dates: list[str]
    intervals: list[str]  # newest first
    rows: list[SourceHealth]
    problems: list[str] = field(default_factory=list)
    per_interval: list[IntervalCounts] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, int]]:
        """Per source, the outcome counts summed over the shown intervals."""
        totals: dict[str, Counter[str]] = {}
        for row in self.rows:
            totals.setdefault(row.source_id, Counter()).update(row.counts)
        return {
            source: {name: counts.get(name, 0) for name in OUTCOME_COLUMNS}
            for source, counts in sorted(totals.items())
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "dates": self.dates,
            "intervals": self.intervals,
            "totals": self.totals(),
            "per_interval": [counts.to_dict() for counts in self.per_interval],
            "sources": [row.to_dict() for row in self.rows],
            "problems": self.problems,
        }


def partition_dates(store_keys: Iterable[str]) -> list[str]:
    """Distinct ``dt=`` dates in the keys, newest first."""
    dates = {day for key in store_keys if (day := keys.partition_date(key))}
    return sorted(dates, reverse=True)


def _unreadable(key: str, error: Exception) -> str:
    return f"{key}: could not be read ({type(error).__name__}: {error})"


def load_events(store: ObjectStore, filters: EventFilters, *, fused: bool = False) -> EventsView:
    """Events (or fused events) of one date partition, the newest by default, filtered
    and sorted."""
    event_keys = keys.list_keys(store, "events_fused" if fused else "events")
    dates = partition_dates(key.key for key in event_keys)
    date = filters.date or (dates[0] if dates else None)
    chosen = EventFilters(**{**vars(filters), "date": date})
    day_keys = [key for key in event_keys if key.date == date]
    intervals = sorted({key.slug for key in day_keys}, reverse=True)
    rows, problems = _read_event_rows(store, day_keys, chosen.interval)
    matching = [row for row in rows if chosen.matches(row)]
    matching.sort(key=_event_sort_key)
    return EventsView(
        filters=chosen,
        fused=fused,
        dates=dates,
        intervals=intervals,
        events=matching[:MAX_EVENTS_SHOWN],
        total=len(matching),
        problems=problems,
        countries=sorted(set().union(*(row_countries(row) for row in rows))),
        sources=sorted(set().union(*(row_sources(row) for row in rows))),
    )


def _read_event_rows(
    store: ObjectStore, event_keys: list[StoreKey], interval: str | None
) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for key in event_keys:
        if interval is not None and key.slug != interval:
            continue
        try:
            found = read_parquet(store, key.key)
        except Exception as error:  # any unreadable object: say which, keep the page
            problems.append(_unreadable(key.key, error))
            continue
        rows.extend({**row, "interval": key.slug} for row in found)
    return rows, problems


def _event_sort_key(row: dict[str, Any]) -> tuple[str, float]:
    # Newest intervals first; inside one, most confident first.
    return (_invert(row.get("interval") or ""), -float(row.get("confidence") or 0.0))


def _invert(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def load_health(
    store: ObjectStore, date: str | None = None, *, today: datetime | None = None
) -> HealthView:
    """Per-source ingest health for the most recent intervals (of ``date`` if given)."""
    if date is not None and not _DATE.match(date):
        raise BadFilter(f"date must look like 2026-11-29, not {date!r}")
    if date is not None:
        manifest_keys = _manifest_keys(store, date)
    else:
        manifest_keys = _recent_manifest_keys(store, today or datetime.now(UTC))
    # Dates to choose from: those with events, plus any found here (listing every
    # manifest ever written would cost one S3 request per thousand source-hours).
    listed = [*keys.list_keys(store, "events"), *manifest_keys]
    dates = partition_dates(key.key for key in listed)
    intervals = sorted({key.slug for key in manifest_keys}, reverse=True)
    intervals = intervals[:RECENT_INTERVALS]
    wanted = set(intervals)
    rows: list[SourceHealth] = []
    problems: list[str] = []
    for key in manifest_keys:
        if key.slug not in wanted:
            continue
        try:
            rows.append(_health_row(key, read_json(store, key.key)))
        except Exception as error:  # corrupt or foreign JSON: name it, keep the page
            problems.append(_unreadable(key.key, error))
    rows.sort(key=lambda row: (_invert(row.interval), row.source_id))
    per_interval = [_interval_counts(store, slug, rows, problems) for slug in intervals]
    return HealthView(
        date=date,
        dates=dates,
        intervals=intervals,
        rows=rows,
        problems=problems,
        per_interval=per_interval,
    )


def _interval_counts(
    store: ObjectStore, slug: str, rows: list[SourceHealth], problems: list[str]
) -> IntervalCounts:
    mine = [row for row in rows if row.interval == slug]
    return IntervalCounts(
        interval=slug,
        sources=len(mine),
        discovered=sum(row.counts["discovered"] for row in mine),
        articles=sum(row.counts["article"] for row in mine),
        failed=sum(row.counts["failed"] for row in mine),
        events=_event_count(store, slug, problems),
    )


def _event_count(store: ObjectStore, slug: str, problems: list[str]) -> int | None:
    """Rows in the interval's events object, from the Parquet footer only."""
    interval = keys.interval_from_slug(slug)
    if interval is None:  # not a name the pipeline writes: no events object either
        return None
    key = keys.events_key(interval)
    try:
        return pq.ParquetFile(io.BytesIO(store.get(key))).metadata.num_rows
    except ObjectNotFound:
        return None
    except Exception as error:  # unreadable object: name it, count unknown
        problems.append(_unreadable(key, error))
        return None


def _manifest_keys(store: ObjectStore, day: str | None = None) -> list[StoreKey]:
    return keys.list_keys(store, "manifest", dag_id=INGEST_DAG_ID, day=day)


def _recent_manifest_keys(store: ObjectStore, today: datetime) -> list[StoreKey]:
    """Manifests of today and the days before it; all of them if those days have none
    (a store filled for past dates, e.g. a backfill or the demo)."""
    found: list[StoreKey] = []
    for days_back in range(HEALTH_LOOKBACK_DAYS):
        day = (today.astimezone(UTC) - timedelta(days=days_back)).strftime("%Y-%m-%d")
        found.extend(_manifest_keys(store, day))
    return found or _manifest_keys(store)


def _health_row(key: StoreKey, manifest: Any) -> SourceHealth:
    if not isinstance(manifest, dict) or "source_id" not in manifest:
        raise ValueError("not an ingest manifest (no source_id)")
    counts = manifest.get("counts") or {}
    return SourceHealth(
        source_id=str(manifest["source_id"]),
        interval=key.slug,
        counts={name: int(counts.get(name, 0)) for name in OUTCOME_COLUMNS},
        reasons={str(k): int(v) for k, v in (manifest.get("reasons") or {}).items()},
        source_errors=[str(e) for e in manifest.get("source_errors") or ()],
        key=key.key,
    )
