"""The only place the library meets Airflow: stores from connections, intervals
from task context, batches from asset events (the DAGs' callbacks: ``callbacks``).

Airflow is imported inside functions so that importing this module (as DAG
files do at parse time) stays cheap and works without Airflow installed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from defence_news.contracts import (
    ArticleBatch,
    ArticlesAnnouncement,
    EventsAnnouncement,
    IngestReport,
    SourceHealth,
)
from defence_news.interval import Interval
from defence_news.settings import StoreSettings

log = logging.getLogger(__name__)


def open_store(settings: StoreSettings | None = None):  # -> ObjectStore
    """The configured store; for S3 the client comes from the Airflow ``aws`` connection.

    The connection's extra may carry ``endpoint_url`` (MinIO or any
    S3-compatible store) and ``region_name``; credentials never live in code.
    """
    from defence_news import settings as library_settings
    from defence_news.store import S3Store

    settings = settings or StoreSettings.from_env()
    if settings.kind == "local":
        return library_settings.open_store(settings)
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    client = S3Hook(aws_conn_id=settings.aws_conn_id).get_conn()
    assert settings.bucket is not None  # checked in StoreSettings.from_env
    return S3Store(client, settings.bucket, settings.prefix)


def log_peak_memory(task: str) -> int:
    """Log (and return) this task process's peak resident memory in MB: the figure an
    operator sizes workers by, and the one ``make bench-scale`` reads from task logs."""
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
    log.info("task %s: peak RSS %d MB", task, peak_mb)
    return peak_mb


def interval_from_context(context: Mapping[str, Any]) -> Interval:
    """The run's data interval; Params ``interval_start``/``interval_end`` override it.

    A manual run of an interval timetable may have an empty interval; it then
    covers the hour that ends at the run's logical date (or now).
    """
    params = context.get("params") or {}
    if params.get("interval_start") and params.get("interval_end"):
        return Interval(_aware(params["interval_start"]), _aware(params["interval_end"]))
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and end > start:
        return Interval(_aware(start), _aware(end))
    moment = end or context.get("logical_date") or datetime.now(UTC)
    return Interval.hour_ending(_aware(moment))


def _aware(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SourceFailed(RuntimeError):
    """A source failed as a whole (nothing could be read or fetched): its task fails,
    after its manifest is written, so the Airflow grid shows it red."""


def batches_from_asset_events(events: Iterable[Any]) -> list[dict[str, Any]]:
    """Article batches (interval + article keys) carried in articles-asset events' extra.

    Several queued ingest runs can trigger one events run; each keeps its own
    interval so the events land under the interval their articles came from. An extra
    that is not an articles announcement (a manual asset event) is skipped with a log.
    """
    merged: dict[tuple[str, str], set[str]] = {}
    for event in events:
        extra = getattr(event, "extra", None) or {}
        try:
            batch = ArticleBatch.from_extra(extra)
        except ValueError as error:
            log.warning("articles asset event without a batch skipped: %s", error)
            continue
        slot = merged.setdefault((batch.interval_start, batch.interval_end), set())
        slot.update(batch.article_keys)
    return [
        ArticleBatch(start, end, sorted(keys)).to_extra()
        for (start, end), keys in sorted(merged.items())
    ]


def batch_for_interval(store: Any, interval: Interval) -> dict[str, Any]:
    """All article objects the store holds for one interval (manual runs, backfills)."""
    from defence_news.store.keys import article_keys_for

    found = article_keys_for(store, interval)
    return ArticleBatch(interval.start.isoformat(), interval.end.isoformat(), found).to_extra()


def source_ids_for_run(context: Mapping[str, Any]) -> list[str]:
    """Source ids from the run's Params, else from DEFENCE_NEWS_SOURCES."""
    from defence_news.pipeline import select_sources
    from defence_news.settings import SourceSelection

    selection = SourceSelection.from_env()
    requested = (context.get("params") or {}).get("sources") or []
    if requested:
        selection = SourceSelection(names=tuple(requested), seed_url=selection.seed_url)
    return [source.id for source in select_sources(selection)]


