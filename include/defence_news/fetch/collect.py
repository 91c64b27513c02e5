"""One source, one interval: discover, filter, fetch politely, archive, remember.

``collect_source`` is what the ingest task calls for each source. It never
raises for network or content problems: every discovered URL ends with a
page (for the parse stage) or an outcome with a reason, and problems with
the source itself (a feed that is down, malformed, refused) are listed in
``source_errors``.

Which discovered URLs are fetched (DESIGN.md: rerunning an interval replaces
its objects):

- a URL first fetched by this same interval is fetched again in full, so a
  rerun reproduces the interval's pages (the seen index lists them even when
  the feed has moved on);
- a URL never seen is fetched (up to the cap), unless published after the
  interval's end (the run of that later interval will take it);
- a URL seen in another interval is re-checked with a conditional GET if it
  was published within this interval, otherwise skipped as ``already_seen``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from defence_news.fetch.canonical import canonicalize_url, declared_canonical, is_http_url, url_key
from defence_news.fetch.charset import decode_body
from defence_news.fetch.client import FetchResult, PoliteClient, origin_url
from defence_news.fetch.discovery import DiscoveredItem, parse_discovery_document
from defence_news.fetch.guard import GuardPolicy, Resolver, system_resolver
from defence_news.fetch.settings import FetchSettings
from defence_news.fetch.state import SourceState, load_state, save_state
from defence_news.fetch.warc import WarcArchive
from defence_news.interval import Interval
from defence_news.models import UrlOutcome
from defence_news.sources import Source
from defence_news.store import keys
from defence_news.store.base import ObjectStore

log = logging.getLogger(__name__)

Mode = Literal["new", "rerun", "recheck"]
# Answers that say the URL is gone for good: remembered, so it is not asked again.
PERMANENT_STATUSES = frozenset({404, 410})
OWNED_BY_INTERVAL = "seen-index"  # found_in marker for URLs re-added on a rerun


@dataclass(frozen=True)
class FetchedPage:
    url: str  # canonical URL as discovered
    final_url: str  # after redirects
    status_code: int
    headers: Mapping[str, str]
    html: str
    encoding: str
    fetched_at: datetime
    feed_published_at: datetime | None
    feed_title: str | None
    canonical_url: str | None = None  # the page's own <link rel=canonical>, if on the same site
    source_id: str = ""
    content_hash: str = ""  # sha256 of the body bytes


@dataclass
class Collection:
    source_id: str
    pages: list[FetchedPage] = field(default_factory=list)
    outcomes: list[UrlOutcome] = field(default_factory=list)
    source_errors: list[str] = field(default_factory=list)
    raw_key: str | None = None
    discovered: int = 0  # distinct URLs: len(pages) + len(outcomes)
    warc_records: int = 0
    # What a cap left for later runs beyond URLs (which get "deferred" outcomes): child
    # sitemaps of an index not read this run.
    deferred_sitemaps: int = 0
    notes: list[str] = field(default_factory=list)
    # Feeds and sitemaps read (or unchanged) and those unreachable or unusable: a source
    # none of whose documents could be read has failed as a whole.
    documents_read: int = 0
    documents_failed: int = 0
    # The seen index and validators after this run, saved by ``commit_state`` once the
    # records they vouch for are written (a failed write must be retried, not forgotten).
    state: SourceState | None = None


@dataclass(frozen=True)
class _Candidate:
    url: str
    key: str
    item: DiscoveredItem
    mode: Mode


def collect_source(
    source: Source,
    interval: Interval,
    store: ObjectStore,
    *,
    settings: FetchSettings | None = None,
    limit: int | None = None,
    resolver: Resolver | None = None,
    commit: bool = True,
) -> Collection:
    """Discover, fetch and archive one source's new pages for ``interval`` (module docstring).

    With ``commit=False`` the source's state is not saved: the caller saves it with
    ``commit_state`` after writing what the pages become (``pipeline.ingest_source``)."""
    settings = settings or FetchSettings.from_env()
    now = datetime.now(UTC)
    started = time.monotonic()
    state = load_state(store, source.id)
    collection = Collection(source_id=source.id)
    if state.problem:
        collection.source_errors.append(state.problem)
    archive = WarcArchive(
        f"{source.id}-{interval.slug}.warc.gz",
        {
            "isPartOf": f"defence-news source={source.id} interval={interval.slug}",
            "robots": "obey",
            "http-header-user-agent": settings.user_agent,
        },
    )
    policy = GuardPolicy(
        allow_private=settings.allow_private,
        private_origins=source.origins if source.allow_private else frozenset(),
        resolver=resolver or system_resolver,
    )
    client = PoliteClient(
        settings,
        policy=policy,
        min_delay=source.crawl_delay,
        on_exchange=archive.add,
        robots_cache=state.robots,
    )
    with client:
        feeds = _FeedReader(client, state, collection, settings)
        for url in source.discovery_urls:
            feeds.read_listed(url, "sitemap" if url in source.sitemaps else "feed")
        feeds.read_robots_sitemaps(source)
        items = feeds.items + _owned_by_interval(state, interval)
        candidates = _plan(
            source,
            interval,
            state,
            items,
            feeds.overflow,
            collection,
            now,
            limit,
            robots=client.known_refusal,
        )
        deadline = started + settings.source_budget
        _fetch_pages(client, source, interval, state, candidates, collection, now, deadline)
        state.robots = client.robots_records()
    collection.discovered = len(collection.pages) + len(collection.outcomes)
    if archive.records:
        collection.raw_key = keys.raw_key(source.id, interval)
        store.put(collection.raw_key, archive.to_bytes(), content_type="application/warc")
        collection.warc_records = archive.records
    state.prune(now, settings.seen_retention_days)
    collection.state = state
    if commit:
        commit_state(store, collection)
    return collection


def collection_failure(collection: Collection) -> str | None:
    """Why the source failed as a whole this run, or None: none of its feeds and sitemaps
    could be read, or it fetched pages and every one failed. Some failed pages are a
    partial success, reported in the manifest but not a failure of the source."""
    if collection.documents_failed and not collection.documents_read:
        first = collection.source_errors[0] if collection.source_errors else "unknown"
        return f"none of {collection.documents_failed} feeds or sitemaps could be read ({first})"
    failed = [o for o in collection.outcomes if o.outcome == "failed"]
    fetched = len(collection.pages) + sum(
        1 for o in collection.outcomes if o.outcome == "not_modified"
    )
    if failed and not fetched:
        reasons = Counter(o.reason or "unknown" for o in failed).most_common(2)
        why = ", ".join(f"{reason} x{count}" for reason, count in reasons)
        return f"every page fetch failed ({len(failed)}: {why})"
    return None


def commit_state(store: ObjectStore, collection: Collection) -> None:
    """Save the seen index and validators of a collection, once its records are written."""
    if collection.state is not None:
        save_state(store, collection.source_id, collection.state)


# -- discovery --------------------------------------------------------------------------


@dataclass
class _FeedReader:
    """Reads a source's feeds and sitemaps: the items within the caps, and those past the
    per-document cap (``overflow``), which the planner carries over to a later run."""

    client: PoliteClient
    state: SourceState
    collection: Collection
    settings: FetchSettings
    items: list[DiscoveredItem] = field(default_factory=list)
    overflow: list[DiscoveredItem] = field(default_factory=list)

    def read_listed(self, url: str, label: str) -> None:
        try:
            self._read(url, label, depth=0)
        except Exception as error:  # a bug on one feed must not lose the others
            log.exception("unexpected error reading %s", url)
            self.collection.source_errors.append(f"{label} {url}: internal error {error!r}"[:500])
            self.collection.documents_failed += 1

    def read_robots_sitemaps(self, source: Source) -> None:
        """The sitemaps the robots.txt of the source's homepage lists and the registry does
        not, read like the children of an index (``max_child_sitemaps`` a run, the others
        in later runs): sites list whole archives there, too many to read every hour."""
        robots_url = origin_url(source.homepage) + "/robots.txt"
        try:
            declared = {url_key(url) for url in source.discovery_urls if is_http_url(url)}
            listed = self.client.robots_sitemaps(source.homepage)
            extra = [(url, None) for url in listed if url_key(url) not in declared]
            if not extra:
                self.state.feeds.pop(robots_url, None)
                return
            entry = self.state.feeds.setdefault(robots_url, {})
            entry["children"] = [url for url, _ in extra]
            self._read_children(robots_url, extra, entry, depth=-1)  # its sitemaps: depth 0
        except Exception as error:  # a bug here must not lose what the feeds found
            log.exception("unexpected error reading the sitemaps of %s", robots_url)
            self.collection.source_errors.append(
                f"robots.txt {robots_url} sitemaps: internal error {error!r}"[:500]
            )

    def _read(self, url: str, label: str, depth: int) -> None:
        """Items of one feed or sitemap (and of the child sitemaps of an index)."""
        remembered = self.state.feeds.get(url) or {}
        result = self.client.fetch(url, kind="feed", validators=remembered)
        if result.not_modified:
            # Unchanged since the last run. An index is unchanged while its children are
            # not: the news sitemap it points to changes every hour, so read them again.
            self.collection.documents_read += 1
            listed = [(child, None) for child in remembered.get("children", [])]
            self._read_children(url, listed, remembered, depth)
            return
        if not result.ok:
            verb = "not fetched" if result.outcome == "skipped" else "unreachable"
            self.collection.source_errors.append(f"{label} {url} {verb}: {_describe(result)}")
            self.collection.documents_failed += 1
            return
        discovery = parse_discovery_document(
            result.body, result.final_url, self.settings.max_feed_items
        )
        if discovery.kind == "unknown":
            self.collection.documents_failed += 1
        else:
            self.collection.documents_read += 1
        if discovery.problem:
            self.collection.source_errors.append(f"{label} {url}: {discovery.problem}")
        # Faults that lose nothing (a wrong declared encoding, an entry without a link).
        self.collection.notes += [f"{label} {url}: {note}" for note in discovery.notes]
        entry: dict[str, Any] = dict(_validators(result.headers))
        if discovery.children:
            entry["children"] = [child for child, _lastmod in discovery.children]
            entry["children_read"] = remembered.get("children_read") or {}
        if discovery.kind != "unknown" and not discovery.problem:
            self.state.feeds[url] = entry
        if discovery.problem is None and not discovery.items and not discovery.children:
            self.collection.source_errors.append(f"{label} {url}: lists no items")
        self.items += discovery.items
        self.overflow += discovery.overflow
        self._read_children(url, discovery.children, entry, depth)

    def _read_children(
        self,
        index_url: str,
        listed: list[tuple[str, datetime | None]],
        entry: dict[str, Any],
        depth: int,
    ) -> None:
        if not listed:
            return
        if depth > 0:  # an index of indexes is not followed further
            self.collection.notes.append(f"sitemap index {index_url} inside an index: not read")
            return
        chosen = _children_to_read(listed, entry, self.settings.max_child_sitemaps)
        left = len(listed) - len(chosen)
        if left:
            self.collection.deferred_sitemaps += left
            self.collection.notes.append(
                f"sitemap index {index_url}: {left} of {len(listed)} child sitemaps left for "
                f"later runs (cap {self.settings.max_child_sitemaps} per run)"
            )
        read_at = dict(entry.get("children_read") or {})
        now = datetime.now(UTC).isoformat()
        for child_url in chosen:
            self._read(child_url, "sitemap", depth + 1)
            read_at[child_url] = now
        if index_url in self.state.feeds:
            listed_now = {child for child, _ in listed}
            self.state.feeds[index_url]["children_read"] = {
                url: when for url, when in read_at.items() if url in listed_now
            }


def _children_to_read(
    listed: list[tuple[str, datetime | None]], entry: dict[str, Any], cap: int
) -> list[str]:
    """The child sitemaps of an index to read this run: those never read or changed since
    (newest first), then the longest unread; over runs every child is read."""
    read_at = {url: _aware(when) for url, when in (entry.get("children_read") or {}).items()}
    never = datetime.min.replace(tzinfo=UTC)

    def priority(child: tuple[str, datetime | None]) -> tuple[bool, datetime, float]:
        url, lastmod = child
        last_read = read_at.get(url)
        fresh = last_read is None or (lastmod is not None and _aware(lastmod) > last_read)
        newest_first = -_aware(lastmod or never).timestamp() if lastmod else 0.0
        return (not fresh, never if fresh else last_read or never, newest_first)

    return [url for url, _ in sorted(listed, key=priority)[:cap]]


def _aware(moment: datetime | str) -> datetime:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _owned_by_interval(state: SourceState, interval: Interval) -> list[DiscoveredItem]:
    return [
        DiscoveredItem(url=entry["url"], found_in=OWNED_BY_INTERVAL)
        for entry in state.urls.values()
        if entry.get("first_interval") == interval.slug
        and not entry.get("gone")
        and not entry.get("alias")
    ]


# -- planning ---------------------------------------------------------------------------


def _plan(
    source: Source,
    interval: Interval,
    state: SourceState,
    items: list[DiscoveredItem],
    overflow: list[DiscoveredItem],
    collection: Collection,
    now: datetime,
    limit: int | None,
    *,
    robots: Callable[[str], str | None],
) -> list[_Candidate]:
    """What to fetch this run, each other URL given its outcome. ``robots`` says why
    robots.txt forbids a URL (None if it does not, or is not read yet): such a URL is
    ``skipped: robots_disallowed`` here, before it can take a place under the cap."""
    # The backlog is rebuilt from this run's cap decisions; URLs that left it otherwise
    # (fetched, excluded, gone) drop out of it here.
    backlog, state.pending = state.pending, {}
    pending = [
        DiscoveredItem(
            url=entry["url"],
            published_at=_parse(entry.get("published_at")),
            title=entry.get("title"),
            found_in="pending",
        )
        for entry in backlog.values()
    ]
    # Items past a feed's cap come last: listed in the feed or the backlog too, they are
    # planned as such; otherwise a new one waits in the backlog for a later run.
    past_feed_cap = set(overflow)
    candidates: list[_Candidate] = []
    for key, (url, item) in _distinct(items + pending + overflow).items():
        decision = _decide(source, interval, state, key, url, item)
        if not isinstance(decision, UrlOutcome) and (refusal := robots(url)) is not None:
            decision = UrlOutcome(url, "skipped", "robots_disallowed", refusal)
        if isinstance(decision, UrlOutcome):
            collection.outcomes.append(decision)
            if decision.reason == "after_interval" and state.seen(key) is None:
                # Its own interval's run must take it even if the feed is unchanged by
                # then (a 304 lists nothing): a backfill walks the archive this way.
                _keep_for_later(_Candidate(url, key, item, "new"), state, backlog, now)
        elif decision == "new" and item in past_feed_cap:
            _defer(_Candidate(url, key, item, decision), state, backlog, collection, now, "cap")
        else:
            candidates.append(_Candidate(url, key, item, decision))
    cap = limit or source.max_per_run
    return _apply_cap(candidates, state, backlog, collection, now, cap)


def _distinct(items: list[DiscoveredItem]) -> dict[str, tuple[str, DiscoveredItem]]:
    """One entry per url_key; the first listing wins, a later one may add a missing date."""
    distinct: dict[str, tuple[str, DiscoveredItem]] = {}
    for item in items:
        try:
            url = canonicalize_url(item.url) if is_http_url(item.url) else None
            key = url_key(url) if url else None
        except Exception:  # one malformed URL ("http://host:99999/x") is one outcome
            url = key = None
        if url is None or key is None:
            distinct.setdefault("invalid:" + item.url, (item.url, item))
            continue
        if key not in distinct:
            distinct[key] = (url, item)
        elif distinct[key][1].published_at is None and item.published_at is not None:
            distinct[key] = (distinct[key][0], item)
    return distinct


def _decide(
    source: Source,
    interval: Interval,
    state: SourceState,
    key: str,
    url: str,
    item: DiscoveredItem,
) -> Mode | UrlOutcome:
    if key.startswith("invalid:"):
        reason = "invalid_url" if url.lower().startswith(("http:", "https:")) else "not_http"
        return UrlOutcome(url, "skipped", reason, f"listed in {item.found_in}")
    unwanted = source.wants(url)
    if unwanted:
        return UrlOutcome(url, "skipped", unwanted, "URL does not match the source's rules")
    entry = state.seen(key)
    published = item.published_at
    if entry and entry.get("first_interval") == interval.slug and not entry.get("gone"):
        return "rerun"
    if published is not None and published >= interval.end:
        return UrlOutcome(url, "skipped", "after_interval", f"published {published.isoformat()}")
    if entry is None:
        return "new"
    if entry.get("gone"):
        return UrlOutcome(
            url, "skipped", "gone", f"answered 404/410 on {entry.get('last_fetched')}"
        )
    if published is not None and interval.contains(published):
        return "recheck"
    return UrlOutcome(url, "skipped", "already_seen", f"first seen {entry.get('first_seen')}")


def _apply_cap(
    candidates: list[_Candidate],
    state: SourceState,
    backlog: dict[str, dict[str, Any]],
    collection: Collection,
    now: datetime,
    cap: int,
) -> list[_Candidate]:
    # Reruns first (they reproduce the interval), then newest first.
    oldest = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(
        candidates,
        key=lambda c: (c.mode == "rerun", c.item.published_at or oldest),
        reverse=True,
    )
    for candidate in ordered[cap:]:
        _defer(candidate, state, backlog, collection, now, "cap", f"over the cap of {cap} per run")
    return ordered[:cap]


def _defer(
    candidate: _Candidate,
    state: SourceState,
    backlog: dict[str, dict[str, Any]],
    collection: Collection,
    now: datetime,
    why: Literal["cap", "budget"],
    detail: str | None = None,
) -> None:
    """Left for a later run by a cap or the time budget: recorded, and a new URL kept in
    the backlog (a rerun's or recheck's URL is found again by its own interval's run)."""
    if detail is None:
        detail = "past the cap of items read per feed" if why == "cap" else "time budget spent"
    collection.outcomes.append(UrlOutcome(candidate.url, "deferred", why, detail))
    if candidate.mode == "new":
        _keep_for_later(candidate, state, backlog, now)


def _keep_for_later(
    candidate: _Candidate, state: SourceState, backlog: dict[str, dict[str, Any]], now: datetime
) -> None:
    """A new URL into the backlog, planned again by every run until one takes it."""
    published = candidate.item.published_at
    state.pending[candidate.key] = {
        "url": candidate.url,
        "published_at": published.isoformat() if published else None,
        "title": candidate.item.title,
        "discovered": backlog.get(candidate.key, {}).get("discovered", now.isoformat()),
    }


# -- fetching ---------------------------------------------------------------------------


def _fetch_pages(
    client: PoliteClient,
    source: Source,
    interval: Interval,
    state: SourceState,
    candidates: list[_Candidate],
    collection: Collection,
    now: datetime,
    deadline: float,
) -> None:
    if not candidates:
        return
    record = _Recorder(source, interval, state, collection, set(), now)
    workers = max(1, min(client.settings.max_workers, len(candidates)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"fetch-{source.id}") as pool:
        futures = [pool.submit(_fetch_before, client, c, state, deadline) for c in candidates]
        # Results are recorded in plan order, not completion order, so that when two URLs
        # turn out to be one article, the same one is kept on every rerun.
        for candidate, future in zip(candidates, futures, strict=True):
            try:
                result = future.result()
                if result is None:
                    _defer(candidate, state, state.pending, collection, now, "budget")
                else:
                    record.result(candidate, result)
            except Exception as error:  # a bug on one page must not lose the others
                log.exception("unexpected error on %s", candidate.url)
                collection.outcomes.append(
                    UrlOutcome(candidate.url, "failed", "internal_error", repr(error)[:300])
                )


def _fetch_before(
    client: PoliteClient, candidate: _Candidate, state: SourceState, deadline: float
) -> FetchResult | None:
    """The page, or None when the source's time budget is spent before its turn: a
    source of slow pages stops early and leaves the rest for the next run."""
    if time.monotonic() >= deadline:
        return None
    return client.fetch(candidate.url, "page", _validators_for(state, candidate))


def _validators_for(state: SourceState, candidate: _Candidate) -> dict[str, str] | None:
    return state.validators(candidate.key) if candidate.mode == "recheck" else None


@dataclass
class _Recorder:
    """Turns one fetch result into a page or an outcome, and updates the seen index."""

    source: Source
    interval: Interval
    state: SourceState
    collection: Collection
    fetched_keys: set[str]
    now: datetime

    def result(self, candidate: _Candidate, result: FetchResult) -> None:
        if result.ok:
            self._page(candidate, result)
        elif result.not_modified:
            self._remember(candidate, result, None)
            self._outcome(candidate, "not_modified", "http_304", "conditional GET: unchanged", 304)
        else:
            if result.status_code in PERMANENT_STATUSES:
                self._remember(candidate, result, None)
                self.state.urls[candidate.key]["gone"] = True
            kind = "skipped" if result.outcome == "skipped" else "failed"
            self._outcome(
                candidate, kind, result.reason or "unknown", result.detail, result.status_code
            )

    def _page(self, candidate: _Candidate, result: FetchResult) -> None:
        digest = hashlib.sha256(result.body).hexdigest()
        previous = (self.state.seen(candidate.key) or {}).get("content_hash")
        if candidate.mode == "recheck" and previous == digest:
            self._remember(candidate, result, digest)
            self._outcome(candidate, "not_modified", "unchanged_content", "same body hash", 200)
            return
        html, encoding = decode_body(result.body, result.content_type)
        canonical = declared_canonical(html, result.final_url)
        duplicate = self._duplicate_of(candidate, canonical)
        if duplicate:
            self._outcome(
                candidate, "skipped", "duplicate", f"rel=canonical {canonical} already fetched", 200
            )
            return
        self._remember(candidate, result, digest)
        if canonical and url_key(canonical) != candidate.key:
            self._remember_alias(url_key(canonical), canonical)
        self.collection.pages.append(
            FetchedPage(
                url=candidate.url,
                final_url=result.final_url,
                status_code=result.status_code or 200,
                headers=dict(result.headers),
                html=html,
                encoding=encoding,
                fetched_at=result.fetched_at,
                feed_published_at=candidate.item.published_at,
                feed_title=candidate.item.title,
                canonical_url=canonical,
                source_id=self.source.id,
                content_hash=digest,
            )
        )

    def _duplicate_of(self, candidate: _Candidate, canonical: str | None) -> bool:
        self.fetched_keys.add(candidate.key)
        if canonical is None or url_key(canonical) == candidate.key:
            return False
        canonical_key = url_key(canonical)
        if canonical_key in self.fetched_keys:
            return True
        entry = self.state.seen(canonical_key)
        return entry is not None and entry.get("first_interval") != self.interval.slug

    def _remember_alias(self, key: str, url: str) -> None:
        """The page's declared canonical URL counts as seen too, so discovering it later
        does not fetch the same article again."""
        self.fetched_keys.add(key)
        if self.state.seen(key) is None:
            self.state.remember(key, url=url, interval_slug=self.interval.slug, now=self.now)
            self.state.urls[key]["alias"] = True

    def _remember(self, candidate: _Candidate, result: FetchResult, digest: str | None) -> None:
        self.state.remember(
            candidate.key,
            url=candidate.url,
            interval_slug=self.interval.slug,
            now=self.now,
            headers=dict(result.headers) if result.headers else None,
            content_hash=digest,
        )

    def _outcome(
        self, candidate: _Candidate, kind: str, reason: str, detail: str | None, status: int | None
    ) -> None:
        self.collection.outcomes.append(
            UrlOutcome(candidate.url, kind, reason, detail, status)  # type: ignore[arg-type]
        )


# -- helpers ----------------------------------------------------------------------------


def _validators(headers: Mapping[str, str]) -> dict[str, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    return {
        name: lowered[header]
        for name, header in (("etag", "etag"), ("last_modified", "last-modified"))
        if lowered.get(header)
    }


def _describe(result: FetchResult) -> str:
    if result.reason == "dns_error":
        return "name resolution failed"
    return f"{result.reason} ({result.detail})" if result.detail else str(result.reason)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
