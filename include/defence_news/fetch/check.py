"""Check registry entries against the live sites, before the first scheduled run.

For each source, through the same polite client a run uses: its robots.txt, each
feed and sitemap (for an index, its newest child too) and one article, the newest
one the entry's include/exclude lets through, parsed as the pipeline would. Each
step becomes a ``Finding``: what works (items found, the newest item's date, the
robots verdict, the article's title and word count) or what does not, with a hint
for the operator. Nothing is written anywhere: no store, no seen index.

    python -m defence_news sources check [--source ID ...]

A machine without internet gets, for every source, "no network or wrong host"
and the command ends normally with exit code 1.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from defence_news.fetch.client import FetchResult, PoliteClient, origin_url
from defence_news.fetch.discovery import DiscoveredItem, Discovery, parse_discovery_document
from defence_news.fetch.guard import GuardPolicy, Resolver, system_resolver
from defence_news.fetch.settings import FetchSettings
from defence_news.sources import Source

log = logging.getLogger(__name__)

NETWORK_HINT = "no network or wrong host"
# Reasons that mean no connection was made at all: this machine is offline, a
# firewall is in the way, or the host name in the entry is wrong.
NETWORK_REASONS = frozenset({"dns_error", "connect_timeout", "connection_error"})
HINTS = {
    "dns_error": f"{NETWORK_HINT}: the host name does not resolve",
    "connect_timeout": f"{NETWORK_HINT}: no answer to the connection (or a firewall drops it)",
    "connection_error": f"{NETWORK_HINT}: no connection could be made",
    "connection_refused": "nothing listens there: a wrong port, or the site is down",
    "connection_reset": "the site dropped the connection: often a bot filter; check the user "
    "agent (DEFENCE_NEWS_FETCH_USER_AGENT)",
    "read_timeout": "the site stopped answering mid-way: overloaded or filtering; try later",
    "total_timeout": "too slow: the answer did not complete within "
    "DEFENCE_NEWS_FETCH_TOTAL_TIMEOUT",
    "tls_error": "TLS failed: an expired or self-signed certificate, or an intercepting proxy "
    "(DEFENCE_NEWS_FETCH_CA_BUNDLE trusts a private CA)",
    "blocked_address": "the host resolves to a private or loopback address: set allow_private: "
    "true in the entry only if it is your own intranet site",
    "robots_disallowed": "robots.txt forbids this URL to our user agent: take it out of the "
    "entry, or ask the site",
    "robots_unreachable": "robots.txt answers with a server error, and RFC 9309 says crawl "
    "nothing then: try later",
    "crawl_delay_too_long": "robots.txt asks a longer crawl delay than "
    "DEFENCE_NEWS_FETCH_MAX_CRAWL_DELAY allows",
    "too_large": "larger than the size cap (DEFENCE_NEWS_FETCH_MAX_FEED_BYTES for feeds, "
    "DEFENCE_NEWS_FETCH_MAX_BYTES for pages)",
    "too_many_redirects": "redirects go on and on: put the address they end at in the entry",
    "redirect_loop": "the redirects go round in a loop: the site is misconfigured",
    "bad_redirect": "a redirect points at a malformed address: the site is misconfigured",
    "invalid_url": "the URL is malformed: fix it in the entry",
    "bad_encoding": "the body's compression could not be decoded",
    "binary_body": "not a web page (binary content)",
    # Discovery and parsing problems (keys of ``_document_problem``, parse reasons).
    "html_page": "the address serves a web page, not a feed: the feed has moved or the URL is "
    "the site's page; look for the feed on the homepage",
    "not_a_feed": "not a feed or sitemap: check the address",
    "malformed": "the document is malformed: a site problem; what could be read is counted",
    "no_items": "the feed lists nothing: the outlet may have stopped publishing it",
    "none_wanted": "no listed URL passes the entry's include/exclude: check its regexes "
    "against the URLs the feed lists",
    "no_article": "no feed or sitemap listed an article to try",
    "not_article": "the page is not read as an article: check include/exclude, or give "
    "parse_rules (body_selector) in the entry",
}
STATUS_HINTS = {
    401: "blocked, check user agent / robots: the site wants a login",
    403: "blocked, check user agent / robots: the site refuses our crawler "
    "(DEFENCE_NEWS_FETCH_USER_AGENT) or this address",
    404: "not found: the address has moved; look for the new one on the homepage",
    410: "gone: the site removed this address; look for a new one on the homepage",
    429: "rate limited: set a larger crawl_delay in the entry",
    451: "unavailable for legal reasons from here",
}
KIND_NAMES = {
    "rss": "RSS feed",
    "rdf": "RSS 1.0 feed",
    "feed": "Atom feed",
    "atom": "Atom feed",
    "urlset": "sitemap",
    "sitemapindex": "sitemap index",
}


def hint_for(reason: str | None) -> str | None:
    """What an operator can do about a failure ``reason`` (None when nothing useful)."""
    if not reason:
        return None
    if reason in HINTS:
        return HINTS[reason]
    if reason.startswith("http_") and reason[5:].isdigit():
        status = int(reason[5:])
        if status in STATUS_HINTS:
            return STATUS_HINTS[status]
        if status >= 500:
            return "the site has a server error: try later; if it lasts, the address may be dead"
        return "the site refuses the request"
    if reason.startswith("content_type:"):
        return f"not a web page: the address serves {reason.split(':', 1)[1]}"
    if reason.startswith("not_article"):
        return HINTS["not_article"]
    return None


@dataclass(frozen=True)
class Finding:
    """One step of a source's check: a document fetched and read, or why not."""

    step: str  # "robots.txt", "feed", "sitemap", "article"
    url: str
    ok: bool
    summary: str
    reason: str | None = None  # the fetch reason or problem key, when not ok
    hint: str | None = None


