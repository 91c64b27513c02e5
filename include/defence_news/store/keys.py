"""The storage layout (DESIGN.md): the one module that knows how keys look.

Writers build keys with the ``*_key`` functions. Readers take keys apart with
``parse_key`` and find them with the listing helpers (``list_keys``,
``list_keys_between``, ``manifests_between``, ``article_keys_for``,
``manifest_keys_for``), so a change of layout is a change here only.

The same keys are used for S3 and for the local folder store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from defence_news.interval import Interval
from defence_news.store.base import ObjectStore

Kind = Literal["raw", "articles", "events", "events_fused", "manifest"]

SLUG_FORMAT = "%Y%m%dT%H%MZ"  # each bound of Interval.slug
# A range of at most this many days is listed one date partition at a time (one
# LIST request each); a longer or open range lists the kind's whole prefix once,
# which costs one request per thousand keys rather than one per (mostly empty) day.
MAX_DAYS_LISTED_ONE_BY_ONE = 62

_SLUG_RE = re.compile(r"\d{8}T\d{4}Z--\d{8}T\d{4}Z")
_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"
_SLUG = rf"(?P<slug>{_SLUG_RE.pattern})"
_SOURCE = r"(?P<source>[^/]+)"
_PATTERNS: dict[Kind, re.Pattern[str]] = {
    "raw": re.compile(rf"raw/source={_SOURCE}/dt={_DATE}/{_SLUG}\.warc\.gz"),
    "articles": re.compile(rf"articles/dt={_DATE}/source={_SOURCE}/{_SLUG}\.parquet"),
    "events": re.compile(rf"events/dt={_DATE}/{_SLUG}\.parquet"),
    "events_fused": re.compile(rf"events_fused/dt={_DATE}/{_SLUG}\.parquet"),
    "manifest": re.compile(
        rf"manifests/(?P<dag>[^/]+)/dt={_DATE}/{_SLUG}(?:/source={_SOURCE})?\.json"
    ),
}
_DT_PART = re.compile(r"(?:^|/)dt=(\d{4}-\d{2}-\d{2})/")


# -- building keys (writers) -------------------------------------------------------------


def raw_key(source_id: str, interval: Interval) -> str:
    return f"raw/source={source_id}/dt={interval.date}/{interval.slug}.warc.gz"


def articles_key(source_id: str, interval: Interval) -> str:
    # Partitioned by source as well as date: each mapped ingest task owns its
    # own object, so a rerun of one source replaces only that source's rows.
    return f"articles/dt={interval.date}/source={source_id}/{interval.slug}.parquet"


def events_key(interval: Interval) -> str:
    return f"events/dt={interval.date}/{interval.slug}.parquet"


def fused_events_key(interval: Interval) -> str:
    return f"events_fused/dt={interval.date}/{interval.slug}.parquet"


def manifest_key(dag_id: str, interval: Interval, source_id: str | None = None) -> str:
    base = f"manifests/{dag_id}/dt={interval.date}/{interval.slug}"
    return f"{base}/source={source_id}.json" if source_id else f"{base}.json"


def fused_snapshot_key(day: date) -> str:
    """The current fused events as of ``day``: every happening of the rolling window,
    each once (the fuse DAG); not an interval's object (``parse_key`` gives None)."""
    return f"events_fused/snapshot={day.isoformat()}/fused.parquet"


def fuse_manifest_key(day: date) -> str:
    return f"manifests/defence_news_fuse/snapshot={day.isoformat()}.json"


_SNAPSHOT = re.compile(r"events_fused/snapshot=(\d{4}-\d{2}-\d{2})/fused\.parquet")


def snapshot_days(store: ObjectStore) -> list[date]:
    """The days that have a fused snapshot, oldest first."""
    days = [
        date.fromisoformat(match[1])
        for key in store.list("events_fused/snapshot=")
        if (match := _SNAPSHOT.fullmatch(key))
    ]
    return sorted(days)


def state_key(kind: str, name: str) -> str:
    """Small state kept between runs (seen-URL index, HTTP validators...)."""
    return f"state/{kind}/{name}.json"


# -- taking keys apart (readers) ---------------------------------------------------------


@dataclass(frozen=True)
class StoreKey:
    """An interval-keyed object's key and what it says: kind, interval, source, DAG."""

    key: str
    kind: Kind
    interval: Interval
    source_id: str | None = None  # raw, articles, per-source (ingest) manifests
    dag_id: str | None = None  # manifests only

    @property
    def date(self) -> str:
        return self.interval.date

    @property
    def slug(self) -> str:
        return self.interval.slug


