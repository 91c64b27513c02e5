"""The fetcher against a faulty server: each fault ends in a recorded outcome and the
run goes on (a healthy page listed in the same feed is still fetched)."""

from __future__ import annotations

import bisect
import dataclasses
import socket
import time
import tracemalloc
from datetime import timedelta

import pytest

from defence_news.fetch import Collection, FetchSettings, RunManifest, collect_source
from defence_news.interval import Interval
from defence_news.models import UrlOutcome
from defence_news.sources import Source
from defence_news.store import LocalStore
from tests.unit.fetch.faulty_server import (
    FaultyServer,
    conditional_route,
    drip_route,
    endless_route,
    gzip_bomb,
    gzip_route,
    header_drip_route,
    html_page,
    page_route,
    redirect_route,
    reset_route,
    send_response,
    sequence_route,
    silent_route,
    status_route,
    text_route,
)
from tests.unit.fetch.feed_builders import IN_INTERVAL, rss

MIB = 1024 * 1024


def make_source(server: FaultyServer, feeds: tuple[str, ...], **fields: object) -> Source:
    return Source(
        id="faulty",
        name="Faulty wire",
        publisher="Test",
        homepage=server.url("/"),
        feeds=feeds,
        **fields,  # type: ignore[arg-type]
    )


def collect_case(
    server: FaultyServer,
    store: LocalStore,
    settings: FetchSettings,
    interval: Interval,
    faulty_url: str,
    **source_fields: object,
) -> Collection:
    """A feed listing the faulty URL and a healthy one; collect it."""
    healthy = server.route("/healthy", page_route("Healthy report", "Ships sailed."))
    feed = rss([(faulty_url, IN_INTERVAL), (healthy, IN_INTERVAL)])
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml; charset=utf-8"))
    source = make_source(server, (feed_url,), **source_fields)
    return collect_source(source, interval, store, settings=settings)


def outcome_of(collection: Collection, url: str) -> UrlOutcome:
    matches = [outcome for outcome in collection.outcomes if outcome.url == url]
    assert len(matches) == 1, f"expected one outcome for {url}, got {collection.outcomes}"
    return matches[0]


def assert_run_continued(collection: Collection, server: FaultyServer, interval: Interval) -> None:
    assert [page.url for page in collection.pages] == [server.url("/healthy")]
    assert "Ships sailed." in collection.pages[0].html
    manifest = RunManifest(collection.source_id, interval, collection.outcomes, [])
    manifest.check()
    assert manifest.counts()["discovered"] == len(collection.outcomes)


def assert_run_continued_with_extra(collection: Collection, server: FaultyServer, url: str) -> None:
    """Both the recovered URL and the healthy one were fetched."""
    assert {page.url for page in collection.pages} == {url, server.url("/healthy")}


@pytest.mark.parametrize("status", [404, 410])
def test_gone_pages_fail_with_their_status(server, store, settings, interval, status):
    url = server.route(f"/gone-{status}", status_route(status))
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason, outcome.status_code) == (
        "failed",
        f"http_{status}",
        status,
    )
    assert server.log.count(f"/gone-{status}") == 1  # a 404 is an answer: never retried
    assert_run_continued(collection, server, interval)


def test_500_then_success_is_retried(server, store, settings, interval):
    url = server.route(
        "/flaky", sequence_route(status_route(500), page_route("Recovered", "Back online."))
    )
    collection = collect_case(server, store, settings, interval, url)
    fetched = {page.url: page for page in collection.pages}
    assert "Back online." in fetched[url].html
    assert server.log.count("/flaky") == 2
    assert collection.outcomes == []
    assert_run_continued_with_extra(collection, server, url)


def test_429_retry_after_is_honoured(server, store, settings, interval):
    url = server.route(
        "/busy",
        sequence_route(status_route(429, **{"Retry-After": "1"}), page_route("Calm", "Quiet now.")),
    )
    collection = collect_case(server, store, settings, interval, url)
    times = server.log.times("/busy")
    assert len(times) == 2
    assert times[1] - times[0] >= 0.95  # waited the second the server asked for
    assert_run_continued_with_extra(collection, server, url)


