"""Source health that tells the truth, from the ingest manifests in the store.

Per source over the most recent runs (intervals): articles and failures per run,
where a feed or sitemap that could not be read and a source that failed as a
whole count as failures, not as "0 failed"; the last run that fetched anything;
the top failure reasons; and a flag when a source has produced no article for
``silent_runs`` runs in a row. Manifests are read once per key and version.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from defence_news.interval import Interval
from defence_news.pipeline import INGEST_DAG_ID
from defence_news.store import ObjectStore, keys
from defence_news.ui.filters import BadFilter
from defence_news.ui.tables import listing

RECENT_RUNS = 24  # runs shown per source: a day of hourly runs
DEFAULT_SILENT_RUNS = 3  # runs without an article before a source is flagged
LOOKBACK_DAYS = 7  # days listed back from today to find the recent runs
TOP_REASONS = 3
OUTCOME_COLUMNS = ("discovered", "article", "not_modified", "skipped", "failed", "deferred")

# (interval slugs, source ids) -> {(slug, source id): URL of that mapped task's log}
TaskLinks = Callable[[list[Interval], list[str]], dict[tuple[str, str], str]]


@dataclass(frozen=True)
class Run:
    """One source in one run, from its manifest (or its absence)."""

    interval: str
    counts: dict[str, int]
    reasons: dict[str, int]
    source_errors: list[str]
    failure: str | None
    key: str | None  # None: the source wrote no manifest in this run
    log_url: str | None = None
    problem: str | None = None  # the manifest could not be read

    @property
    def articles(self) -> int:
        return self.counts.get("article", 0)

    @property
    def fetched(self) -> int:
        """Pages that answered: new articles and unchanged ones."""
        return self.counts.get("article", 0) + self.counts.get("not_modified", 0)

    @property
    def failures(self) -> int:
        """Failed URLs, plus each feed or sitemap error, plus a whole-source failure
        that no error line explains."""
        errors = self.counts.get("failed", 0) + len(self.source_errors)
        return errors + (1 if self.failure and not self.source_errors else 0)

    @property
    def state(self) -> str:
        if self.key is None:
            return "missing"
        if self.problem is not None:
            return "unreadable"
        if self.failure or (self.source_errors and self.fetched == 0):
            return "failed"
        if self.failures:
            return "failures"
        return "ok" if self.counts.get("discovered", 0) else "empty"

    def to_dict(self) -> dict[str, Any]:
        return {
            "interval": self.interval,
            "state": self.state,
            "articles": self.articles,
            "failures": self.failures,
            "counts": self.counts,
            "reasons": self.reasons,
            "source_errors": self.source_errors,
            "failure": self.failure,
            "manifest_key": self.key,
            "log_url": self.log_url,
            "problem": self.problem,
        }


GIST_CHARS = 160


def gist(text: str) -> str:
    """``feed URL unreachable: connection_refused (PolicyHTTPPool(...))`` without the
    parenthesised detail, at most ``GIST_CHARS`` long."""
    cut = text.find(" (", 10)
    short = text[:cut] if cut > 0 else text
    return short if len(short) <= GIST_CHARS else short[: GIST_CHARS - 1] + "…"


@dataclass
class SourceRow:
    source_id: str
    runs: list[Run]  # newest first, one per shown interval
    silent_runs: int

    @property
    def last_success(self) -> str | None:
        """The newest shown run in which the source fetched at least one page."""
        return next((run.interval for run in self.runs if run.fetched), None)

    @property
    def silent_for(self) -> int:
        """Runs in a row, newest first, that produced no article."""
        count = 0
        for run in self.runs:
            if run.articles:
                break
            count += 1
        return count

    @property
    def flagged(self) -> bool:
        return self.silent_for >= self.silent_runs

    @property
    def state(self) -> str:
        return self.runs[0].state if self.runs else "missing"

    def top_reasons(self, limit: int = TOP_REASONS) -> list[tuple[str, int]]:
        """Failed-URL reasons, feed/sitemap errors and whole-source failures, counted
        by their gist (the text before a parenthesised library detail)."""
        tally: Counter[str] = Counter()
        for run in self.runs:
            tally.update({r: n for r, n in run.reasons.items() if r.startswith("failed:")})
            tally.update(gist(error) for error in run.source_errors)
            if run.failure and not run.source_errors:
                tally[gist(run.failure)] += 1
        return tally.most_common(limit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "state": self.state,
            "last_success": self.last_success,
            "silent_for": self.silent_for,
            "flagged": self.flagged,
            "articles": sum(run.articles for run in self.runs),
            "failures": sum(run.failures for run in self.runs),
            "top_reasons": [[reason, count] for reason, count in self.top_reasons()],
            "runs": [run.to_dict() for run in self.runs],
        }


@dataclass
class HealthView:
    intervals: list[str]  # newest first
    sources: list[SourceRow]
    silent_runs: int
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "intervals": self.intervals,
            "silent_runs": self.silent_runs,
            "flagged": [row.source_id for row in self.sources if row.flagged],
            "sources": [row.to_dict() for row in self.sources],
            "problems": self.problems,
        }


class ManifestCache:
    """Parsed manifests by key and version: a page reads each one once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parsed: dict[tuple[str, str], tuple[Any, Any]] = {}

    def read(self, store: ObjectStore, key: str, version: Any) -> Any:
        slot = (store.describe(), key)
        with self._lock:
            cached = self._parsed.get(slot)
        if cached is not None and cached[0] == version and version is not None:
            return cached[1]
        value = json.loads(store.get(key))
        with self._lock:
            self._parsed[slot] = (version, value)
        return value


