"""History at scale: one happening across days and outlets, and reprocessing.

``fuse_window``: the fused snapshot of a day, over a rolling window of intervals
(``events_fused/snapshot=<day>/fused.parquet``): each happening once, with every article,
outlet and evidence sentence, its first and last report, its status history and a
``fused_id`` kept from the previous snapshot. Syndicated copies are linked across
intervals: two articles of one fused event that are near-duplicates (simhash, then
shared word 3-grams, as within an interval) count as one report.

``reextract_interval``: the events of a stored interval extracted again with the
current extractor, replacing the interval's events objects.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from defence_news.contracts import FuseReport, ReextractReport
from defence_news.extract.fusion import (
    FusedEvent,
    FusedEvidence,
    combined_confidence,
    fuse_events,
)
from defence_news.interval import Interval
from defence_news.models import Event
from defence_news.parse.fingerprint import (
    MAX_CANDIDATE_DISTANCE,
    MIN_CONTAINMENT,
    containment,
    hamming_distance,
)
from defence_news.progress import Progress
from defence_news.store import LocalStore, ObjectNotFound, ObjectStore, keys
from defence_news.store.records import read_parquet, write_json, write_parquet

log = logging.getLogger(__name__)

FUSE_DAG_ID = "defence_news_fuse"
DEFAULT_WINDOW_DAYS = 30
PROGRESS_EVERY = 50  # intervals read between two progress lines in the task log
_FINGERPRINT_COLUMNS = ("article_id", "content_hash", "simhash", "published_at")


def window_bounds(day: date, window_days: int) -> tuple[datetime, datetime]:
    """Intervals starting in the ``window_days`` days up to and including ``day``."""
    if window_days < 1:
        raise ValueError(f"window_days must be >= 1, not {window_days}")
    start = datetime.combine(day - timedelta(days=window_days - 1), time.min, UTC)
    return start, datetime.combine(day + timedelta(days=1), time.min, UTC)


def fuse_window(
    store: ObjectStore, day: date, window_days: int = DEFAULT_WINDOW_DAYS
) -> FuseReport:
    """Write the fused snapshot of ``day`` (idempotent: the same store, the same file)."""
    from defence_news.extract.schema import FUSED_EVENT_ARROW_SCHEMA

    start, end = window_bounds(day, window_days)
    event_keys = keys.list_keys_between(store, "events", start, end)
    events = _read_events(store, [key.key for key in event_keys])
    previous_day, previous = _previous_snapshot(store, day)
    fused = fuse_events(events, previous)
    fused, copies = _link_syndicated(store, fused, start, end)
    snapshot_key = keys.fused_snapshot_key(day)
    write_parquet(store, snapshot_key, [f.to_dict() for f in fused], FUSED_EVENT_ARROW_SCHEMA)
    kept = len({f.fused_id for f in fused} & {f.fused_id for f in previous})
    report = FuseReport(
        day=day.isoformat(),
        window_days=window_days,
        intervals=len(event_keys),
        events=len(events),
        fused=len(fused),
        multi_report=sum(1 for f in fused if len(f.article_ids) > 1),
        syndicated_copies=copies,
        ids_kept=kept,
        previous_snapshot=previous_day.isoformat() if previous_day else None,
        extractor_versions=sorted({v for f in fused for v in f.extractor_versions}),
        snapshot_key=snapshot_key,
        manifest_key=keys.fuse_manifest_key(day),
    )
    write_json(
        store,
        report.manifest_key,
        {**report.to_extra(), "event_keys": [key.key for key in event_keys]},
    )
    log.info(
        "fused %d events of %d intervals into %d happenings (%d ids kept from %s)",
        report.events,
        report.intervals,
        report.fused,
        kept,
        report.previous_snapshot,
    )
    return report


def _read_events(store: ObjectStore, event_keys: Sequence[str]) -> list[Event]:
    """Every event of the objects, each id once (a rerun never duplicates one; the audit
    reports it if something else did)."""
    by_id: dict[str, Event] = {}
    with Progress("read events of intervals", len(event_keys), every=PROGRESS_EVERY) as progress:
        for key in event_keys:
            for row in read_parquet(store, key):
                by_id.setdefault(row["event_id"], Event.from_dict(row))
            progress.advance()
    return list(by_id.values())


def _previous_snapshot(store: ObjectStore, day: date) -> tuple[date | None, list[FusedEvent]]:
    """The latest snapshot before ``day`` (ids carry over from it); none on a first run."""
    earlier = [d for d in keys.snapshot_days(store) if d < day]
    if not earlier:
        return None, []
    rows = read_parquet(store, keys.fused_snapshot_key(earlier[-1]))
    return earlier[-1], [FusedEvent.from_dict(row) for row in rows]


# -- syndicated copies across intervals -------------------------------------------------------


@dataclasses.dataclass
class _Fingerprints:
    """Fingerprints of the window's articles, read column by column; bodies only for the
    few articles a candidate pair needs."""

    store: ObjectStore
    start: datetime
    end: datetime
    rows: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    key_of: dict[str, str] = dataclasses.field(default_factory=dict)
    bodies: dict[str, str] = dataclasses.field(default_factory=dict)

    def load(self) -> None:
        for key in keys.list_keys_between(self.store, "articles", self.start, self.end):
            for row in read_parquet(self.store, key.key, _FINGERPRINT_COLUMNS):
                self.rows.setdefault(row["article_id"], row)
                self.key_of.setdefault(row["article_id"], key.key)

    def body(self, article_id: str) -> str:
        if article_id not in self.bodies:
            key = self.key_of[article_id]
            for row in read_parquet(self.store, key, ("article_id", "body")):
                self.bodies.setdefault(row["article_id"], row["body"] or "")
        return self.bodies.get(article_id, "")

    def near_duplicates(self, first: str, second: str) -> bool:
        a, b = self.rows.get(first), self.rows.get(second)
        if a is None or b is None:
            return False
        if a["content_hash"] and a["content_hash"] == b["content_hash"]:
            return True
        if not a["simhash"] or not b["simhash"]:
            return False
        if hamming_distance(a["simhash"], b["simhash"]) > MAX_CANDIDATE_DISTANCE:
            return False
        return containment(self.body(first), self.body(second)) >= MIN_CONTAINMENT


def _link_syndicated(
    store: ObjectStore, fused: list[FusedEvent], start: datetime, end: datetime
) -> tuple[list[FusedEvent], int]:
    """Mark the evidence of syndicated copies (``duplicate_of``): only the articles of one
    fused event are compared, so the cost follows the reports, not the window squared."""
    if not any(len(f.article_ids) > 1 for f in fused):
        return fused, 0
    prints = _Fingerprints(store, start, end)
    prints.load()
    copies: dict[str, str] = {}
    for event in fused:
        _link_within(event, prints, copies)
    if not copies:
        return fused, 0
    return [_with_copies(event, copies) for event in fused], len(copies)


def _link_within(event: FusedEvent, prints: _Fingerprints, copies: dict[str, str]) -> None:
    ordered = sorted(
        event.article_ids,
        key=lambda a: ((prints.rows.get(a) or {}).get("published_at") or "~", a),
    )
    for index, article_id in enumerate(ordered):
        if article_id in copies:
            continue
        for earlier in ordered[:index]:
            if earlier not in copies and prints.near_duplicates(earlier, article_id):
                copies[article_id] = earlier
                break


def _with_copies(event: FusedEvent, copies: dict[str, str]) -> FusedEvent:
    evidence = tuple(
        dataclasses.replace(e, duplicate_of=copies.get(e.article_id, e.duplicate_of))
        for e in event.evidence
    )
    if evidence == event.evidence:
        return event
    return dataclasses.replace(event, evidence=evidence, confidence=_confidence(evidence))


def _confidence(evidence: Iterable[FusedEvidence]) -> float:
    """Independent reports only: a syndicated copy repeats its original's chance of
    being wrong, it does not shrink it."""
    return combined_confidence(e.confidence for e in evidence if e.duplicate_of is None)


def read_snapshot(store: ObjectStore, day: date) -> list[FusedEvent]:
    """The fused events of a day's snapshot (``ObjectNotFound`` if there is none)."""
    return [FusedEvent.from_dict(row) for row in read_parquet(store, keys.fused_snapshot_key(day))]