def test_retry_after_beyond_the_cap_fails_without_waiting(server, store, settings, interval):
    url = server.route("/throttled", status_route(429, **{"Retry-After": "3600"}))
    started = time.monotonic()
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "http_429")
    assert "Retry-After 3600" in (outcome.detail or "")
    assert time.monotonic() - started < 2
    assert_run_continued(collection, server, interval)


def test_503_storm_fails_after_bounded_retries_and_host_is_left_alone(
    make_server, store, settings, interval
):
    storm = make_server()
    urls = [storm.route(f"/storm/{n}", status_route(503)) for n in range(8)]
    healthy_host = make_server()
    healthy = healthy_host.route("/healthy", page_route("Elsewhere", "Ships sailed."))
    feed = rss([(url, IN_INTERVAL) for url in urls] + [(healthy, IN_INTERVAL)])
    feed_url = healthy_host.route("/feed.xml", text_route(feed, "application/rss+xml"))
    limited = dataclasses.replace(settings, per_host_concurrency=1, host_failure_limit=3)
    source = make_source(healthy_host, (feed_url,))
    collection = collect_source(source, interval, store, settings=limited)
    outcomes = [outcome_of(collection, url) for url in urls]
    assert {(o.outcome, o.reason) for o in outcomes} <= {
        ("failed", "http_503"),
        ("skipped", "host_unavailable"),
    }
    assert sum(o.reason == "host_unavailable" for o in outcomes) >= 5
    # Three failed attempts in a row open the breaker: no fourth request reaches the host.
    assert len([p for p in storm.log.paths() if p.startswith("/storm/")]) == 3
    assert [page.url for page in collection.pages] == [healthy]


def test_connection_reset_is_recorded(server, store, settings, interval):
    url = server.route("/reset", reset_route)
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "connection_reset")
    assert server.log.count("/reset") == 3  # transient: retried twice
    assert_run_continued(collection, server, interval)


def test_read_timeout_is_recorded(server, store, settings, interval):
    url = server.route("/silent", silent_route(3.0))
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "read_timeout")
    assert_run_continued(collection, server, interval)


def test_slow_drip_is_cut_at_the_total_cap(server, store, settings, interval):
    url = server.route("/drip", drip_route(byte_interval=0.05, total_bytes=10_000))
    started = time.monotonic()
    collection = collect_case(server, store, settings, interval, url)
    elapsed = time.monotonic() - started
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "total_timeout")
    # Each byte arrives well within the 0.5 s read timeout; only the 2 s cap stops it.
    assert elapsed < settings.total_timeout + 1.5
    assert_run_continued(collection, server, interval)


def test_headers_that_never_end_are_cut_at_the_total_cap(server, store, settings, interval):
    url = server.route("/slow-headers", header_drip_route(byte_interval=0.05))
    started = time.monotonic()
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "total_timeout")
    assert time.monotonic() - started < settings.total_timeout + 1.5
    assert_run_continued(collection, server, interval)


@pytest.mark.parametrize("declare_length", [False, True], ids=["streamed", "declared"])
def test_50_mb_body_is_cut_while_streaming(server, store, settings, interval, declare_length):
    url = server.route("/huge", endless_route(server.log, 50 * MIB, declare_length))
    tracemalloc.start()
    try:
        collection = collect_case(server, store, settings, interval, url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "too_large")
    assert peak < 8 * MIB  # never holds anything near 50 MB
    time.sleep(0.2)  # let the server notice the hang-up and record what it sent
    assert server.log.bytes_sent["/huge"] < 50 * MIB
    assert_run_continued(collection, server, interval)


def test_gzip_bomb_is_cut_after_decompression(server, store, settings, interval):
    bomb = gzip_bomb(64 * MIB)
    assert len(bomb) < 200 * 1024  # small on the wire...
    url = server.route("/bomb", gzip_route(bomb))
    tracemalloc.start()
    try:
        collection = collect_case(server, store, settings, interval, url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "too_large")
    assert "gzip" in (outcome.detail or "")
    assert peak < 12 * MIB  # ...and never inflated in memory
    assert_run_continued(collection, server, interval)


