"""Hostile input for the fetch layer: malformed URLs, UTF-16 pages, host names written in
Unicode, and hosts that never finish an answer. Each ends in a recorded outcome (or a
documented ``InvalidUrl``), never in an exception that loses the rest of the run."""

from __future__ import annotations

import codecs
import dataclasses
import socket

import pytest

from defence_news.fetch import (
    Collection,
    FetchSettings,
    GuardPolicy,
    PoliteClient,
    RunManifest,
    collect_source,
    declared_canonical,
)
from defence_news.fetch.canonical import InvalidUrl, canonicalize_url, is_http_url, url_key
from defence_news.fetch.client import iter_results
from defence_news.fetch.guard import AddressBlocked
from defence_news.interval import Interval
from defence_news.models import UrlOutcome
from defence_news.sources import Source
from defence_news.store import LocalStore
from tests.unit.fetch.faulty_server import (
    FaultyServer,
    Handler,
    drip_route,
    header_drip_route,
    page_route,
    redirect_route,
    slow_route,
    text_route,
)
from tests.unit.fetch.feed_builders import IN_INTERVAL, rss

# Forms a feed, a sitemap or a Location header can carry that no HTTP request can be made to.
MALFORMED_URLS = [
    "http://host.example:99999/x",  # port out of range
    "http://host.example:65536/x",
    "http://host.example:0/x",  # port 0 cannot be connected to
    "http://host.example:abc/x",
    "http://host.example:-1/x",
    "http://host.example:+80/x",
    "http://host.example: 80/x",
    "http://host.example:\u0668\u0660/x",  # Arabic-Indic digits: int() reads them, URLs do not
    "http://host.example:80:81/x",
    "http://[::1/x",  # an IPv6 literal without its closing bracket
    "http://[zz::1]/x",  # not an IPv6 address
    "http://[127.0.0.1]/x",  # IPv4 inside brackets
    "http://[::1]junk/x",  # junk between the bracket and the path
    "http://[v1.fe]/x",  # IPvFuture: nothing can resolve it
    "http://]::1[/x",
    "http://::1/x",  # an IPv6 literal without brackets
    "http://exa mple.example/x",
    "http://exa\x00mple.example/x",
    "http://exa\x1bmple.example/x",
    "http://exa\x7fmple.example/x",
    "http://exa%41mple.example/x",
    "http://a..b.example/x",  # empty label
    "http://" + "a" * 64 + ".example/x",  # label longer than 63
    "http://" + ("a" * 60 + ".") * 5 + "example/x",  # name longer than 253
    "http://" + "\u00e9" * 100_000 + ".example/x",  # must be refused without punycoding it
    "http://\u2603.example/x",  # a snowman is not a valid IDNA label
    "http:///x",
    "http://:80/x",
    "http://user@/x",
    "http:/x",
    "//host.example/x",
    "ftp://files.example/report.pdf",
    "mailto:desk@wire.example",
    "javascript:alert(1)",
    "",
    "   ",
]
NOT_STRINGS: list[object] = [None, b"http://host.example/x", 42, ["http://host.example/x"]]

# Unusual but valid forms, and the fetchable canonical form of each.
ODD_BUT_VALID = [
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("http://[2001:DB8::1]/x?b=2&a=1", "http://[2001:db8::1]/x?a=1&b=2"),
    ("https://[2001:db8::1]:443/x", "https://[2001:db8::1]/x"),
    ("http://host.example:/x", "http://host.example/x"),
    ("http://host.example:65535/x", "http://host.example:65535/x"),
    ("http://host.example:0080/x", "http://host.example/x"),
    ("HTTP://Host.Example./x", "http://host.example/x"),
    ("http://user:secret@host.example/x", "http://host.example/x"),
    ("http://bücher.example/x", "http://xn--bcher-kva.example/x"),  # IDNA: as DNS spells it
    ("http://BÜCHER.example/x", "http://xn--bcher-kva.example/x"),
    ("http://straße.de/x", "http://xn--strae-oqa.de/x"),  # IDNA 2008, as requests sends it
    ("  http://host.example/x\n", "http://host.example/x"),
    ("http://host_name.example/x", "http://host_name.example/x"),
    ("http://192.0.2.7:81/x", "http://192.0.2.7:81/x"),
    ("http://host.example/" + "a" * 100_000, "http://host.example/" + "a" * 100_000),
]

PUNYCODE_HOST = "xn--bcher-kva.example"
UNICODE_HOST = "bücher.example"
TEXT = "Le ministère annonce la livraison de la frégate « Bretagne » à Brest, côté mer."


