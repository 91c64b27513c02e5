"""The two stages the DAGs run, as plain functions over an ObjectStore.

``ingest_source``: discover -> fetch -> archive raw -> parse -> write articles
and the source's run manifest. ``extract_interval``: read articles -> link
near-duplicates -> extract events -> fuse -> write events and a manifest.
Both return small JSON-able reports (what goes into XCom and asset metadata).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from defence_news.contracts import EventsReport, IngestReport
from defence_news.interval import Interval
from defence_news.models import Article, Event, UrlOutcome
from defence_news.settings import SettingsError, SourceSelection
from defence_news.store import ObjectNotFound, ObjectStore, keys
from defence_news.store.records import (
    read_articles,
    write_articles,
    write_json,
    write_parquet,
)

log = logging.getLogger(__name__)

INGEST_DAG_ID = "defence_news_ingest"
EVENTS_DAG_ID = "defence_news_events"


def select_sources(selection: SourceSelection | None = None) -> list[Any]:
    """The sources a run covers (see ``SourceSelection``); unknown ids are an error."""
    from defence_news.sources import load_sources, seed_source

    selection = selection or SourceSelection.from_env()
    registry = {source.id: source for source in load_sources()}
    chosen: dict[str, Any] = {}
    for name in selection.names:
        if name == "registry":
            chosen.update({sid: s for sid, s in registry.items() if s.enabled})
        elif name == "seed":
            chosen["seed"] = seed_source(selection.seed_url)
        elif name in registry:
            chosen[name] = registry[name]
        else:
            known = ", ".join(sorted(registry)) or "none"
            raise SettingsError(
                f"DEFENCE_NEWS_SOURCES (or the sources Param) names an unknown source "
                f"{name!r}; known: seed, registry, {known}"
            )
    return list(chosen.values())


def ingest_source(
    source: Any,  # defence_news.sources.Source
    interval: Interval,
    store: ObjectStore,
    *,
    fetch_settings: Any = None,
    limit: int | None = None,
) -> IngestReport:
    """Collect one source's new articles for ``interval`` and write them.

    Order matters: articles, then the manifest, then the source's seen index. A write
    that fails leaves the index as it was, so the next run fetches those URLs again
    instead of skipping them as already seen. The source's lease is held from reading
    the index to saving it, so that two intervals ingested at once (a backfill beside
    the schedule) cannot both claim the same new URLs (fetch/lease.py)."""
    from defence_news.fetch.lease import source_lease
    from defence_news.fetch.settings import FetchSettings

    settings = fetch_settings or FetchSettings.from_env()
    with source_lease(store, source.id, interval, wait=settings.lease_wait, ttl=settings.lease_ttl):
        return _ingest_source(source, interval, store, settings, limit)


def _ingest_source(
    source: Any, interval: Interval, store: ObjectStore, settings: Any, limit: int | None
) -> IngestReport:
    from defence_news.fetch import collect_source, collection_failure, commit_state
    from defence_news.fetch.manifest import RunManifest

    collection = collect_source(
        source, interval, store, settings=settings, limit=limit, commit=False
    )
    for problem in collection.source_errors:
        log.warning("source %s: %s", source.id, problem)
    articles, parse_outcomes = _parse_pages(source, collection.pages)
    articles_key = keys.articles_key(source.id, interval)
    if articles:
        write_articles(store, articles_key, articles)
    else:
        # A rerun that now finds nothing must not leave an older run's rows behind.
        store.delete(articles_key)
    manifest = RunManifest(
        source_id=source.id,
        interval=interval,
        outcomes=[*collection.outcomes, *parse_outcomes],
        source_errors=list(collection.source_errors),
        deferred_sitemaps=collection.deferred_sitemaps,
        notes=list(collection.notes),
        failure=collection_failure(collection),
    )
    manifest.check()
    manifest_key = keys.manifest_key(INGEST_DAG_ID, interval, source.id)
    store.put(manifest_key, manifest.to_json(), content_type="application/json")
    commit_state(store, collection)
    log.info("source %s, interval %s:\n%s", source.id, interval.slug, manifest.table())
    return IngestReport(
        source_id=source.id,
        interval=interval.slug,
        interval_start=interval.start.isoformat(),
        interval_end=interval.end.isoformat(),
        articles_key=articles_key if articles else None,
        raw_key=collection.raw_key,
        manifest_key=manifest_key,
        counts=manifest.counts(),
        source_errors=list(collection.source_errors),
        notes=list(collection.notes),
        failure=manifest.failure,
    )


def _parse_pages(source: Any, pages: list[Any]) -> tuple[list[Article], list[UrlOutcome]]:
    from defence_news.parse import link_near_duplicates

    articles: list[Article] = []
    outcomes: list[UrlOutcome] = []
    for page in pages:
        article, outcome = _parse_page(source, page)
        outcomes.append(outcome)
        if article is not None:
            articles.append(article)
    return link_near_duplicates(articles), outcomes


def _parse_page(source: Any, page: Any) -> tuple[Article | None, UrlOutcome]:
    from defence_news.parse import parse_article

    try:
        result = parse_article(
            page.html,
            page.final_url,
            source_id=source.id,
            publisher=source.publisher,
            rules=source.parse_rules,
            fetched_at=page.fetched_at,
            feed_published_at=page.feed_published_at,
            languages=(source.language,),
        )
    except Exception as error:  # one page the parser cannot handle must not lose the others
        log.exception("parse failed for %s", page.url)
        reason = f"parse_error:{type(error).__name__}"
        return None, UrlOutcome(page.url, "failed", reason=reason, detail=str(error)[:300])
    if result.article is None:
        return None, UrlOutcome(page.url, "skipped", reason=result.reason, detail=result.detail)
    outcome = UrlOutcome(
        page.url, "article", status_code=page.status_code, article_id=result.article.article_id
    )
    return result.article, outcome


def extract_interval(
    article_keys: list[str], interval: Interval, store: ObjectStore
) -> EventsReport:
    """Extract and fuse the events of every article written for ``interval``."""
    from defence_news.extract import current_extractor, fuse_events
    from defence_news.extract.schema import EVENT_ARROW_SCHEMA, FUSED_EVENT_ARROW_SCHEMA
    from defence_news.parse import link_near_duplicates

    loaded, missing = _read_unique_articles(store, article_keys)
    articles = link_near_duplicates(loaded)
    events: list[Event] = []
    per_article: dict[str, dict[str, Any]] = {}
    for article in articles:
        article_events, per_article[article.article_id] = _extract_article(article)
        events.extend(article_events)
    fused = fuse_events(events)
    events_key, fused_key = keys.events_key(interval), keys.fused_events_key(interval)
    write_parquet(store, events_key, [e.to_dict() for e in events], EVENT_ARROW_SCHEMA)
    write_parquet(store, fused_key, [f.to_dict() for f in fused], FUSED_EVENT_ARROW_SCHEMA)
    manifest_key = keys.manifest_key(EVENTS_DAG_ID, interval)
    manifest = {
        "interval": interval.slug,
        # Which extractor wrote these events: re-extraction with a newer one shows here.
        "extractor": dataclasses.asdict(current_extractor()),
        "article_keys": article_keys,
        "missing_keys": missing,
        "articles": per_article,
    }
    write_json(store, manifest_key, manifest)
    return EventsReport(
        interval=interval.slug,
        article_count=len(articles),
        event_count=len(events),
        fused_count=len(fused),
        events_key=events_key,
        fused_key=fused_key,
        manifest_key=manifest_key,
        skipped=_count_reasons(per_article.values()),
    )


def _extract_article(article: Article) -> tuple[list[Event], dict[str, Any]]:
    """One article's events and its line in the events manifest."""
    from defence_news.extract import extract_events

    if article.duplicate_of:
        # Syndicated copies would count the same happening twice.
        return [], {"skipped": "near_duplicate", "duplicate_of": article.duplicate_of}
    try:
        result = extract_events(article)
    except Exception as error:  # one article the extractor cannot handle must not lose the rest
        log.exception("event extraction failed for article %s", article.article_id)
        return [], {"failed": f"extract_error:{type(error).__name__}", "detail": str(error)[:300]}
    return result.events, {"events": len(result.events), "reason": result.reason}


def _count_reasons(lines: Iterable[dict[str, Any]]) -> dict[str, int]:
    reasons = Counter(
        line.get("skipped") or line.get("failed") or line.get("reason") for line in lines
    )
    reasons.pop(None, None)
    return dict(reasons)


def _read_unique_articles(
    store: ObjectStore, article_keys: list[str]
) -> tuple[list[Article], list[str]]:
    """Articles of all keys, each once; keys whose object is gone are returned apart."""
    by_id: dict[str, Article] = {}
    missing: list[str] = []
    for key in article_keys:
        try:
            batch = read_articles(store, key)
        except ObjectNotFound:
            log.warning("articles object %s is gone (replaced by a later rerun?)", key)
            missing.append(key)
            continue
        for article in batch:
            by_id.setdefault(article.article_id, article)
    return list(by_id.values()), missing