def parse_key(key: str) -> StoreKey | None:
    """What ``key`` says, if one of the ``*_key`` builders above could have made it.

    ``None`` for anything else: foreign objects, temporary files, and ``state/``
    keys (they belong to no interval). A ``dt=`` that is not the date the slug
    starts on is foreign too: no builder writes that.
    """
    found = next(
        ((kind, match) for kind, pattern in _PATTERNS.items() if (match := pattern.fullmatch(key))),
        None,
    )
    if found is None:
        return None
    kind, match = found
    interval = interval_from_slug(match["slug"])
    if interval is None or interval.date != match["date"]:
        return None
    parts = match.groupdict()
    return StoreKey(key, kind, interval, source_id=parts.get("source"), dag_id=parts.get("dag"))


def interval_from_slug(slug: str) -> Interval | None:
    """The interval ``Interval.slug`` names (``20261129T0400Z--20261129T0500Z``), or None."""
    if not _SLUG_RE.fullmatch(slug):
        return None
    start, end = slug.split("--")
    try:
        return Interval(_slug_moment(start), _slug_moment(end))
    except ValueError:  # not a calendar date, or ends before it starts
        return None


def _slug_moment(text: str) -> datetime:
    return datetime.strptime(text, SLUG_FORMAT).replace(tzinfo=UTC)


def partition_date(key: str) -> str | None:
    """The ``dt=`` partition date of any key, even one no builder made.

    Pages that offer dates to choose from take them from whatever is stored."""
    match = _DT_PART.search(key)
    return match.group(1) if match else None


# -- finding keys (listing) --------------------------------------------------------------


def list_keys(
    store: ObjectStore, kind: Kind, *, dag_id: str | None = None, day: str | None = None
) -> list[StoreKey]:
    """The layout keys of one kind (of one DAG's manifests, of one partition date),
    in key order; foreign objects under the same prefix are left out."""
    return [
        parsed
        for key in store.list(_prefix(kind, dag_id, day))
        if (parsed := parse_key(key)) is not None
        and parsed.kind == kind
        and (dag_id is None or parsed.dag_id == dag_id)
        and (day is None or parsed.date == day)
    ]


def list_keys_between(
    store: ObjectStore,
    kind: Kind,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    dag_id: str | None = None,
) -> list[StoreKey]:
    """The layout keys of one kind whose interval starts in ``[start, end)``, in key
    order; a missing bound is open."""
    days = _days_between(start, end)
    if days is not None and kind != "raw":
        found = [key for day in days for key in list_keys(store, kind, dag_id=dag_id, day=day)]
    else:
        found = list_keys(store, kind, dag_id=dag_id)
    return [key for key in found if _starts_within(key.interval, start, end)]


def manifests_between(
    store: ObjectStore, dag_id: str, start: datetime | None = None, end: datetime | None = None
) -> list[StoreKey]:
    """One DAG's run manifests for the intervals that start in ``[start, end)``."""
    return list_keys_between(store, "manifest", start, end, dag_id=dag_id)


def article_keys_for(store: ObjectStore, interval: Interval) -> list[str]:
    """Every articles object written for ``interval``: one per source, in key order."""
    return [
        key.key
        for key in list_keys(store, "articles", day=interval.date)
        # By name: a key holds minutes only, the interval may carry seconds.
        if key.slug == interval.slug
    ]


def manifest_keys_for(store: ObjectStore, dag_id: str, interval: Interval) -> list[str]:
    """One DAG's manifests of ``interval``: one per source for ingest, one for events."""
    # The slug without a separator after it covers both forms: "<slug>.json" and
    # "<slug>/source=<id>.json".
    prefix = f"{_prefix('manifest', dag_id, interval.date)}{interval.slug}"
    return [
        key
        for key in store.list(prefix)
        if (parsed := parse_key(key)) is not None
        and parsed.dag_id == dag_id
        and parsed.slug == interval.slug
    ]


def _prefix(kind: Kind, dag_id: str | None, day: str | None) -> str:
    if kind == "raw":
        return "raw/"  # partitioned by source first: a date cannot narrow the listing
    if kind == "manifest":
        if dag_id is None:
            return "manifests/"
        root = f"manifests/{dag_id}/"
    else:
        root = f"{kind}/"
    return f"{root}dt={day}/" if day else root


def _days_between(start: datetime | None, end: datetime | None) -> list[str] | None:
    """Partition dates of the intervals starting in ``[start, end)``; None when the
    range is open or too long to list one date at a time."""
    if start is None or end is None:
        return None
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    count = (last - first).days + 1
    if count > MAX_DAYS_LISTED_ONE_BY_ONE:
        return None
    return [_day(first + timedelta(days=offset)) for offset in range(max(count, 0))]


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def _starts_within(interval: Interval, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or interval.start >= start) and (end is None or interval.start < end)