def hostile_source(base_url: str, feed_url: str, **fields: object) -> Source:
    return Source(
        id="hostile",
        name="Hostile wire",
        publisher="Test",
        homepage=base_url + "/",
        feeds=(feed_url,),
        **fields,  # type: ignore[arg-type]
    )


def feed_source(server: FaultyServer, links: list[str]) -> Source:
    feed = rss([(link, IN_INTERVAL) for link in links])
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml; charset=utf-8"))
    return hostile_source(server.base_url, feed_url)


def outcome_of(collection: Collection, url: str) -> UrlOutcome:
    matches = [outcome for outcome in collection.outcomes if outcome.url == url]
    assert len(matches) == 1, f"expected one outcome for {url}, got {collection.outcomes}"
    return matches[0]


def assert_every_url_accounted_for(collection: Collection, interval: Interval) -> None:
    manifest = RunManifest(collection.source_id, interval, collection.outcomes, [])
    manifest.check()


# -- 1. malformed URLs while planning ---------------------------------------------------


@pytest.mark.parametrize("url", MALFORMED_URLS, ids=lambda url: repr(url)[:40])
def test_malformed_url_is_not_http_and_canonicalises_only_to_invalid_url(url):
    assert is_http_url(url) is False
    with pytest.raises(InvalidUrl):
        canonicalize_url(url)
    with pytest.raises(InvalidUrl):
        url_key(url)


@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
def test_values_that_are_not_strings_are_not_urls(value):
    assert is_http_url(value) is False  # type: ignore[arg-type]
    with pytest.raises(InvalidUrl):
        canonicalize_url(value)  # type: ignore[arg-type]
    with pytest.raises(InvalidUrl):
        url_key(value)  # type: ignore[arg-type]


def test_malformed_base_or_link_raises_invalid_url():
    with pytest.raises(InvalidUrl):
        canonicalize_url("/story", base="http://[::1/")
    with pytest.raises(InvalidUrl):
        canonicalize_url("http://host.example:99999/story", base="http://host.example/")
    assert canonicalize_url("/a/../story", base="http://host.example/x/") == (
        "http://host.example/story"
    )
    assert issubclass(InvalidUrl, ValueError)  # callers catching ValueError keep working


@pytest.mark.parametrize(("url", "expected"), ODD_BUT_VALID, ids=lambda v: repr(v)[:40])
def test_every_accepted_url_has_a_fetchable_canonical_form(url, expected):
    assert is_http_url(url)
    canonical = canonicalize_url(url)
    assert canonical == expected
    assert is_http_url(canonical)
    assert canonicalize_url(canonical) == canonical  # canonical means stable
    assert url_key(url) == url_key(canonical)


def test_feed_listing_malformed_urls_records_each_and_fetches_the_rest(
    server, store, settings, interval
):
    healthy = server.route("/healthy", page_route("Healthy report", "Ships sailed."))
    malformed = [
        server.url("/a").replace(str(server.port), "99999"),
        "http://[::1/story",
        "http://[zz::1]/story",
        server.url("/b").replace(str(server.port), f"{server.port}x"),
    ]
    collection = collect_source(
        feed_source(server, [*malformed, healthy]), interval, store, settings=settings
    )
    assert [page.url for page in collection.pages] == [healthy]
    for url in malformed:
        assert outcome_of(collection, url).outcome == "skipped"
    assert len(collection.outcomes) == len(malformed)
    assert_every_url_accounted_for(collection, interval)
    assert server.log.paths() == ["/robots.txt", "/feed.xml", "/healthy"]


def test_page_declaring_a_malformed_canonical_url_is_still_collected(
    server, store, settings, interval
):
    broken = '<link rel="canonical" href="http://[::1/story">'
    assert declared_canonical(f"<html><head>{broken}</head></html>", server.url("/s")) is None
    story = server.route("/story", page_route("Story", "Kept despite its head.", broken))
    collection = collect_source(feed_source(server, [story]), interval, store, settings=settings)
    assert [(page.url, page.canonical_url) for page in collection.pages] == [(story, None)]
    assert collection.outcomes == []


# -- 2. the client never raises on a malformed URL --------------------------------------


def client_malformed_urls(server: FaultyServer) -> list[str]:
    base = server.base_url
    return [
        base.replace(str(server.port), "99999") + "/page",
        base.replace(str(server.port), "0") + "/page",
        base + "x/page",  # "127.0.0.1:<port>x"
        f"http://[127.0.0.1]:{server.port}/page",
        f"http://[::1:{server.port}/page",
        f"http://[zz::1]:{server.port}/page",
        f"http://exa mple.example:{server.port}/page",
        "http:///page",
    ]


