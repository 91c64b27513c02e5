"""What one task hands the next: typed records, one module.

An ingest task returns an ``IngestReport`` (through XCom); ``publish_articles`` turns
the reports into an ``ArticlesAnnouncement``, the articles asset event's extra; the
events DAG reads ``ArticleBatch`` es back from those extras and announces the events
asset with an ``EventsAnnouncement`` of ``EventsReport`` s. Each record converts to and
from the plain JSON-able dict Airflow stores (``to_extra`` / ``from_extra``), so a field
added on one side is a field the other side reads, and a malformed extra is refused with
its field named instead of read as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


class ContractError(ValueError):
    """An extra or report that does not have the fields its record needs."""


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], record: str) -> Any:
    if name not in data:
        raise ContractError(f"{record}: missing field {name!r}")
    value = data[name]
    if not isinstance(value, kind):
        raise ContractError(f"{record}: field {name!r} is {type(value).__name__}, not {kind}")
    return value


@dataclass(frozen=True)
class IngestReport:
    """One source's ingest of one interval: what it wrote and how its URLs ended."""

    source_id: str
    interval: str  # the interval's slug
    interval_start: str
    interval_end: str
    articles_key: str | None
    raw_key: str | None
    manifest_key: str
    counts: dict[str, int]
    source_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Why the source as a whole failed this run (nothing could be read or fetched), or
    # None: its task then fails after writing its manifest, red in the Airflow grid.
    failure: str | None = None
    dry_run: bool = False

    @property
    def article_count(self) -> int:
        return self.counts.get("article", 0)

    def to_extra(self) -> dict[str, Any]:
        return {**asdict(self), "article_count": self.article_count}

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> IngestReport:
        name = "IngestReport"
        return cls(
            source_id=_field(data, "source_id", str, name),
            interval=_field(data, "interval", str, name),
            interval_start=_field(data, "interval_start", str, name),
            interval_end=_field(data, "interval_end", str, name),
            articles_key=_field(data, "articles_key", (str, type(None)), name),
            raw_key=_field(data, "raw_key", (str, type(None)), name),
            manifest_key=_field(data, "manifest_key", str, name),
            counts=dict(_field(data, "counts", dict, name)),
            source_errors=list(data.get("source_errors") or []),
            notes=list(data.get("notes") or []),
            failure=data.get("failure"),
            dry_run=bool(data.get("dry_run", False)),
        )