def latest_snapshot_day(store: ObjectStore) -> date | None:
    days = keys.snapshot_days(store)
    return days[-1] if days else None


# -- reprocessing ------------------------------------------------------------------------------


def days_between(first: date, last: date, *, limit: int = 366) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive (a reprocessing run's range)."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    count = (last - first).days + 1
    if count > limit:
        raise ValueError(f"{count} days is more than {limit}: split the range into runs")
    return [first + timedelta(days=n) for n in range(count)]


def intervals_with_articles(store: ObjectStore, day: date) -> list[Interval]:
    """The intervals of ``day`` that have stored articles, oldest first."""
    found = {key.slug: key.interval for key in keys.list_keys(store, "articles", day=str(day))}
    return sorted(found.values(), key=lambda interval: (interval.start, interval.end))


def reextract_day(store: ObjectStore, day: date, *, dry_run: bool = False) -> list[ReextractReport]:
    """Every interval of ``day`` extracted again (see ``reextract_interval``)."""
    intervals = intervals_with_articles(store, day)
    reports = []
    with Progress(f"re-extract {day}", len(intervals), every=6) as progress:
        for interval in intervals:
            reports.append(reextract_interval(store, interval, dry_run=dry_run))
            progress.advance()
    return reports


def reextract_interval(
    store: ObjectStore, interval: Interval, *, dry_run: bool = False
) -> ReextractReport:
    """The stored articles of ``interval`` extracted again with the current extractor.

    The interval's events, fused events and events manifest are replaced (the same
    keys, so a rerun writes the same objects again). With ``dry_run`` the extraction
    runs against a throwaway copy of the articles and nothing in ``store`` changes."""
    from defence_news.pipeline import extract_interval

    article_keys = keys.article_keys_for(store, interval)
    before_ids, before_versions = _stored_events(store, keys.events_key(interval))
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="defence-news-reextract-") as folder:
            scratch = LocalStore(folder)
            for key in article_keys:
                scratch.put(key, store.get(key))
            report = extract_interval(article_keys, interval, scratch)
            after_ids, after_versions = _stored_events(scratch, report.events_key)
    else:
        report = extract_interval(article_keys, interval, store)
        after_ids, after_versions = _stored_events(store, report.events_key)
    return ReextractReport(
        interval=interval.slug,
        interval_start=interval.start.isoformat(),
        interval_end=interval.end.isoformat(),
        articles=report.article_count,
        events_before=len(before_ids),
        events_after=len(after_ids),
        added=len(after_ids - before_ids),
        removed=len(before_ids - after_ids),
        versions_before=before_versions,
        versions_after=after_versions,
        events_key=report.events_key,
        dry_run=dry_run,
    )


