"""The store audit: does what the store holds still keep the pipeline's promises?

``audit_store(store, start, end)`` reads every interval whose start lies in
``[start, end)`` (a missing bound is open: by default the whole store) and
runs these checks, one interval at a time, oldest first:

- ``objects_readable``: every manifest (JSON) and Parquet object can be read.
- ``ingest_manifests``: one outcome per discovered URL in each ingest run; the
  counts by outcome add up to the discovered total and match the outcomes; the
  manifest names the source and interval of its key.
- ``ingest_articles``: a source's article outcomes are the rows of its
  articles object for that interval, and no articles object lacks a manifest.
- ``unique_articles``: no article is stored in two intervals, by canonical URL,
  and by content hash within one source. The same text on two sites is two
  articles (syndication); the events stage links those as near-duplicates.
- ``unique_events``: no event id is stored twice.
- ``events_manifests``: an events manifest names articles objects of its own
  interval that exist, and lists only articles they hold.
- ``events_written``: an interval with articles has its events, fused events and
  events manifest, and every one of its articles went through the events run.

A problem is an ``error`` (the audit fails), or ``pending``: what an events run
that has not happened *yet* looks like. Only ``events_written`` reports pending,
when the articles concerned were fetched less than ``PENDING_GRACE`` ago; the
events DAG runs on the articles asset within minutes, so past that it is an error.

``python -m defence_news audit [--from ISO] [--to ISO] [--store DIR] [--json]``
prints one line per check, then one line per problem naming the key and item.
Exit code: 0 clean (pending allowed), 1 a check failed, 2 a usage error
(bad dates, no store there, store unreachable).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from defence_news.interval import Interval
from defence_news.models import Article, UrlOutcome
from defence_news.pipeline import EVENTS_DAG_ID, INGEST_DAG_ID
from defence_news.store import LocalStore, ObjectStore, keys
from defence_news.store.keys import StoreKey
from defence_news.store.records import read_articles, read_json, read_parquet

Severity = Literal["error", "pending"]
T = TypeVar("T")

# The events DAG is triggered by the articles asset as soon as an ingest run ends,
# retries for about ten minutes and has a 30-minute deadline: two hours covers a busy
# scheduler. Articles older than this that no events run saw are an error.
PENDING_GRACE = timedelta(hours=2)

CHECKS: tuple[tuple[str, str], ...] = (  # name, what its item count counts
    ("objects_readable", "objects"),
    ("ingest_manifests", "urls"),
    ("ingest_articles", "articles"),
    ("unique_articles", "articles"),
    ("unique_events", "events"),
    ("events_manifests", "entries"),
    ("events_written", "intervals"),
)


class StoreUnreachable(RuntimeError):
    """The store cannot be listed or read at all (as opposed to one bad object)."""


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    check: str
    key: str  # the object the problem is in (or the key that should exist)
    item: str  # what inside it: a URL, an article or event id, a count; "" for the object
    message: str
    severity: Severity = "error"

    def line(self) -> str:
        item = f"  {self.item}" if self.item else ""
        return f"{self.severity.upper():<8} {self.check:<17} {self.key}{item}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return dict(vars(self))


@dataclass
class CheckResult:
    name: str
    unit: str  # what ``items`` counts
    intervals: set[str] = field(default_factory=set)  # slugs of the intervals examined
    items: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, key: str, item: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(self.name, key, item, message, severity))

    def count(self, severity: Severity) -> int:
        return sum(problem.severity == severity for problem in self.problems)

    @property
    def state(self) -> str:
        if self.count("error"):
            return "FAIL"
        return "pending" if self.problems else "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "intervals": len(self.intervals),
            "items": self.items,
            "unit": self.unit,
            "errors": self.count("error"),
            "pending": self.count("pending"),
        }


@dataclass
class AuditReport:
    store: str
    start: datetime | None
    end: datetime | None
    intervals: int
    checks: list[CheckResult]
    # "<name> <version>" of the extractor that wrote each interval's events -> intervals;
    # more than one means some intervals wait for re-extraction (defence_news_reextract).
    extractor_versions: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return [problem for check in self.checks for problem in check.problems]

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def ok(self) -> bool:
        """No check failed (pending problems do not fail the audit)."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def check(self, name: str) -> CheckResult:
        return next(check for check in self.checks if check.name == name)

    def table(self) -> str:
        """The operator's view: one line per check, then one line per problem."""
        pending = len(self.problems) - len(self.errors)
        lines = [
            f"store audit of {self.store}",
            f"intervals starting {_range_text(self.start, self.end)}: {self.intervals}",
            "",
            f"{'check':<18}{'intervals':>9}  {'items checked':<16}{'problems':>8}  state",
        ]
        lines += [
            f"{c.name:<18}{len(c.intervals):>9}  {f'{c.items} {c.unit}':<16}"
            f"{len(c.problems):>8}  {c.state}"
            for c in self.checks
        ]
        if self.extractor_versions:
            written = ", ".join(f"{v} ({n})" for v, n in sorted(self.extractor_versions.items()))
            mixed = (
                "  (mixed: re-extract the older intervals)"
                if len(self.extractor_versions) > 1
                else ""
            )
            lines += ["", f"events written by: {written}{mixed}"]
        verdict = "clean" if not self.problems else "clean but pending" if self.ok else "FAILED"
        lines += ["", f"result: {verdict} ({len(self.errors)} errors, {pending} pending)"]
        lines += [problem.line() for problem in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "intervals": self.intervals,
            "ok": self.ok,
            "errors": len(self.errors),
            "pending": len(self.problems) - len(self.errors),
            "extractor_versions": dict(sorted(self.extractor_versions.items())),
            "checks": [check.to_dict() for check in self.checks],
            "problems": [problem.to_dict() for problem in self.problems],
        }