MANIFESTS = ManifestCache()


def parse_silent_runs(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_SILENT_RUNS
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= RECENT_RUNS:
        raise BadFilter(
            f"silent_runs must be a whole number from 1 to {RECENT_RUNS}, not {value!r}"
        )
    return int(text)


def load_health(
    store: ObjectStore,
    *,
    silent_runs: int = DEFAULT_SILENT_RUNS,
    today: date | None = None,
    task_links: TaskLinks | None = None,
) -> HealthView:
    """Per source, the most recent ``RECENT_RUNS`` runs of the ingest DAG."""
    found = _recent_manifests(store, today or datetime.now(UTC).date())
    slugs = sorted({parsed.slug for parsed, _ in found}, reverse=True)[:RECENT_RUNS]
    shown = set(slugs)
    by_source: dict[str, dict[str, Run]] = {}
    problems: list[str] = []
    for parsed, version in found:
        if parsed.slug in shown and parsed.source_id:
            run = _run(store, parsed, version, problems)
            by_source.setdefault(parsed.source_id, {})[parsed.slug] = run
    links = _links(task_links, slugs, sorted(by_source), problems)
    rows = [
        SourceRow(
            source_id=source,
            runs=[
                _linked(runs.get(slug) or _missing(slug), links.get((slug, source)))
                for slug in slugs
            ],
            silent_runs=silent_runs,
        )
        for source, runs in sorted(by_source.items())
    ]
    rows.sort(
        key=lambda row: (not row.flagged, row.state not in ("failed", "unreadable"), row.source_id)
    )
    return HealthView(intervals=slugs, sources=rows, silent_runs=silent_runs, problems=problems)


def _recent_manifests(store: ObjectStore, today: date) -> list[tuple[keys.StoreKey, Any]]:
    """Ingest manifests of the last days, back until enough runs are found; all of
    them when those days have none (a store filled for past dates, e.g. a backfill)."""
    found: list[tuple[keys.StoreKey, Any]] = []
    for days_back in range(LOOKBACK_DAYS):
        day = today - timedelta(days=days_back)
        found.extend(_manifests(store, _day_prefix(day)))
        if len({parsed.slug for parsed, _ in found}) >= RECENT_RUNS:
            return found
    return found or _manifests(store, _dag_prefix())


def _dag_prefix() -> str:
    # The layout's prefix of the ingest DAG's manifests, taken from keys.py's builder.
    sample = keys.manifest_key(INGEST_DAG_ID, _SAMPLE)
    return sample[: sample.index("dt=")]


def _day_prefix(day: date) -> str:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    sample = keys.manifest_key(INGEST_DAG_ID, Interval(start, start + timedelta(hours=1)))
    return sample[: sample.index("/", sample.index("dt=")) + 1]


_SAMPLE = Interval(datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 1, 1, tzinfo=UTC))


def _manifests(store: ObjectStore, prefix: str) -> list[tuple[keys.StoreKey, Any]]:
    return [
        (parsed, version)
        for key, version in listing(store, prefix)
        if (parsed := keys.parse_key(key)) is not None
        and parsed.kind == "manifest"
        and parsed.dag_id == INGEST_DAG_ID
    ]


def _run(store: ObjectStore, parsed: keys.StoreKey, version: Any, problems: list[str]) -> Run:
    try:
        manifest = MANIFESTS.read(store, parsed.key, version)
        if not isinstance(manifest, dict) or "source_id" not in manifest:
            raise ValueError("not an ingest manifest (no source_id)")
        counts = manifest.get("counts") or {}
        return Run(
            interval=parsed.slug,
            counts={name: int(counts.get(name, 0)) for name in OUTCOME_COLUMNS},
            reasons={str(k): int(v) for k, v in (manifest.get("reasons") or {}).items()},
            source_errors=[str(e) for e in manifest.get("source_errors") or ()],
            failure=str(manifest["failure"]) if manifest.get("failure") else None,
            key=parsed.key,
        )
    except Exception as error:  # corrupt or foreign JSON: name it, keep the page
        problem = f"{parsed.key}: could not be read ({type(error).__name__}: {error})"
        problems.append(problem)
        return Run(parsed.slug, {}, {}, [], None, parsed.key, problem=problem)


def _missing(slug: str) -> Run:
    return Run(interval=slug, counts={}, reasons={}, source_errors=[], failure=None, key=None)


def _linked(run: Run, url: str | None) -> Run:
    if url is None:
        return run
    return replace(run, log_url=url)


def _links(
    task_links: TaskLinks | None, slugs: list[str], sources: list[str], problems: list[str]
) -> dict[tuple[str, str], str]:
    if task_links is None or not slugs:
        return {}
    intervals = [interval for slug in slugs if (interval := keys.interval_from_slug(slug))]
    try:
        return task_links(intervals, sources)
    except Exception as error:  # the page stands without links
        problems.append(f"task log links unavailable ({type(error).__name__}: {error})")
        return {}