@dataclass(frozen=True)
class SourceCheck:
    source_id: str
    name: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(finding.ok for finding in self.findings)

    @property
    def unreachable(self) -> bool:
        """No connection made at all: no network, or a wrong host in the entry."""
        fetched = [f for f in self.findings if f.reason != "no_article"]
        return bool(fetched) and all(f.reason in NETWORK_REASONS for f in fetched)

    def render(self) -> str:
        if self.ok:
            verdict = "ok"
        elif self.unreachable:
            verdict = f"UNREACHABLE ({NETWORK_HINT})"
        else:
            problems = sum(1 for finding in self.findings if not finding.ok)
            verdict = f"{problems} problem{'s' if problems > 1 else ''}"
        lines = [f"{self.source_id} ({self.name}): {verdict}"]
        hinted: set[str] = set()
        for finding in self.findings:
            mark = "ok  " if finding.ok else "FAIL"
            lines.append(f"  {mark} {finding.step:<10} {finding.url}")
            lines.append(f"       {finding.summary}")
            if finding.hint and finding.hint not in hinted:  # once is enough
                lines.append(f"       hint: {finding.hint}")
                hinted.add(finding.hint)
        return "\n".join(lines)


def check_source(
    source: Source, settings: FetchSettings, *, resolver: Resolver | None = None
) -> SourceCheck:
    """Robots, feeds and sitemaps, and one article of ``source`` (module docstring)."""
    policy = GuardPolicy(
        allow_private=settings.allow_private,
        private_origins=source.origins if source.allow_private else frozenset(),
        resolver=resolver or system_resolver,
    )
    with PoliteClient(settings, policy=policy, min_delay=source.crawl_delay) as client:
        findings = [_robots_finding(client, source, origin) for origin in _origins(source)]
        items: list[DiscoveredItem] = []
        for url in source.discovery_urls:
            step = "sitemap" if url in source.sitemaps else "feed"
            finding, listed = _document_finding(client, source, url, step)
            findings.append(finding)
            items += listed
        findings.append(_article_finding(client, source, items))
    return SourceCheck(source.id, source.name, tuple(findings))


def check_sources(
    sources: Iterable[Source], settings: FetchSettings, *, resolver: Resolver | None = None
) -> Iterator[SourceCheck]:
    """Each source's check, in the given order, several at once. Sources on one host are
    checked one after the other, so that the host sees one polite crawler, not several."""
    chosen = list(sources)
    by_host: dict[str, list[Source]] = {}
    for source in chosen:
        by_host.setdefault(origin_url(source.homepage), []).append(source)
    if not chosen:
        return
    workers = min(settings.max_workers, len(by_host))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sources-check") as pool:
        futures: dict[str, Future[list[SourceCheck]]] = {
            host: pool.submit(_check_in_turn, group, settings, resolver)
            for host, group in by_host.items()
        }
        for source in chosen:
            checks = futures[origin_url(source.homepage)].result()
            yield next(check for check in checks if check.source_id == source.id)


def _check_in_turn(
    sources: list[Source], settings: FetchSettings, resolver: Resolver | None
) -> list[SourceCheck]:
    return [_checked(source, settings, resolver) for source in sources]