def _range_text(start: datetime | None, end: datetime | None) -> str:
    if start is None and end is None:
        return "at any time"
    since = f"from {start.isoformat()}" if start else ""
    until = f"before {end.isoformat()}" if end else ""
    return " ".join(part for part in (since, until) if part)


# -- what one interval holds ---------------------------------------------------------------


@dataclass
class _IntervalKeys:
    """The layout keys of one interval, as listed."""

    interval: Interval
    ingest: list[StoreKey] = field(default_factory=list)
    articles: list[StoreKey] = field(default_factory=list)
    events: StoreKey | None = None
    fused: StoreKey | None = None
    events_manifest: StoreKey | None = None


@dataclass(frozen=True)
class _ArticleRow:
    """What the checks need of a stored article (bodies are not kept)."""

    article_id: str
    canonical_url: str
    content_hash: str
    source_id: str
    fetched_at: datetime | None

    @classmethod
    def of(cls, article: Article) -> _ArticleRow:
        fetched = article.fetched_at
        if fetched is not None and fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=UTC)
        return cls(
            article.article_id,
            article.canonical_url or article.url,
            article.content_hash,
            article.source_id,
            fetched,
        )


@dataclass
class _Loaded:
    """The readable objects of one interval."""

    ingest: dict[StoreKey, Any] = field(default_factory=dict)
    articles: dict[StoreKey, list[_ArticleRow]] = field(default_factory=dict)
    event_ids: list[str] | None = None
    events_manifest: Any = None
    unreadable: set[str] = field(default_factory=set)


@dataclass
class _FirstSeen:
    """Where each article and event was first met, oldest interval first."""

    urls: dict[str, StoreKey] = field(default_factory=dict)
    hashes: dict[tuple[str, str], StoreKey] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)


# -- the audit -----------------------------------------------------------------------------


def audit_store(
    store: ObjectStore,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    now: datetime | None = None,
) -> AuditReport:
    """Run every check over the intervals that start in ``[start, end)``.

    ``now`` decides what is still pending (tests pass it); ``StoreUnreachable`` if
    the store cannot be listed or stops answering."""
    now = now or datetime.now(UTC)
    checks = {name: CheckResult(name, unit) for name, unit in CHECKS}
    intervals = _list_intervals(store, start, end)
    seen = _FirstSeen()
    versions: Counter[str] = Counter()
    for listed in intervals:
        loaded = _load(store, listed, checks["objects_readable"])
        if (written_by := _extractor_of(loaded.events_manifest)) is not None:
            versions[written_by] += 1
        _check_ingest_manifests(loaded, checks["ingest_manifests"])
        _check_ingest_articles(listed, loaded, checks["ingest_articles"])
        _check_unique_articles(loaded, seen, checks["unique_articles"])
        _check_unique_events(listed, loaded, seen, checks["unique_events"])
        _check_events_manifest(listed, loaded, checks["events_manifests"])
        _check_events_written(listed, loaded, now, checks["events_written"])
    return AuditReport(
        store.describe(), start, end, len(intervals), list(checks.values()), dict(versions)
    )