def test_client_fetch_of_a_malformed_url_fails_as_invalid_url(server, settings):
    server.route("/page", page_route("Never asked for"))
    with PoliteClient(settings) as client:
        results = [client.fetch(url) for url in client_malformed_urls(server)]
    for url, result in zip(client_malformed_urls(server), results, strict=True):
        assert (result.url, result.outcome, result.reason) == (url, "failed", "invalid_url")
        assert result.attempts == 0 and result.exchanges == ()
        assert result.detail and repr(url) in result.detail
    assert server.log.requests == []


@pytest.mark.parametrize(
    "location", ["http://127.0.0.1:99999/x", "http://[::1/x", "http://[zz::1]/x", "http://:80/x"]
)
def test_redirect_to_a_malformed_url_fails_as_bad_redirect(server, settings, location):
    url = server.route("/jump", redirect_route(location))
    with PoliteClient(settings) as client:
        result = client.fetch(url)
    assert (result.outcome, result.reason, result.final_url) == ("failed", "bad_redirect", url)
    assert location in (result.detail or "")
    assert [exchange.status_code for exchange in result.exchanges] == [302]  # archived
    assert server.log.paths() == ["/robots.txt", "/jump"]


def test_iter_results_with_a_malformed_url_returns_a_result_for_each(server, settings):
    good = server.route("/page", page_route("Fine"))
    with PoliteClient(settings) as client:
        results = {r.url: r for r in iter_results(client, [good, "http://[::1/x", good + "2"])}
    assert results[good].ok
    assert results["http://[::1/x"].reason == "invalid_url"
    assert results[good + "2"].reason == "http_404"


# -- 3. UTF-16 and UTF-32 pages ---------------------------------------------------------


def wide_page(codec: str, bom: bytes) -> bytes:
    html = (
        "<!doctype html><html><head><meta charset='utf-16'><title>Frégate</title></head>"
        f"<body><article><h1>Frégate Bretagne</h1><p>{TEXT}</p></article></body></html>"
    )
    return bom + html.encode(codec)


WIDE_PAGES = [
    ("utf-16-le", codecs.BOM_UTF16_LE, "text/html"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "text/html; charset=utf-8"),  # the BOM outranks it
    ("utf-32-le", codecs.BOM_UTF32_LE, "text/html"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "text/html"),
    ("utf-16-le", b"", "text/html; charset=utf-16le"),  # no BOM, but declared
]


@pytest.mark.parametrize(("codec", "bom", "content_type"), WIDE_PAGES, ids=lambda v: repr(v))
def test_utf16_and_utf32_pages_are_fetched_and_decoded(
    server, store, settings, interval, codec, bom, content_type
):
    url = server.route("/wide", text_route(wide_page(codec, bom), content_type))
    with PoliteClient(settings) as client:
        assert client.fetch(url).ok
    collection = collect_source(feed_source(server, [url]), interval, store, settings=settings)
    assert collection.outcomes == []
    [page] = collection.pages
    assert TEXT in page.html and "\ufeff" not in page.html and "\x00" not in page.html
    assert page.encoding.replace("_", "-").startswith(codec[:6])


def test_binary_with_nul_bytes_is_still_skipped_when_it_claims_utf16(server, settings):
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    url = server.route("/photo", text_route(png, "text/html; charset=utf-16"))
    with PoliteClient(settings) as client:
        result = client.fetch(url)
    assert (result.outcome, result.reason) == ("skipped", "binary_body")


# -- 4. host names written in Unicode ---------------------------------------------------


def punycode_only_resolver(host: str, port: int) -> list[str]:
    """What DNS does: it knows the ASCII (punycode) form of a name, never the Unicode one."""
    if host in (PUNYCODE_HOST, "127.0.0.1"):
        return ["127.0.0.1"]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(
    ("declared", "requested"),
    [
        (UNICODE_HOST, PUNYCODE_HOST),
        (PUNYCODE_HOST, UNICODE_HOST),
        ("BÜCHER.example", PUNYCODE_HOST),
    ],
)
def test_private_origin_matches_its_host_in_unicode_or_punycode(declared, requested):
    policy = GuardPolicy(
        private_origins=frozenset({f"{declared}:8000"}), resolver=lambda host, port: ["127.0.0.1"]
    )
    assert policy.resolve_checked(requested, 8000) == ["127.0.0.1"]
    with pytest.raises(AddressBlocked):
        policy.resolve_checked(requested, 8001)  # still per origin