def _checked(source: Source, settings: FetchSettings, resolver: Resolver | None) -> SourceCheck:
    try:
        return check_source(source, settings, resolver=resolver)
    except Exception as error:  # a bug met on one source must not hide the others' results
        log.exception("checking source %s failed", source.id)
        finding = Finding(
            "check", source.homepage, False, f"internal error {error!r}"[:300], "internal_error"
        )
        return SourceCheck(source.id, source.name, (finding,))


def _origins(source: Source) -> list[str]:
    """Origins of the homepage and of every feed and sitemap, each once, in entry order."""
    return list(dict.fromkeys(origin_url(url) for url in (source.homepage, *source.discovery_urls)))


# -- the steps ------------------------------------------------------------------------


def _robots_finding(client: PoliteClient, source: Source, origin: str) -> Finding:
    url = origin + "/robots.txt"
    rules = client.robots_for(url)
    agent = client.settings.user_agent
    if rules.status == "unreachable":
        reason = rules.network_reason or "robots_unreachable"
        summary = f"{reason}: {rules.detail}" if rules.detail else reason
        return Finding("robots.txt", url, False, summary, reason, hint_for(reason))
    mine = [u for u in (source.homepage, *source.discovery_urls) if origin_url(u) == origin]
    forbidden = [u for u in mine if not rules.allows(agent, u)]
    read = "read" if rules.status == "parsed" else "none (4xx): everything may be crawled"
    summary = f"{read}; allows {len(mine) - len(forbidden)} of the entry's {len(mine)} URLs here"
    if forbidden:
        summary += "; forbids " + ", ".join(forbidden)
    delay = rules.crawl_delay(agent)
    too_slow = delay is not None and delay > client.settings.max_crawl_delay
    if delay is not None:
        summary += f"; crawl-delay {delay:g}s"
    if forbidden or too_slow:
        reason = "robots_disallowed" if forbidden else "crawl_delay_too_long"
        return Finding("robots.txt", url, False, summary, reason, hint_for(reason))
    return Finding("robots.txt", url, True, summary)


def _document_finding(
    client: PoliteClient, source: Source, url: str, step: str
) -> tuple[Finding, list[DiscoveredItem]]:
    """A feed or sitemap: what it lists (for an index, what its newest child lists)."""
    result = client.fetch(url, kind="feed")
    if not result.ok:
        return _fetch_failure(step, url, result), []
    settings = client.settings
    discovery = parse_discovery_document(result.body, result.final_url, settings.max_feed_items)
    problem = _document_problem(discovery)
    if problem in ("html_page", "not_a_feed"):
        summary = discovery.problem or "not a feed or sitemap"
        return Finding(step, url, False, summary, problem, hint_for(problem)), []
    what = KIND_NAMES.get(discovery.kind, discovery.kind)
    if discovery.children:
        return _index_finding(client, source, url, step, discovery)
    summary = f"{what}, {_items_summary(source, discovery.items)}"
    if discovery.problem:
        summary += f" ({discovery.problem})"
    return _listing_finding(source, url, step, summary, discovery.items)


def _index_finding(
    client: PoliteClient, source: Source, url: str, step: str, index: Discovery
) -> tuple[Finding, list[DiscoveredItem]]:
    """A sitemap index: its newest child sitemap read, as a run reads it first."""
    count = len(index.children)
    newest = max(index.children, key=lambda child: _sort_time(child[1]))[0]
    summary = f"sitemap index of {count} sitemap{'s' if count > 1 else ''}; the newest, {newest}"
    result = client.fetch(newest, kind="feed")
    if not result.ok:
        failure = _fetch_failure(step, url, result)
        return Finding(
            step, url, False, f"{summary}: {failure.summary}", failure.reason, failure.hint
        ), []
    child = parse_discovery_document(result.body, result.final_url, client.settings.max_feed_items)
    problem = _document_problem(child)
    if problem in ("html_page", "not_a_feed"):
        summary += f": {child.problem}"
        return Finding(step, url, False, summary, problem, hint_for(problem)), []
    summary += f", lists {_items_summary(source, child.items)}"
    if child.problem:
        summary += f" ({child.problem})"
    return _listing_finding(source, url, step, summary, child.items)


def _listing_finding(
    source: Source, url: str, step: str, summary: str, items: list[DiscoveredItem]
) -> tuple[Finding, list[DiscoveredItem]]:
    if not items:
        return Finding(step, url, False, summary, "no_items", hint_for("no_items")), []
    if not _wanted(source, items):
        return Finding(step, url, False, summary, "none_wanted", hint_for("none_wanted")), []
    return Finding(step, url, True, summary), items