def test_wrong_charset_header_is_overruled_by_the_bytes(server, store, settings, interval):
    text = "Défense: la Marine nationale reçoit sa frégate à Brest, côté mer."
    body = html_page("Frégate", text).replace(b"<meta charset='utf-8'>", b"")
    url = server.route("/latin", text_route(body, "text/html; charset=iso-8859-1"))
    cp1252_body = (
        b"<html><head><title>x</title></head><body><p>"
        + ("Le ministère annonce une coopération renforcée avec l'armée. " * 3).encode("cp1252")
        + b"</p></body></html>"
    )
    url_cp = server.route("/cp1252", text_route(cp1252_body, "text/html; charset=utf-8"))
    feed = rss([(url, IN_INTERVAL), (url_cp, IN_INTERVAL)])
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    pages = {page.url: page for page in collection.pages}
    assert text in pages[url].html and pages[url].encoding == "utf-8"  # header said latin-1
    assert "ministère annonce une coopération renforcée" in pages[url_cp].html  # header said utf-8
    assert pages[url_cp].encoding != "utf-8"
    assert collection.outcomes == []


def test_missing_charset_is_detected(server, store, settings, interval):
    utf8_body = "<html><body><p>Генерал встретился с делегацией в Пномпене.</p></body></html>"
    url = server.route("/nocharset", text_route(utf8_body.encode(), "text/html"))
    meta_body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "</head><body><p>Учения начались во вторник.</p></body></html>"
    ).encode("cp1251")
    url_meta = server.route("/metacharset", text_route(meta_body, "text/html"))
    feed = rss([(url, IN_INTERVAL), (url_meta, IN_INTERVAL)])
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    pages = {page.url: page for page in collection.pages}
    assert "делегацией в Пномпене" in pages[url].html
    assert "Учения начались во вторник." in pages[url_meta].html
    assert pages[url_meta].encoding == "cp1251"