@dataclass(frozen=True)
class SourceHealth:
    """A source's line in the articles announcement."""

    articles: int
    counts: dict[str, int]
    errors: list[str]
    failure: str | None = None

    def to_extra(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> SourceHealth:
        return cls(
            articles=int(_field(data, "articles", int, "SourceHealth")),
            counts=dict(_field(data, "counts", dict, "SourceHealth")),
            errors=list(_field(data, "errors", list, "SourceHealth")),
            failure=data.get("failure"),
        )


@dataclass(frozen=True)
class ArticlesAnnouncement:
    """The articles asset event's extra: one interval's article objects and health."""

    interval_start: str
    interval_end: str
    article_keys: list[str]
    article_count: int
    sources: dict[str, SourceHealth]
    # Sources whose task failed: by their manifest when it was written, else unknown.
    sources_failed: list[str] = field(default_factory=list)

    @property
    def sources_ok(self) -> list[str]:
        return sorted(
            sid for sid, s in self.sources.items() if not s.errors and sid not in self.failed_set
        )

    @property
    def sources_with_errors(self) -> list[str]:
        return sorted(sid for sid, s in self.sources.items() if s.errors or s.failure)

    @property
    def failed_set(self) -> frozenset[str]:
        return frozenset(self.sources_failed)

    def to_extra(self) -> dict[str, Any]:
        return {
            "interval_start": self.interval_start,
            "interval_end": self.interval_end,
            "article_keys": list(self.article_keys),
            "article_count": self.article_count,
            "sources_ok": self.sources_ok,
            "sources_with_errors": self.sources_with_errors,
            "sources_failed": list(self.sources_failed),
            "sources": {sid: health.to_extra() for sid, health in self.sources.items()},
        }

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> ArticlesAnnouncement:
        name = "ArticlesAnnouncement"
        failed = data.get("sources_failed") or []
        return cls(
            interval_start=_field(data, "interval_start", str, name),
            interval_end=_field(data, "interval_end", str, name),
            article_keys=list(_field(data, "article_keys", list, name)),
            article_count=int(data.get("article_count") or 0),
            sources={
                sid: SourceHealth.from_extra(health)
                for sid, health in (data.get("sources") or {}).items()
            },
            # Announcements before the typed records counted failed tasks only.
            sources_failed=list(failed) if isinstance(failed, list) else [],
        )


@dataclass(frozen=True)
class ArticleBatch:
    """What an events run extracts: one interval and the article objects written for it."""

    interval_start: str
    interval_end: str
    article_keys: list[str]

    def to_extra(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> ArticleBatch:
        name = "ArticleBatch"
        return cls(
            interval_start=_field(data, "interval_start", str, name),
            interval_end=_field(data, "interval_end", str, name),
            article_keys=sorted(_field(data, "article_keys", list, name)),
        )


@dataclass(frozen=True)
class EventsReport:
    """One interval's extraction: what was read and written."""

    interval: str
    article_count: int
    event_count: int
    fused_count: int
    events_key: str
    fused_key: str
    manifest_key: str
    skipped: dict[str, int] = field(default_factory=dict)

    def to_extra(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> EventsReport:
        name = "EventsReport"
        return cls(
            interval=_field(data, "interval", str, name),
            article_count=int(_field(data, "article_count", int, name)),
            event_count=int(_field(data, "event_count", int, name)),
            fused_count=int(_field(data, "fused_count", int, name)),
            events_key=_field(data, "events_key", str, name),
            fused_key=_field(data, "fused_key", str, name),
            manifest_key=_field(data, "manifest_key", str, name),
            skipped=dict(data.get("skipped") or {}),
        )


@dataclass(frozen=True)
class EventsAnnouncement:
    """The events asset event's extra: every batch an events run processed."""

    batches: list[EventsReport]

    def to_extra(self) -> dict[str, Any]:
        return {
            "batches": [batch.to_extra() for batch in self.batches],
            "article_count": sum(b.article_count for b in self.batches),
            "event_count": sum(b.event_count for b in self.batches),
            "fused_count": sum(b.fused_count for b in self.batches),
            "events_keys": [b.events_key for b in self.batches],
        }

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> EventsAnnouncement:
        batches = _field(data, "batches", list, "EventsAnnouncement")
        return cls([EventsReport.from_extra(batch) for batch in batches])


@dataclass(frozen=True)
class FuseReport:
    """One day's fused snapshot: what the fuse DAG read and wrote (its manifest, and the
    task's return value). Keys and counts only, so XCom stays small."""

    day: str
    window_days: int
    intervals: int
    events: int
    fused: int
    multi_report: int  # fused events reported by more than one article
    syndicated_copies: int  # articles linked as copies of an earlier one
    ids_kept: int  # fused ids carried over from the previous snapshot
    previous_snapshot: str | None
    extractor_versions: list[str]
    snapshot_key: str
    manifest_key: str

    def to_extra(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> FuseReport:
        name = "FuseReport"
        return cls(
            day=_field(data, "day", str, name),
            window_days=int(_field(data, "window_days", int, name)),
            intervals=int(_field(data, "intervals", int, name)),
            events=int(_field(data, "events", int, name)),
            fused=int(_field(data, "fused", int, name)),
            multi_report=int(_field(data, "multi_report", int, name)),
            syndicated_copies=int(_field(data, "syndicated_copies", int, name)),
            ids_kept=int(_field(data, "ids_kept", int, name)),
            previous_snapshot=_field(data, "previous_snapshot", (str, type(None)), name),
            extractor_versions=list(_field(data, "extractor_versions", list, name)),
            snapshot_key=_field(data, "snapshot_key", str, name),
            manifest_key=_field(data, "manifest_key", str, name),
        )


@dataclass(frozen=True)
class ReextractReport:
    """One interval extracted again with the current extractor: what changed."""

    interval: str
    interval_start: str
    interval_end: str
    articles: int
    events_before: int
    events_after: int
    added: int  # event ids that were not there before
    removed: int  # event ids that are gone
    versions_before: list[str]
    versions_after: list[str]
    events_key: str
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.versions_before != self.versions_after)

    def to_extra(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}

    @classmethod
    def from_extra(cls, data: Mapping[str, Any]) -> ReextractReport:
        name = "ReextractReport"
        return cls(
            interval=_field(data, "interval", str, name),
            interval_start=_field(data, "interval_start", str, name),
            interval_end=_field(data, "interval_end", str, name),
            articles=int(_field(data, "articles", int, name)),
            events_before=int(_field(data, "events_before", int, name)),
            events_after=int(_field(data, "events_after", int, name)),
            added=int(_field(data, "added", int, name)),
            removed=int(_field(data, "removed", int, name)),
            versions_before=list(_field(data, "versions_before", list, name)),
            versions_after=list(_field(data, "versions_after", list, name)),
            events_key=_field(data, "events_key", str, name),
            dry_run=bool(data.get("dry_run", False)),
        )