def _extractor_of(document: Any) -> str | None:
    """``<name> <version>`` of an events manifest's extractor (older manifests: none)."""
    extractor = document.get("extractor") if isinstance(document, dict) else None
    if not isinstance(extractor, dict):
        return None
    return f"{extractor.get('name')} {extractor.get('version')}"


def _list_intervals(
    store: ObjectStore, start: datetime | None, end: datetime | None
) -> list[_IntervalKeys]:
    try:
        ingest = keys.manifests_between(store, INGEST_DAG_ID, start, end)
        events_manifests = keys.manifests_between(store, EVENTS_DAG_ID, start, end)
        articles = keys.list_keys_between(store, "articles", start, end)
        events = keys.list_keys_between(store, "events", start, end)
        fused = keys.list_keys_between(store, "events_fused", start, end)
    except (OSError, *_client_errors(), *_connection_errors()) as error:
        raise StoreUnreachable(f"cannot list {store.describe()}: {error}") from error
    by_slug: dict[str, _IntervalKeys] = {}

    def slot(key: StoreKey) -> _IntervalKeys:
        return by_slug.setdefault(key.slug, _IntervalKeys(key.interval))

    for key in ingest:
        slot(key).ingest.append(key)
    for key in articles:
        slot(key).articles.append(key)
    for key in events:
        slot(key).events = key
    for key in fused:
        slot(key).fused = key
    for key in events_manifests:
        slot(key).events_manifest = key
    return sorted(by_slug.values(), key=lambda found: (found.interval.start, found.interval.end))


def _load(store: ObjectStore, listed: _IntervalKeys, readable: CheckResult) -> _Loaded:
    loaded = _Loaded()

    def read(key: StoreKey, reader: Callable[[ObjectStore, str], T]) -> T | None:
        readable.intervals.add(key.slug)
        readable.items += 1
        try:
            return reader(store, key.key)
        except _connection_errors() as error:
            raise StoreUnreachable(f"{store.describe()} stopped answering: {error}") from error
        except Exception as error:  # any object that cannot be read is this check's finding
            loaded.unreadable.add(key.key)
            readable.add(key.key, "", f"cannot be read ({type(error).__name__}: {error})"[:300])
            return None

    for key in listed.ingest:
        if (document := read(key, read_json)) is not None:
            loaded.ingest[key] = document
    for key in listed.articles:
        if (rows := read(key, _read_article_rows)) is not None:
            loaded.articles[key] = rows
    if listed.events is not None:
        loaded.event_ids = read(listed.events, _read_event_ids)
    if listed.fused is not None:
        read(listed.fused, read_parquet)
    if listed.events_manifest is not None:
        loaded.events_manifest = read(listed.events_manifest, read_json)
    return loaded


def _read_article_rows(store: ObjectStore, key: str) -> list[_ArticleRow]:
    return [_ArticleRow.of(article) for article in read_articles(store, key)]


def _read_event_ids(store: ObjectStore, key: str) -> list[str]:
    return [str(row["event_id"]) for row in read_parquet(store, key)]


def _client_errors() -> tuple[type[Exception], ...]:
    """S3 answers that refuse a whole listing (no such bucket, access denied)."""
    try:
        from botocore.exceptions import ClientError
    except ImportError:  # an install without boto3 only has local stores
        return ()
    return (ClientError,)


def _connection_errors() -> tuple[type[Exception], ...]:
    """Errors that mean the store cannot be reached, not that one object is bad."""
    try:
        from botocore.exceptions import BotoCoreError
    except ImportError:
        return ()
    return (BotoCoreError,)