def test_private_source_declared_with_a_unicode_host_is_collected(
    server, store, settings, interval
):
    server.route("/story", page_route("Bücher story", "Read in Unicode."))
    base = f"http://{UNICODE_HOST}:{server.port}"
    feed = rss([(base + "/story", IN_INTERVAL)])
    server.route("/feed.xml", text_route(feed, "application/rss+xml; charset=utf-8"))
    source = hostile_source(base, base + "/feed.xml", allow_private=True)
    strict = dataclasses.replace(settings, allow_private=False)
    collection = collect_source(
        source, interval, store, settings=strict, resolver=punycode_only_resolver
    )
    assert collection.source_errors == []
    assert [page.url for page in collection.pages] == [
        f"http://{PUNYCODE_HOST}:{server.port}/story"  # the canonical URL is in IDNA form
    ]
    assert "Read in Unicode." in collection.pages[0].html
    assert server.log.paths() == ["/robots.txt", "/feed.xml", "/story"]


def test_unicode_and_punycode_links_to_one_article_are_fetched_once(
    server, store, settings, interval
):
    server.route("/story", page_route("Bücher story", "One article, two spellings."))
    unicode_link = f"http://{UNICODE_HOST}:{server.port}/story"
    punycode_link = f"http://{PUNYCODE_HOST}:{server.port}/story"
    assert url_key(unicode_link) == url_key(punycode_link)
    feed = rss([(unicode_link, IN_INTERVAL), (punycode_link, IN_INTERVAL)])
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml; charset=utf-8"))
    source = hostile_source(server.base_url, feed_url)
    collection = collect_source(
        source, interval, store, settings=settings, resolver=punycode_only_resolver
    )
    assert [page.url for page in collection.pages] == [punycode_link]  # either spelling: one URL
    assert collection.outcomes == []
    assert server.log.count("/story") == 1


# -- 5. total timeouts open the host's breaker ------------------------------------------


@pytest.mark.parametrize(
    "slow_route",
    [drip_route(byte_interval=0.05, total_bytes=10_000), header_drip_route(byte_interval=0.05)],
    ids=["dripping-body", "dripping-headers"],
)
def test_host_whose_pages_all_hit_the_total_cap_is_left_alone(
    make_server, store: LocalStore, settings: FetchSettings, interval, slow_route: Handler
):
    slow = make_server()
    urls = [slow.route(f"/slow/{n}", slow_route) for n in range(6)]
    healthy_host = make_server()
    healthy = healthy_host.route("/healthy", page_route("Elsewhere", "Ships sailed."))
    feed = rss([(url, IN_INTERVAL) for url in urls] + [(healthy, IN_INTERVAL)])
    feed_url = healthy_host.route("/feed.xml", text_route(feed, "application/rss+xml"))
    # One page at a time, so that each page gets its own deadline and a request; each byte
    # comes well within the read timeout, and the host has longer than one to finish.
    capped = dataclasses.replace(
        settings,
        read_timeout=0.5,
        total_timeout=1.0,
        host_failure_limit=2,
        max_workers=1,
        per_host_concurrency=1,
    )
    source = hostile_source(healthy_host.base_url, feed_url)
    collection = collect_source(source, interval, store, settings=capped)
    reasons = [outcome_of(collection, url).reason for url in urls]
    assert reasons == ["total_timeout"] * 2 + ["host_unavailable"] * 4
    assert len([path for path in slow.log.paths() if path.startswith("/slow/")]) == 2
    assert [page.url for page in collection.pages] == [healthy]
    assert_every_url_accounted_for(collection, interval)


def test_a_total_timeout_with_little_time_left_is_not_blamed_on_the_host(
    make_server, store, settings, interval
):
    site, feeds = make_server(), make_server()
    # robots.txt arrives byte by byte in 1.6 s: the first page's attempt begins with only
    # 0.4 s of its 2 s left, and is cut before the host had a read timeout to answer.
    site.robots = drip_route(byte_interval=0.05, total_bytes=32)
    late = site.route("/late", slow_route(1.0, page_route("Late", "Too late.")))
    after = site.route("/after", page_route("After", "Still welcome."))
    feed = rss([(late, IN_INTERVAL), (after, IN_INTERVAL)])
    feed_url = feeds.route("/feed.xml", text_route(feed, "application/rss+xml"))
    one_strike = dataclasses.replace(
        settings, read_timeout=1.0, total_timeout=2.0, host_failure_limit=1, max_workers=1
    )
    collection = collect_source(
        hostile_source(feeds.base_url, feed_url), interval, store, settings=one_strike
    )
    assert (outcome_of(collection, late).outcome, outcome_of(collection, late).reason) == (
        "failed",
        "total_timeout",
    )
    assert [page.url for page in collection.pages] == [after]  # the breaker stayed closed
    assert site.log.count("/after") == 1
