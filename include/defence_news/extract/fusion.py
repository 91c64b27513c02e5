"""Fusion: events from several articles that report the same real-world happening.

Two events are the same happening when they share the category and the set of
countries and their dates overlap. Undated events join a dated group only when
their articles were published within a short window of it, since a report
without a date is usually news of the day.

Groups are the connected components of that relation, found in O(n log n) per
category and country set (sorted sweeps, not all pairs), so a month of reports
fuses in seconds. A fused event's id is stable: the id of a fused event of an
earlier snapshot that shares its reports (``previous``), else derived from its first
report, so later reports of a happening keep its id.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from defence_news.extract.rules import event_codes
from defence_news.models import SCHEMA_VERSION, Event, short_hash

# An undated report and a dated one are the same happening only if published this close.
UNDATED_WINDOW = timedelta(days=14)
# Status order when reports disagree: the most recent report's status wins, but
# an event that occurred cannot go back to planned.
_STATUS_ORDER = ("planned", "ongoing", "occurred", "suspended", "cancelled", "negated")


@dataclass(frozen=True)
class FusedEvidence:
    event_id: str
    article_id: str
    url: str
    source_id: str
    published_at: str | None
    sentence: str
    char_start: int
    char_end: int
    confidence: float
    # The earlier article this one is a syndicated copy of (linked across intervals by
    # the fuse stage): a copy is another outlet, not another independent report.
    duplicate_of: str | None = None


@dataclass(frozen=True)
class StatusChange:
    """A status the happening took on as the reports went on (``first_seen``: the day
    of the first report that gave it)."""

    first_seen: str | None
    status: str
    event_id: str


@dataclass(frozen=True)
class FusedEvent:
    fused_id: str
    category: str
    status: str
    countries: tuple[str, ...]
    start: str | None
    end: str | None
    precision: str
    event_name: str | None
    people: tuple[str, ...]
    event_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    evidence: tuple[FusedEvidence, ...]
    confidence: float
    cameo_code: str | None
    plover_type: str | None
    quad_class: int | None
    schema_version: str = SCHEMA_VERSION
    # When the happening was first and last reported (its articles' publication times),
    # the outlets that reported it, its status as the reports went on, and the
    # extractor versions that wrote its events.
    first_reported: str | None = None
    last_reported: str | None = None
    outlets: tuple[str, ...] = ()
    status_history: tuple[StatusChange, ...] = ()
    extractor_versions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("countries", "people", "event_ids", "article_ids", "outlets"):
            data[key] = list(data[key])
        data["extractor_versions"] = list(data["extractor_versions"])
        data["evidence"] = [dict(e) for e in data["evidence"]]
        data["status_history"] = [dict(c) for c in data["status_history"]]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FusedEvent:
        """A fused event read back from a Parquet row (or ``to_dict``)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        for key in ("countries", "people", "event_ids", "article_ids", "outlets"):
            values[key] = tuple(values.get(key) or ())
        values["extractor_versions"] = tuple(values.get("extractor_versions") or ())
        values["evidence"] = tuple(FusedEvidence(**e) for e in values.get("evidence") or ())
        values["status_history"] = tuple(
            StatusChange(**c) for c in values.get("status_history") or ()
        )
        return cls(**values)


def _span(event: Event) -> tuple[date, date] | None:
    if not event.when.start:
        return None
    start = date.fromisoformat(event.when.start)
    end = date.fromisoformat(event.when.end) if event.when.end else date.max
    return start, end


def _published(event: Event) -> date | None:
    raw = event.article.published_at
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        return None