# -- ingest --------------------------------------------------------------------------------


def _check_ingest_manifests(loaded: _Loaded, result: CheckResult) -> None:
    for key, document in loaded.ingest.items():
        result.intervals.add(key.slug)
        outcomes = document.get("outcomes") if isinstance(document, dict) else None
        if not isinstance(outcomes, list) or not all(isinstance(o, dict) for o in outcomes):
            result.add(key.key, "", "not an ingest manifest (no list of outcomes)")
            continue
        result.items += len({outcome.get("url") for outcome in outcomes})
        _check_names(key, document, result)
        _check_outcomes(key, outcomes, result)
        _check_counts(key, document, outcomes, result)


def _check_names(key: StoreKey, document: dict[str, Any], result: CheckResult) -> None:
    """The manifest is about the source and interval its key says."""
    if document.get("source_id") != key.source_id:
        said = document.get("source_id")
        result.add(key.key, "source_id", f"is {said!r}, but the key is of {key.source_id!r}")
    bounds = document.get("interval") or {}
    try:
        slug = Interval(
            datetime.fromisoformat(bounds["start"]), datetime.fromisoformat(bounds["end"])
        ).slug
    except (KeyError, TypeError, ValueError):
        slug = None
    if slug != key.slug:
        result.add(key.key, "interval", f"is {bounds!r}, not the key's interval {key.slug}")


def _check_outcomes(key: StoreKey, outcomes: list[dict[str, Any]], result: CheckResult) -> None:
    from defence_news.fetch.manifest import OUTCOMES

    per_url: dict[str, int] = {}
    for outcome in outcomes:
        url, kind = str(outcome.get("url")), outcome.get("outcome")
        per_url[url] = per_url.get(url, 0) + 1
        if kind not in OUTCOMES:
            result.add(key.key, url, f"has an unknown outcome {kind!r}")
        elif kind in ("skipped", "failed") and not outcome.get("reason"):
            result.add(key.key, url, f"is {kind} without a reason")
        elif kind == "article" and not outcome.get("article_id"):
            result.add(key.key, url, "is an article outcome without an article_id")
    for url, count in per_url.items():
        if count > 1:
            result.add(key.key, url, f"has {count} outcomes in one run (one expected)")


def _check_counts(
    key: StoreKey, document: dict[str, Any], outcomes: list[dict[str, Any]], result: CheckResult
) -> None:
    """The stored counts add up, and are the counts of the stored outcomes."""
    from defence_news.fetch.manifest import OUTCOMES, RunManifest

    stored = document.get("counts") if isinstance(document.get("counts"), dict) else {}
    recount = RunManifest(
        key.source_id or "",
        key.interval,
        [UrlOutcome(str(o.get("url")), o.get("outcome")) for o in outcomes],  # type: ignore[arg-type]
    ).counts()
    said = {name: _as_int(stored.get(name)) for name in (*OUTCOMES, "discovered")}
    if sum(said[name] for name in OUTCOMES) != said["discovered"]:
        total = sum(said[name] for name in OUTCOMES)
        result.add(
            key.key, "counts", f"by outcome add up to {total}, not {said['discovered']} discovered"
        )
    for name in OUTCOMES:
        if said[name] != recount[name]:
            message = f"says {said[name]}, but {recount[name]} outcomes are {name!r}"
            result.add(key.key, f"counts.{name}", message)
    gap = said["discovered"] - recount["discovered"]
    if gap > 0:
        result.add(key.key, "counts.discovered", f"{gap} discovered URL(s) have no outcome")
    elif gap < 0:
        result.add(key.key, "counts.discovered", f"{-gap} URL(s) with an outcome not counted")


def _as_int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _article_outcomes(document: Any) -> dict[str, str]:
    """article_id -> URL of a manifest's article outcomes."""
    outcomes = document.get("outcomes") if isinstance(document, dict) else None
    return {
        str(o["article_id"]): str(o.get("url"))
        for o in outcomes or ()
        if isinstance(o, dict) and o.get("outcome") == "article" and o.get("article_id")
    }