def run_ingest(source_id: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """One mapped ingest task: a source's report, with the interval it covered."""
    import tempfile

    from defence_news.pipeline import ingest_source, select_sources
    from defence_news.settings import SourceSelection
    from defence_news.store import LocalStore

    selection = SourceSelection.from_env()
    (source,) = select_sources(SourceSelection(names=(source_id,), seed_url=selection.seed_url))
    params = context.get("params") or {}
    interval = interval_from_context(context)
    if params.get("dry_run"):
        with tempfile.TemporaryDirectory(prefix="defence-news-dry-run-") as folder:
            report = ingest_source(source, interval, LocalStore(folder), limit=params.get("limit"))
        report = replace(report, articles_key=None, dry_run=True)
    else:
        report = ingest_source(source, interval, open_store(), limit=params.get("limit"))
    log_peak_memory(f"ingest[{source_id}]")
    if report.failure:
        # Written and recorded first (manifest, seen index); then red in the grid, retried.
        raise SourceFailed(f"source {source_id}: {report.failure}")
    return report.to_extra()


def publish_ingest(
    reports: list[dict[str, Any] | None], source_ids: list[str], context: Mapping[str, Any]
) -> dict[str, Any]:
    """The articles asset event's extra: interval, article keys and per-source health.

    ``source_ids`` are the sources the run planned: one whose task failed has no report,
    and its health is read from the manifest it wrote before failing."""
    done = [IngestReport.from_extra(report) for report in reports if report]
    interval = interval_from_context(context)
    sources = {
        report.source_id: SourceHealth(
            report.article_count, report.counts, report.source_errors, report.failure
        )
        for report in done
    }
    failed = sorted(set(source_ids) - set(sources))
    for source_id in failed:
        sources[source_id] = _health_of_failed(source_id, interval)
    announcement = ArticlesAnnouncement(
        interval_start=done[0].interval_start if done else interval.start.isoformat(),
        interval_end=done[0].interval_end if done else interval.end.isoformat(),
        article_keys=sorted(r.articles_key for r in done if r.articles_key),
        article_count=sum(r.article_count for r in done),
        sources=sources,
        sources_failed=failed,
    )
    summary = announcement.to_extra()
    log.info("ingest summary:\n%s", format_ingest_summary(summary))
    return summary


def xcom_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What ``publish_articles`` hands on through XCom: counts and the failed sources'
    names only. The per-source health goes with the asset event; XCom stays small (a few
    hundred bytes) however many sources a run has."""
    return {
        "interval_start": summary["interval_start"],
        "interval_end": summary["interval_end"],
        "article_count": summary["article_count"],
        "sources": len(summary.get("sources") or {}),
        "sources_failed": list(summary.get("sources_failed") or []),
        "sources_with_errors": len(summary.get("sources_with_errors") or []),
    }


def require_every_source(summary: Mapping[str, Any]) -> None:
    """Raise ``SourceFailed`` naming the sources a summary lists as failed."""
    failed = list(summary.get("sources_failed") or [])
    if failed:
        raise SourceFailed(f"{len(failed)} source(s) failed this run: {', '.join(failed)}")


def _health_of_failed(source_id: str, interval: Interval) -> SourceHealth:
    """A failed source's health from the manifest its task wrote before failing."""
    from defence_news.pipeline import INGEST_DAG_ID
    from defence_news.store import keys
    from defence_news.store.records import read_json

    try:
        manifest = read_json(open_store(), keys.manifest_key(INGEST_DAG_ID, interval, source_id))
    except Exception as error:  # no manifest: the task failed before writing one
        return SourceHealth(0, {}, [f"task failed before writing its manifest ({error!r})"[:300]])
    errors = list(manifest.get("source_errors") or [])
    failure = manifest.get("failure") or "task failed: see its log"
    return SourceHealth(0, dict(manifest.get("counts") or {}), errors, failure)


def format_ingest_summary(summary: Mapping[str, Any]) -> str:
    lines = [f"{'source':<24} {'articles':>8}  problems"]
    for source_id, health in sorted(summary["sources"].items()):
        problems = "; ".join([health.get("failure") or "", *health["errors"]]).strip("; ")
        lines.append(f"{source_id:<24} {health['articles']:>8}  {problems or '-'}")
    lines.append(f"{'total':<24} {summary['article_count']:>8}")
    failed = summary.get("sources_failed") or []
    if failed:
        lines.append(f"{len(failed)} source task(s) failed: {', '.join(failed)}; see their logs")
    return "\n".join(lines)


def batches_for_run(context: Mapping[str, Any], articles_asset: Any) -> list[dict[str, Any]]:
    """What an events run processes: triggering events, else Params, else the latest event."""
    triggering = context.get("triggering_asset_events") or {}
    batches = batches_from_asset_events(event for events in triggering.values() for event in events)
    if batches:
        return batches
    params = context.get("params") or {}
    if params.get("interval_start") and params.get("interval_end"):
        return [batch_for_interval(open_store(), interval_from_context(context))]
    try:
        latest = context["inlet_events"][articles_asset][-1]
    except (KeyError, IndexError):
        return []
    return batches_from_asset_events([latest])


def run_events(context: Mapping[str, Any], articles_asset: Any) -> dict[str, Any]:
    """The events task: extract and fuse each batch; the events asset event's extra."""
    from defence_news.pipeline import extract_interval

    store = open_store()
    reports = []
    for extra in batches_for_run(context, articles_asset):
        batch = ArticleBatch.from_extra(extra)
        interval = Interval(_aware(batch.interval_start), _aware(batch.interval_end))
        reports.append(extract_interval(batch.article_keys, interval, store))
    if not reports:
        log.warning("no article batch to process: no articles asset event and no Params interval")
    summary = EventsAnnouncement(reports).to_extra()
    log.info(
        "events: %d from %d articles (%d fused)",
        summary["event_count"],
        summary["article_count"],
        summary["fused_count"],
    )
    log_peak_memory("extract_events")
    return summary


# -- history: the fuse and re-extract DAGs -------------------------------------------------


def fuse_day_from_context(context: Mapping[str, Any]) -> date:
    """The snapshot's day: Params ``day``, else the day the run is for (its logical
    date, or when it was due for an asset-triggered run), in UTC."""
    params = context.get("params") or {}
    if params.get("day"):
        return date.fromisoformat(str(params["day"]))
    run = context.get("dag_run")
    moment = context.get("logical_date") or getattr(run, "run_after", None)
    return _aware(moment).date() if moment else datetime.now(UTC).date()


def run_fuse(context: Mapping[str, Any]) -> dict[str, Any]:
    """The fuse task: write the day's snapshot; keys and counts for XCom and the asset."""
    from defence_news.history import DEFAULT_WINDOW_DAYS, fuse_window

    params = context.get("params") or {}
    window = int(params.get("window_days") or DEFAULT_WINDOW_DAYS)
    report = fuse_window(open_store(), fuse_day_from_context(context), window)
    log_peak_memory("fuse")
    return report.to_extra()


def reextract_days_from_params(context: Mapping[str, Any]) -> list[str]:
    """The days a re-extraction run covers (Params ``start``, ``end``: ISO dates)."""
    from defence_news.history import days_between

    params = context.get("params") or {}
    first, last = params.get("start"), params.get("end") or params.get("start")
    if not first:
        raise ValueError("Params: give start (and end) as ISO dates, e.g. 2026-11-01")
    return [str(day) for day in days_between(date.fromisoformat(first), date.fromisoformat(last))]


def run_reextract_day(day: str, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One mapped task: every interval of ``day`` extracted again."""
    from defence_news.history import reextract_day

    params = context.get("params") or {}
    reports = reextract_day(
        open_store(), date.fromisoformat(day), dry_run=bool(params.get("dry_run"))
    )
    for report in reports:
        log.info(
            "%s: %d articles, events %d -> %d (+%d -%d), extractor %s -> %s",
            report.interval,
            report.articles,
            report.events_before,
            report.events_after,
            report.added,
            report.removed,
            ", ".join(report.versions_before) or "none",
            ", ".join(report.versions_after) or "none",
        )
    log_peak_memory(f"reextract[{day}]")
    return [report.to_extra() for report in reports]


def summarise_reextract(per_day: Iterable[list[dict[str, Any]] | None]) -> dict[str, Any]:
    """The re-extraction's announcement: which intervals changed, with counts only."""
    from defence_news.contracts import ReextractReport

    reports = [ReextractReport.from_extra(r) for day in per_day for r in day or []]
    return {
        "reextracted": True,
        "dry_run": any(r.dry_run for r in reports),
        "intervals": len(reports),
        "changed_intervals": [r.interval for r in reports if r.changed],
        "events_keys": [r.events_key for r in reports if r.changed],
        "event_count": sum(r.events_after for r in reports),
        "extractor_versions": sorted({v for r in reports for v in r.versions_after}),
    }