class _Components:
    """Union-find over the events of one bucket (same category, same countries)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.root(i)] = self.root(j)


def _join_overlapping_dates(bucket: Sequence[Event], parts: _Components) -> None:
    """Dated reports whose date spans overlap, as a sweep over spans sorted by start."""
    dated = sorted(
        ((span, i) for i, e in enumerate(bucket) if (span := _span(e)) is not None),
        key=lambda item: item[0][0],
    )
    reach: date | None = None
    previous = -1
    for (start, end), i in dated:
        if reach is not None and start <= reach:
            parts.join(i, previous)
            reach = max(reach, end)
        else:
            reach = end
        previous = i


def _join_undated_by_publication(bucket: Sequence[Event], parts: _Components) -> None:
    """An undated report is the same happening as every report (dated or not) published
    within ``UNDATED_WINDOW`` of it: each one joins a contiguous run of the reports
    sorted by publication date, so the runs are merged by a sweep, not pair by pair."""
    published = sorted(
        ((day, i) for i, e in enumerate(bucket) if (day := _published(e)) is not None),
        key=lambda item: item[0],
    )
    days = [day for day, _ in published]
    runs: list[tuple[int, int]] = []
    for day, i in published:
        if bucket[i].when.start:
            continue
        low = bisect_left(days, day - UNDATED_WINDOW)
        high = bisect_right(days, day + UNDATED_WINDOW)
        runs.append((low, high))
    # Runs sharing a report are one component: merge them, then chain each merged run.
    runs.sort()
    merged: list[list[int]] = []
    for low, high in runs:
        if merged and low < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    for low, high in merged:
        for k in range(low, high - 1):
            parts.join(published[k][1], published[k + 1][1])
    # Reports with neither a date nor a publication date: news of one unknown day.
    unknown = [i for i, e in enumerate(bucket) if not e.when.start and _published(e) is None]
    for i in unknown[1:]:
        parts.join(i, unknown[0])


def _groups(events: Sequence[Event]) -> list[list[Event]]:
    buckets: dict[tuple[str, frozenset[str]], list[Event]] = defaultdict(list)
    for event in events:
        buckets[(event.category, frozenset(event.countries))].append(event)
    groups: list[list[Event]] = []
    for bucket in buckets.values():
        parts = _Components(len(bucket))
        _join_overlapping_dates(bucket, parts)
        _join_undated_by_publication(bucket, parts)
        members: dict[int, list[Event]] = defaultdict(list)
        for i, event in enumerate(bucket):
            members[parts.root(i)].append(event)
        groups.extend(members.values())
    return groups


def _status(group: list[Event]) -> str:
    latest = max(group, key=lambda e: (_published(e) or date.min, _STATUS_ORDER.index(e.status)))
    statuses = {e.status for e in group}
    if latest.status == "planned" and statuses & {"occurred", "ongoing"}:
        return "occurred" if "occurred" in statuses else "ongoing"
    return latest.status


def _fuse(group: list[Event]) -> FusedEvent:
    group = sorted(group, key=lambda e: (e.article.published_at or "", e.event_id))
    dated = [e for e in group if e.when.start]
    best = (
        max(dated, key=lambda e: ("unknown", "year", "month", "day").index(e.when.precision))
        if dated
        else None
    )
    ids = tuple(e.event_id for e in group)
    first = group[0]
    status = _status(group)
    cameo, plover, quad = event_codes(first.category, status)
    reported = [e.article.published_at for e in group if e.article.published_at]
    return FusedEvent(
        # Its first report's: stable while later reports join (see ``fuse_events``).
        fused_id=short_hash("fused", first.category, *sorted(first.countries), first.event_id),
        category=first.category,
        status=status,
        countries=tuple(sorted(first.countries)),
        start=best.when.start if best else None,
        end=best.when.end if best else None,
        precision=best.when.precision if best else "unknown",
        event_name=next((e.event_name for e in group if e.event_name), None),
        people=tuple(dict.fromkeys(p.name for e in group for p in e.people)),
        event_ids=ids,
        article_ids=tuple(dict.fromkeys(e.article.article_id for e in group)),
        evidence=tuple(
            FusedEvidence(
                event_id=e.event_id,
                article_id=e.article.article_id,
                url=e.article.url,
                source_id=e.article.source_id,
                published_at=e.article.published_at,
                sentence=e.evidence.sentence,
                char_start=e.evidence.char_start,
                char_end=e.evidence.char_end,
                confidence=e.confidence,
            )
            for e in group
        ),
        # Independent reports: the chance that all of them are wrong shrinks.
        confidence=combined_confidence(e.confidence for e in group),
        cameo_code=cameo,
        plover_type=plover,
        quad_class=quad,
        first_reported=min(reported) if reported else None,
        last_reported=max(reported) if reported else None,
        outlets=tuple(dict.fromkeys(e.article.publisher or e.article.source_id for e in group)),
        status_history=_history(group),
        extractor_versions=tuple(sorted({e.extractor.version for e in group})),
    )


def combined_confidence(confidences: Iterable[float]) -> float:
    """The chance that at least one of independent reports is right (noisy-or)."""
    wrong = 1.0
    for confidence in confidences:
        wrong *= 1.0 - confidence
    return round(1.0 - wrong, 3)


def _history(group: list[Event]) -> tuple[StatusChange, ...]:
    """The status as the reports went on (by report date): one entry per change."""
    changes: list[StatusChange] = []
    for event in group:  # sorted by publication time
        day = (event.article.published_at or "")[:10] or None
        if not changes or changes[-1].status != event.status:
            changes.append(StatusChange(day, event.status, event.event_id))
    return tuple(changes)


def fuse_events(events: Sequence[Event], previous: Sequence[FusedEvent] = ()) -> list[FusedEvent]:
    """Group events that are the same happening; one FusedEvent per group, stable order.

    ``previous``: the fused events of an earlier snapshot. A group that holds reports of
    one of them keeps its id (the one it shares most reports with), so a happening keeps
    its ``fused_id`` as later reports arrive and as the window moves on."""
    fused = [_fuse(group) for group in _groups(events)]
    if previous:
        fused = _keep_ids(fused, previous)
    return sorted(fused, key=lambda f: (f.start or "", f.category, f.countries, f.fused_id))


def _keep_ids(fused: list[FusedEvent], previous: Sequence[FusedEvent]) -> list[FusedEvent]:
    owner = {event_id: old.fused_id for old in previous for event_id in old.event_ids}
    claims: list[tuple[int, str, int]] = []  # (shared reports, previous id, index)
    for index, event in enumerate(fused):
        shared = defaultdict(int)
        for event_id in event.event_ids:
            if event_id in owner:
                shared[owner[event_id]] += 1
        claims += [(count, old_id, index) for old_id, count in shared.items()]
    # Most shared reports first; an old id goes to one group only (a happening split in
    # two keeps its id on the larger part).
    taken: set[str] = set()
    renamed: dict[int, str] = {}
    for _count, old_id, index in sorted(claims, key=lambda c: (-c[0], c[1], c[2])):
        if old_id not in taken and index not in renamed:
            taken.add(old_id)
            renamed[index] = old_id
    used = set(renamed.values())
    result = []
    for index, event in enumerate(fused):
        if index in renamed:
            event = dataclasses.replace(event, fused_id=renamed[index])
        elif event.fused_id in used:  # its derived id was taken by an older happening
            event = dataclasses.replace(event, fused_id=short_hash("fused", event.fused_id))
        result.append(event)
    return result