def _check_ingest_articles(listed: _IntervalKeys, loaded: _Loaded, result: CheckResult) -> None:
    objects = {key.source_id: key for key in listed.articles}
    with_manifest = {key.source_id for key in listed.ingest}
    for stored in listed.articles:
        if stored.source_id not in with_manifest:
            result.intervals.add(stored.slug)
            result.add(stored.key, "", "articles object without an ingest manifest")
    for manifest in listed.ingest:
        stored = objects.get(manifest.source_id)
        if manifest.key in loaded.unreadable or (stored and stored.key in loaded.unreadable):
            continue  # objects_readable reported it; nothing to compare with
        result.intervals.add(manifest.slug)
        expected = _article_outcomes(loaded.ingest[manifest])
        rows = {row.article_id for row in loaded.articles[stored]} if stored else set()
        result.items += len(rows | expected.keys())
        where = (
            stored.key if stored else keys.articles_key(str(manifest.source_id), manifest.interval)
        )
        for article_id in sorted(expected.keys() - rows):
            message = f"article outcome of {expected[article_id]} has no row in {where}"
            result.add(manifest.key, article_id, message)
        for article_id in sorted(rows - expected.keys()):
            result.add(where, article_id, f"row has no article outcome in {manifest.key}")


# -- uniqueness across intervals -----------------------------------------------------------


def _check_unique_articles(loaded: _Loaded, seen: _FirstSeen, result: CheckResult) -> None:
    for key, rows in loaded.articles.items():
        result.intervals.add(key.slug)
        for row in rows:
            result.items += 1
            first = seen.urls.setdefault(row.canonical_url, key)
            if first.slug != key.slug:
                message = f"article {row.article_id} is stored in {first.key} too"
                result.add(key.key, row.canonical_url, message)
            if not row.content_hash:
                continue
            first = seen.hashes.setdefault((row.source_id, row.content_hash), key)
            if first.slug != key.slug:
                message = f"article {row.article_id} has the text of an article in {first.key}"
                result.add(key.key, f"content_hash {row.content_hash}", message)


def _check_unique_events(
    listed: _IntervalKeys, loaded: _Loaded, seen: _FirstSeen, result: CheckResult
) -> None:
    if listed.events is None or loaded.event_ids is None:
        return
    key = listed.events.key
    result.intervals.add(listed.events.slug)
    mine: set[str] = set()
    for event_id in loaded.event_ids:
        result.items += 1
        first = seen.events.setdefault(event_id, key)
        if event_id in mine:
            result.add(key, event_id, "is stored twice in this object")
        elif first != key:
            result.add(key, event_id, f"is stored in {first} too")
        mine.add(event_id)


# -- events --------------------------------------------------------------------------------


def _check_events_manifest(listed: _IntervalKeys, loaded: _Loaded, result: CheckResult) -> None:
    manifest, document = listed.events_manifest, loaded.events_manifest
    if manifest is None or document is None:
        return  # missing: events_written says so; unreadable: objects_readable did
    result.intervals.add(manifest.slug)
    named, listed_ids = _events_manifest_parts(document)
    if named is None or listed_ids is None:
        result.add(manifest.key, "", "not an events manifest (article_keys, articles)")
        return
    if document.get("interval") != manifest.slug:
        result.add(manifest.key, "interval", f"is {document.get('interval')!r}, not the key's")
    result.items += len(named) + len(listed_ids)
    gone_at_extraction = set(document.get("missing_keys") or ())
    present = {key.key: key for key in listed.articles}
    for name in named:
        parsed = keys.parse_key(name)
        if parsed is None or parsed.kind != "articles" or parsed.slug != manifest.slug:
            result.add(manifest.key, name, "is not an articles object of this interval")
        elif name not in present and name not in gone_at_extraction:
            result.add(manifest.key, name, "names an articles object that does not exist")
    read = [present[name] for name in named if name in present]
    if len(read) < len(set(named) - gone_at_extraction) or any(
        key.key in loaded.unreadable for key in read
    ):
        return  # what the missing or unreadable objects held is unknown (reported above)
    held = {row.article_id for key in read for row in loaded.articles.get(key, [])}
    for article_id in sorted(set(listed_ids) - held):
        result.add(manifest.key, article_id, "lists an article none of its articles objects holds")