def test_binary_served_as_html_is_skipped(server, store, settings, interval):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + bytes(range(256)) * 4
    url = server.route("/report.html", text_route(pdf, "text/html; charset=utf-8"))
    image = server.route("/photo", text_route(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"))
    feed = rss([(url, IN_INTERVAL), (image, IN_INTERVAL), (server.url("/healthy"), IN_INTERVAL)])
    server.route("/healthy", page_route("Healthy report", "Ships sailed."))
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    assert (outcome_of(collection, url).outcome, outcome_of(collection, url).reason) == (
        "skipped",
        "binary_body",
    )
    assert outcome_of(collection, image).reason == "content_type:image/png"
    assert_run_continued(collection, server, interval)


def test_redirect_loop_fails(server, store, settings, interval):
    server.route("/loop/b", redirect_route("/loop/a"))
    url = server.route("/loop/a", redirect_route("/loop/b"))
    chain = [server.route(f"/chain/{n}", redirect_route(f"/chain/{n + 1}")) for n in range(10)]
    feed = rss([(url, IN_INTERVAL), (chain[0], IN_INTERVAL), (server.url("/healthy"), IN_INTERVAL)])
    server.route("/healthy", page_route("Healthy report", "Ships sailed."))
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    assert outcome_of(collection, url).reason == "redirect_loop"
    assert outcome_of(collection, chain[0]).reason == "too_many_redirects"
    assert server.log.count("/chain/5") == 0  # stopped after max_redirects (4) hops
    assert_run_continued(collection, server, interval)


def test_redirect_to_link_local_address_is_refused(server, store, settings, interval):
    url = server.route("/to-metadata", redirect_route("http://169.254.169.254/latest/meta-data/"))
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("failed", "blocked_address")
    assert "169.254.169.254" in (outcome.detail or "")
    assert_run_continued(collection, server, interval)


def test_redirect_to_another_host_is_followed_under_its_own_robots(
    make_server, store, settings, interval
):
    origin, other = make_server(), make_server()
    other.robots = text_route("User-agent: *\nDisallow: /private/\n", "text/plain")
    other.route("/story", page_route("Moved story", "The story moved."))
    moved = origin.route("/moved", redirect_route(other.url("/story"), 301))
    forbidden = origin.route("/sneaky", redirect_route(other.url("/private/x")))
    collection = collect_case(origin, store, settings, interval, moved)
    pages = {page.url: page for page in collection.pages}
    assert pages[moved].final_url == other.url("/story")
    assert "The story moved." in pages[moved].html
    assert other.log.count("/robots.txt") == 1

    feed = rss([(forbidden, IN_INTERVAL)])
    origin.route("/feed2.xml", text_route(feed, "application/rss+xml"))
    second = collect_source(
        make_source(origin, (origin.url("/feed2.xml"),)), interval, store, settings=settings
    )
    assert (outcome_of(second, forbidden).outcome, outcome_of(second, forbidden).reason) == (
        "skipped",
        "robots_disallowed",
    )
    assert other.log.count("/private/x") == 0


def test_robots_disallow_is_honoured_and_cached(server, store, settings, interval):
    server.robots = text_route(
        "User-agent: *\nDisallow: /\n\nUser-agent: DefenceNewsBot\nDisallow: /members/\n",
        "text/plain",
    )
    url = server.route("/members/briefing", page_route("Members only"))
    collection = collect_case(server, store, settings, interval, url)
    outcome = outcome_of(collection, url)
    assert (outcome.outcome, outcome.reason) == ("skipped", "robots_disallowed")
    assert server.log.count("/members/briefing") == 0
    assert server.log.count("/robots.txt") == 1  # one robots.txt fetch for feed and pages
    assert_run_continued(collection, server, interval)


def test_robots_500_means_crawl_nothing(server, store, settings, interval):
    server.robots = status_route(500)
    url = server.route("/article", page_route("Unreachable rules"))
    feed_url = server.route(
        "/feed.xml", text_route(rss([(url, IN_INTERVAL)]), "application/rss+xml")
    )
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    assert collection.pages == [] and collection.outcomes == []
    assert len(collection.source_errors) == 1
    assert "robots_unreachable" in collection.source_errors[0]
    assert server.log.count("/feed.xml") == 0  # RFC 9309: unreachable robots.txt = disallow all
    assert server.log.count("/robots.txt") == 3  # retried like any 5xx, then cached


def test_robots_404_means_crawl_freely(server, store, settings, interval):
    server.robots = status_route(404)
    url = server.route("/article", page_route("No rules", "Free to read."))
    collection = collect_case(server, store, settings, interval, url)
    assert {page.url for page in collection.pages} == {url, server.url("/healthy")}


def test_robots_crawl_delay_spaces_requests(server, store, settings, interval):
    server.robots = text_route("User-agent: *\nCrawl-delay: 0.3\n", "text/plain")
    urls = [server.route(f"/paced/{n}", page_route(f"Paced {n}")) for n in range(3)]
    feed_url = server.route(
        "/feed.xml", text_route(rss([(u, IN_INTERVAL) for u in urls]), "application/rss+xml")
    )
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    assert len(collection.pages) == 3
    times = sorted(server.log.times("/paced/") + server.log.times("/feed.xml"))
    assert times[-1] - times[0] >= 3 * 0.3 - 0.03  # feed + 3 pages: three 0.3 s gaps
    # Any closed 0.45 s window holds at most 0.45 / 0.3 + 1 = 2 requests (jitter-proof).
    busiest = max(bisect.bisect_right(times, start + 0.45) - i for i, start in enumerate(times))
    assert busiest <= 2


def test_unchanged_page_answered_304_is_not_modified(server, store, settings):
    body = html_page("Stable report", "Nothing changed.")
    url = server.route("/stable", conditional_route(body, '"v1"'))
    feed_url = server.route(
        "/feed.xml", text_route(rss([(url, IN_INTERVAL)]), "application/rss+xml")
    )
    source = make_source(server, (feed_url,))
    wide = Interval(IN_INTERVAL.replace(year=2025), IN_INTERVAL.replace(year=2027))
    first = collect_source(source, wide, store, settings=settings)
    assert [page.url for page in first.pages] == [url]

    hour = Interval(IN_INTERVAL - timedelta(minutes=30), IN_INTERVAL + timedelta(minutes=30))
    second = collect_source(source, hour, store, settings=settings)
    outcome = outcome_of(second, url)
    assert (outcome.outcome, outcome.reason, outcome.status_code) == (
        "not_modified",
        "http_304",
        304,
    )
    assert second.pages == []
    assert server.log.requests[-1].headers.get("if-none-match") == '"v1"'

    rerun = collect_source(source, wide, store, settings=settings)  # same interval again
    assert [page.url for page in rerun.pages] == [url]  # a rerun reproduces its pages


def test_connection_refused_and_dns_failure_are_source_errors(store, settings, interval):
    source = Source(
        id="offline",
        name="Offline",
        publisher="Test",
        homepage="http://news.invalid/",
        feeds=("http://news.invalid/rss", "http://127.0.0.1:9/rss"),
    )

    def resolver(host: str, port: int) -> list[str]:
        if host == "news.invalid":
            raise socket.gaierror(-2, "Name or service not known")
        return ["127.0.0.1"]

    collection = collect_source(source, interval, store, settings=settings, resolver=resolver)
    assert collection.pages == [] and collection.outcomes == []
    assert collection.source_errors[0] == (
        "feed http://news.invalid/rss unreachable: name resolution failed"
    )
    assert "connection_refused" in collection.source_errors[1]


def test_feed_that_is_not_a_feed_is_a_source_error(server, store, settings, interval):
    page = server.route("/feed.xml", page_route("A homepage, not a feed"))
    collection = collect_source(make_source(server, (page,)), interval, store, settings=settings)
    assert collection.source_errors == [f"feed {page}: not a feed or sitemap (an HTML page)"]


def test_truncated_reply_from_keepalive_is_reported(server, store, settings, interval):
    def lying_length(request, sock):  # type: ignore[no-untyped-def]
        send_response(sock, 200, {"Content-Type": "text/html", "Content-Length": "5000"}, b"<html>")

    url = server.route("/short", lying_length)
    collection = collect_case(server, store, settings, interval, url)
    assert outcome_of(collection, url).outcome == "failed"
    assert_run_continued(collection, server, interval)


def test_crawl_delay_beyond_the_limit_skips_the_host(server, store, settings, interval):
    server.robots = text_route("User-agent: *\nCrawl-delay: 3600\n", "text/plain")
    url = server.route("/article", page_route("Slow site"))
    feed_url = server.route("/feed.xml", text_route(rss([(url, IN_INTERVAL)]), "text/xml"))
    collection = collect_source(
        make_source(server, (feed_url,)), interval, store, settings=settings
    )
    assert collection.source_errors and "crawl_delay_too_long" in collection.source_errors[0]
    assert server.log.paths() == ["/robots.txt"]


def test_links_that_are_not_http_are_skipped(server, store, settings, interval):
    odd = "mailto:desk@wire.example"
    collection = collect_case(server, store, settings, interval, odd)
    assert (outcome_of(collection, odd).outcome, outcome_of(collection, odd).reason) == (
        "skipped",
        "not_http",
    )
    assert_run_continued(collection, server, interval)


def test_redirect_to_a_non_http_scheme_fails(server, store, settings, interval):
    url = server.route("/to-ftp", redirect_route("ftp://files.wire.example/report.pdf"))
    collection = collect_case(server, store, settings, interval, url)
    assert outcome_of(collection, url).reason == "bad_redirect"
    assert_run_continued(collection, server, interval)


def test_unchanged_body_without_validators_is_not_modified(server, store, settings):
    url = server.route("/same", page_route("Same", "Unchanged words."))  # no ETag at all
    feed_url = server.route("/feed.xml", text_route(rss([(url, IN_INTERVAL)]), "text/xml"))
    source = make_source(server, (feed_url,))
    wide = Interval(IN_INTERVAL.replace(year=2025), IN_INTERVAL.replace(year=2027))
    assert len(collect_source(source, wide, store, settings=settings).pages) == 1
    hour = Interval(IN_INTERVAL - timedelta(minutes=30), IN_INTERVAL + timedelta(minutes=30))
    second = collect_source(source, hour, store, settings=settings)
    outcome = outcome_of(second, url)
    assert (outcome.outcome, outcome.reason) == ("not_modified", "unchanged_content")
    assert second.pages == []
