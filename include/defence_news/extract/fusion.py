"""Fusion: events from several articles that report the same real-world happening.

Two events are the same happening when they share the category and the set of
countries and their dates overlap. Undated events join a dated group only when
their articles were published within a short window of it, since a report
without a date is usually news of the day.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
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

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("countries", "people", "event_ids", "article_ids"):
            data[key] = list(data[key])
        data["evidence"] = [dict(e) for e in data["evidence"]]
        return data


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


def _same_happening(a: Event, b: Event) -> bool:
    span_a, span_b = _span(a), _span(b)
    if span_a and span_b:
        return span_a[0] <= span_b[1] and span_b[0] <= span_a[1]
    pub_a, pub_b = _published(a), _published(b)
    if pub_a is None or pub_b is None:
        return span_a is None and span_b is None
    return abs(pub_a - pub_b) <= UNDATED_WINDOW


def _groups(events: Sequence[Event]) -> list[list[Event]]:
    buckets: dict[tuple[str, frozenset[str]], list[Event]] = defaultdict(list)
    for event in events:
        buckets[(event.category, frozenset(event.countries))].append(event)
    groups: list[list[Event]] = []
    for bucket in buckets.values():
        parent = list(range(len(bucket)))

        def root(i: int, parent: list[int] = parent) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in range(len(bucket)):
            for j in range(i + 1, len(bucket)):
                if _same_happening(bucket[i], bucket[j]):
                    parent[root(i)] = root(j)
        members: dict[int, list[Event]] = defaultdict(list)
        for i, event in enumerate(bucket):
            members[root(i)].append(event)
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
    confidence = 1.0
    for event in group:
        confidence *= 1.0 - event.confidence
    first = group[0]
    status = _status(group)
    cameo, plover, quad = event_codes(first.category, status)
    return FusedEvent(
        fused_id=short_hash(*sorted(ids)),
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
        confidence=round(1.0 - confidence, 3),
        cameo_code=cameo,
        plover_type=plover,
        quad_class=quad,
    )


def fuse_events(events: Sequence[Event]) -> list[FusedEvent]:
    """Group events that are the same happening; one FusedEvent per group, stable order."""
    fused = [_fuse(group) for group in _groups(events)]
    return sorted(fused, key=lambda f: (f.start or "", f.category, f.countries, f.fused_id))