def _events_manifest_parts(document: Any) -> tuple[list[str] | None, list[str] | None]:
    if not isinstance(document, dict):
        return None, None
    named, listed = document.get("article_keys"), document.get("articles")
    return (
        [str(key) for key in named] if isinstance(named, list) else None,
        [str(article_id) for article_id in listed] if isinstance(listed, dict) else None,
    )


def _check_events_written(
    listed: _IntervalKeys, loaded: _Loaded, now: datetime, result: CheckResult
) -> None:
    if not listed.articles:
        return  # nothing to extract from: the events run is not owed anything
    result.intervals.add(listed.interval.slug)
    result.items += 1
    rows = [row for key in listed.articles for row in loaded.articles.get(key, [])]
    fetched = max((row.fetched_at for row in rows if row.fetched_at), default=None)
    severity = _severity(fetched or listed.interval.end, now)
    expected = (
        ("events", listed.events, keys.events_key(listed.interval)),
        ("fused events", listed.fused, keys.fused_events_key(listed.interval)),
        (
            "events manifest",
            listed.events_manifest,
            keys.manifest_key(EVENTS_DAG_ID, listed.interval),
        ),
    )
    missing = [(what, key) for what, found, key in expected if found is None]
    for what, key in missing:
        message = (
            f"{what} not written for an interval with {len(listed.articles)} articles object(s)"
        )
        result.add(key, "", f"{message}{_fetched_text(fetched)}", severity)
    if missing or listed.events_manifest is None:
        return
    _check_articles_extracted(listed, loaded, now, result)


def _check_articles_extracted(
    listed: _IntervalKeys, loaded: _Loaded, now: datetime, result: CheckResult
) -> None:
    """Every stored article of the interval has its line in the events manifest."""
    manifest = listed.events_manifest
    _, listed_ids = _events_manifest_parts(loaded.events_manifest)
    if manifest is None or listed_ids is None:
        return  # unreadable or not a manifest: reported by the checks that read it
    extracted = set(listed_ids)
    for key in listed.articles:
        for row in loaded.articles.get(key, []):
            if row.article_id not in extracted:
                message = f"not extracted: {manifest.key} does not list it"
                message += _fetched_text(row.fetched_at)
                severity = _severity(row.fetched_at or listed.interval.end, now)
                result.add(key.key, row.article_id, message, severity)


def _severity(moment: datetime, now: datetime) -> Severity:
    return "pending" if now - moment < PENDING_GRACE else "error"


def _fetched_text(moment: datetime | None) -> str:
    return f" (fetched {moment.isoformat(timespec='seconds')})" if moment else ""


# -- the command ---------------------------------------------------------------------------


def add_audit_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check the store: manifests add up, nothing stored twice, events written",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--from",
        dest="start",
        metavar="ISO",
        type=parse_moment,
        default=None,
        help="first interval start to audit (ISO 8601, UTC unless it says otherwise)",
    )
    parser.add_argument(
        "--to",
        dest="end",
        metavar="ISO",
        type=parse_moment,
        default=None,
        help="audit intervals that start before this (ISO 8601)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        default=None,
        help="local store folder (default: the configured store, DEFENCE_NEWS_STORE...)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run_audit)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date or time, e.g. 2026-11-29 or 2026-11-29T04:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_audit(args: argparse.Namespace) -> int:
    if args.start and args.end and args.end <= args.start:
        return _usage_error("--to must be later than --from")
    try:
        store = _open_store(args.store)
        report = audit_store(store, args.start, args.end)
    except (StoreUnreachable, ValueError) as error:  # ValueError: the store settings
        return _usage_error(str(error))
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.table())
    return report.exit_code


def _open_store(root: Path | None) -> ObjectStore:
    from defence_news.settings import open_store

    store = LocalStore(root) if root is not None else open_store()
    # An empty audit of a mistyped folder would look clean: say there is no store.
    if isinstance(store, LocalStore) and not store.root.is_dir():
        raise StoreUnreachable(f"no store folder at {store.root}")
    return store


def _usage_error(message: str) -> int:
    print(f"defence_news audit: error: {message}", file=sys.stderr)
    return 2