def _stored_events(store: ObjectStore, key: str) -> tuple[set[str], list[str]]:
    """The event ids of an events object and the extractor versions that wrote them."""
    try:
        rows = read_parquet(store, key, ("event_id", "extractor"))
    except ObjectNotFound:
        return set(), []
    versions = {f"{row['extractor']['name']} {row['extractor']['version']}" for row in rows}
    return {row["event_id"] for row in rows}, sorted(versions)


# -- the command ------------------------------------------------------------------------------


def add_history_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "history",
        help="fuse events over a window of days, or extract stored days again",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True)
    fuse = actions.add_parser("fuse", help="write the fused snapshot of a day")
    fuse.add_argument("--day", type=_iso_day, default=None, help="ISO date (default: today)")
    fuse.add_argument("--window", type=int, default=DEFAULT_WINDOW_DAYS, help="days (30)")
    fuse.set_defaults(handler=_run_fuse)
    again = actions.add_parser("reextract", help="extract stored days again, replacing events")
    again.add_argument("--from", dest="first", type=_iso_day, required=True, help="ISO date")
    again.add_argument("--to", dest="last", type=_iso_day, default=None, help="ISO date")
    again.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    again.set_defaults(handler=_run_reextract)
    for each in (fuse, again):
        each.add_argument("--json", action="store_true", help="print the report as JSON")


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date, e.g. 2026-11-29") from None


def _run_fuse(args: argparse.Namespace) -> int:
    from defence_news.settings import open_store

    day = args.day or datetime.now(UTC).date()
    if args.window < 1:
        return _usage_error("--window must be at least 1 day")
    report = fuse_window(open_store(), day, args.window)
    if args.json:
        print(json.dumps(report.to_extra(), indent=2))
    else:
        print(
            f"fused snapshot of {report.day} over {report.window_days} days: {report.events} "
            f"events of {report.intervals} intervals -> {report.fused} happenings "
            f"({report.multi_report} reported more than once, {report.syndicated_copies} "
            f"syndicated copies, {report.ids_kept} ids kept from {report.previous_snapshot})\n"
            f"written to {report.snapshot_key}"
        )
    return 0


def _run_reextract(args: argparse.Namespace) -> int:
    from defence_news.settings import open_store

    try:
        days = days_between(args.first, args.last or args.first)
    except ValueError as error:
        return _usage_error(str(error))
    store = open_store()
    reports: list[ReextractReport] = []
    with Progress("re-extract days", len(days), every=1, lines_to_stream=True) as progress:
        for day in days:
            reports.extend(reextract_day(store, day, dry_run=args.dry_run))
            progress.advance()
    if args.json:
        print(json.dumps([r.to_extra() for r in reports], indent=2))
        return 0
    for r in reports:
        versions = f"{', '.join(r.versions_before) or 'none'} -> {', '.join(r.versions_after)}"
        print(
            f"{r.interval}  {r.articles:>5} articles  events {r.events_before:>4} -> "
            f"{r.events_after:<4} (+{r.added} -{r.removed})  {versions}"
        )
    changed = sum(r.changed for r in reports)
    verb = "would change" if args.dry_run else "changed"
    print(f"{len(reports)} intervals over {len(days)} days, {changed} {verb}")
    return 0


def _usage_error(message: str) -> int:
    print(f"defence_news history: error: {message}", file=sys.stderr)
    return 2


__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "FUSE_DAG_ID",
    "ObjectNotFound",
    "add_history_command",
    "days_between",
    "fuse_window",
    "intervals_with_articles",
    "latest_snapshot_day",
    "read_snapshot",
    "reextract_day",
    "reextract_interval",
    "window_bounds",
]