def _document_problem(discovery: Discovery) -> str | None:
    if discovery.kind != "unknown":
        return "malformed" if discovery.problem else None
    if discovery.problem and "HTML page" in discovery.problem:
        return "html_page"
    return "not_a_feed"


def _items_summary(source: Source, items: list[DiscoveredItem]) -> str:
    wanted = _wanted(source, items)
    dates = [item.published_at for item in items if item.published_at is not None]
    newest = f", newest {_when(max(dates))}" if dates else ", no dates given"
    return f"{len(items)} items ({len(wanted)} pass include/exclude){newest}"


def _article_finding(client: PoliteClient, source: Source, items: list[DiscoveredItem]) -> Finding:
    """The newest article the entry wants, fetched and parsed as a run would."""
    wanted = _wanted(source, items)
    if not wanted:
        return Finding("article", "-", False, "none tried", "no_article", hint_for("no_article"))
    item = max(wanted, key=lambda candidate: _sort_time(candidate.published_at))
    result = client.fetch(item.url, kind="page")
    if not result.ok:
        return _fetch_failure("article", item.url, result)
    parsed = _parse(source, item, result)
    if parsed.article is None:
        reason = parsed.reason or "not_article"
        summary = f"{reason}: {parsed.detail}" if parsed.detail else reason
        return Finding("article", item.url, False, summary, reason, hint_for(reason))
    article = parsed.article
    published = _when(article.published_at) if article.published_at else "no date found"
    summary = f'"{article.title}" ({article.word_count} words, published {published})'
    return Finding("article", item.url, True, summary)


def _parse(source: Source, item: DiscoveredItem, result: FetchResult) -> Any:
    from defence_news.fetch.charset import decode_body
    from defence_news.parse import parse_article

    html, _encoding = decode_body(result.body, result.content_type)
    return parse_article(
        html,
        result.final_url,
        source_id=source.id,
        publisher=source.publisher,
        rules=source.parse_rules,
        fetched_at=result.fetched_at,
        feed_published_at=item.published_at,
        languages=(source.language,),
    )


def _fetch_failure(step: str, url: str, result: FetchResult) -> Finding:
    reason = result.reason or "unknown"
    summary = f"{reason}: {result.detail}" if result.detail else reason
    return Finding(step, url, False, summary, reason, hint_for(reason))


def _wanted(source: Source, items: list[DiscoveredItem]) -> list[DiscoveredItem]:
    return [item for item in items if source.wants(item.url) is None]


def _sort_time(moment: datetime | None) -> datetime:
    return moment if moment is not None else datetime.min.replace(tzinfo=UTC)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# -- the command ------------------------------------------------------------------------


@dataclass
class CheckSummary:
    checked: list[SourceCheck] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [check.source_id for check in self.checked if not check.ok]

    def render(self) -> str:
        total, failed = len(self.checked), self.failed
        line = f"{total} source{'s' if total != 1 else ''} checked: {total - len(failed)} ok"
        if failed:
            line += f", {len(failed)} with problems ({', '.join(failed)})"
        if self.checked and all(check.unreachable for check in self.checked):
            line += (
                f"\nNo source could be reached: {NETWORK_HINT}. Is this machine offline "
                "(or does it need a proxy, HTTPS_PROXY)?"
            )
        return line


def add_sources_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="the source registry: check entries against the live sites",
        description="The source registry (include/defence_news/sources.yaml and "
        "DEFENCE_NEWS_REGISTRY).",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "check",
        help="fetch each source's robots.txt, feeds, sitemaps and one article; say what works",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--source",
        action="append",
        default=[],
        help="registry id, or seed (repeatable; default: every enabled source)",
    )
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Exit code 0 when every source checked is ok, 1 when any has a problem."""
    from defence_news.pipeline import select_sources
    from defence_news.settings import SourceSelection
    from defence_news.sources import load_registry

    settings = FetchSettings.from_env()
    registry = load_registry()  # read first: a bad file is one line and exit 2
    selection = SourceSelection.from_env()
    names = tuple(args.source) or ("registry",)
    sources = select_sources(SourceSelection(names=names, seed_url=selection.seed_url))
    print(f"registry: {registry.describe()}", flush=True)
    summary = CheckSummary()
    for check in check_sources(sources, settings):
        summary.checked.append(check)
        print(check.render() + "\n", flush=True)
    print(summary.render())
    return 1 if summary.failed else 0
