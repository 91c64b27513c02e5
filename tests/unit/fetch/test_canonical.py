"""URL canonicalisation and deduplication."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import tld

from defence_news.fetch import (
    InvalidUrl,
    RunManifest,
    canonicalize_url,
    collect_source,
    declared_canonical,
    is_http_url,
    url_key,
)
from defence_news.fetch.canonical import registrable_domain, same_site
from defence_news.sources import Source
from tests.unit.fetch.faulty_server import page_route, text_route
from tests.unit.fetch.feed_builders import IN_INTERVAL, rss

STORY = "https://www.wire.example/2026/03/10/frigate-handover/"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        (STORY + "?utm_source=rss&utm_medium=feed", STORY),
        (STORY + "?fbclid=abc&gclid=def#comments", STORY),
        ("HTTPS://WWW.Wire.Example:443/2026/03/10/frigate-handover/", STORY),
        (STORY + "amp/", STORY),
        ("https://www.wire.example/2026/03/10/frigate-handover/amp", STORY),
        (STORY + "?amp=1", STORY),
        (STORY + "?outputType=amp", STORY),
        (STORY + "print/", STORY),
        (STORY + "?print=1&utm_campaign=x", STORY),
        ("https://www.wire.example/2026/03/10/./x/../frigate-handover/", STORY),
        ("https://www.wire.example/story.amp.html", "https://www.wire.example/story.html"),
        ("https://wire.example/a?b=2&a=1", "https://wire.example/a?a=1&b=2"),
        ("https://wire.example/a?id=7&ref=twitter", "https://wire.example/a?id=7"),
    ],
)
def test_decorations_are_removed(variant, expected):
    assert canonicalize_url(variant) == expected


def test_meaningful_query_and_path_are_kept():
    url = "https://wire.example/news.aspx?id=42&page=2"
    assert canonicalize_url(url) == url
    assert canonicalize_url("https://wire.example/amplifier-contract") == (
        "https://wire.example/amplifier-contract"
    )


def test_url_key_ignores_www_and_trailing_slash_but_fetch_url_keeps_them():
    assert url_key(STORY) == url_key("https://wire.example/2026/03/10/frigate-handover")
    assert url_key("http://wire.example/a") == url_key("https://wire.example/a")
    assert canonicalize_url(STORY).startswith("https://www.")  # never fetch a guessed host


def test_declared_canonical_same_site_only():
    head = '<link rel="canonical" href="/2026/03/10/frigate-handover/?utm_source=x">'
    html = f"<html><head>{head}</head><body></body></html>"
    assert declared_canonical(html, "https://wire.example/amp/story") == (
        "https://wire.example/2026/03/10/frigate-handover/"
    )
    foreign = '<html><head><link rel="canonical" href="https://other.example/x"></head></html>'
    assert declared_canonical(foreign, "https://wire.example/story") is None
    og = '<html><head><meta property="og:url" content="https://www.wire.example/og"></head></html>'
    assert declared_canonical(og, "https://wire.example/story") == "https://www.wire.example/og"


def test_duplicate_urls_with_tracking_parameters_are_fetched_once(
    server, store, settings, interval
):
    story = server.route("/2026/story", page_route("Story", "One article, many links."))
    feed = rss(
        [
            (story + "?utm_source=rss&utm_medium=feed", IN_INTERVAL),
            (story + "#comments", IN_INTERVAL),
            (story + "?fbclid=xyz", IN_INTERVAL),
            (story, IN_INTERVAL),
        ]
    )
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    source = Source(
        id="wire", name="Wire", publisher="T", homepage=server.url("/"), feeds=(feed_url,)
    )
    collection = collect_source(source, interval, store, settings=settings)
    assert [page.url for page in collection.pages] == [story]
    assert collection.outcomes == []
    assert server.log.count("/2026/story") == 1


def test_page_whose_canonical_was_already_fetched_is_a_duplicate(server, store, settings, interval):
    story = server.route("/story", page_route("Story", "The original."))
    canonical_tag = f'<link rel="canonical" href="{story}">'
    mirror = server.route("/mirror/77", page_route("Story", "The original.", canonical_tag))
    feed_url = server.route(
        "/feed.xml", text_route(rss([(story, IN_INTERVAL)]), "application/rss+xml")
    )
    later_feed = server.route(
        "/later.xml", text_route(rss([(mirror, IN_INTERVAL)]), "application/rss+xml")
    )
    source = Source(id="wire", name="W", publisher="T", homepage=server.url("/"), feeds=(feed_url,))
    first = collect_source(source, interval, store, settings=settings)
    assert [page.url for page in first.pages] == [story]

    shifted = type(interval)(interval.end, interval.end.replace(day=interval.end.day + 1))
    second_source = Source(
        id="wire", name="W", publisher="T", homepage=server.url("/"), feeds=(later_feed,)
    )
    second = collect_source(second_source, shifted, store, settings=settings)
    assert second.pages == []
    [outcome] = second.outcomes
    assert (outcome.url, outcome.outcome, outcome.reason) == (mirror, "skipped", "duplicate")


def test_declared_canonical_counts_as_seen_in_later_runs(server, store, settings, interval):
    story = server.url("/story")
    server.route("/story", page_route("Story", "The original."))
    tag = f'<link rel="canonical" href="{story}">'
    amp_like = server.route("/m/story-77", page_route("Story", "The original.", tag))
    first_feed = server.route("/one.xml", text_route(rss([(amp_like, IN_INTERVAL)]), "text/xml"))
    second_feed = server.route("/two.xml", text_route(rss([(story, IN_INTERVAL)]), "text/xml"))

    def source(feed: str) -> Source:
        return Source(id="wire", name="W", publisher="T", homepage=server.url("/"), feeds=(feed,))

    first = collect_source(source(first_feed), interval, store, settings=settings)
    assert [page.canonical_url for page in first.pages] == [story]
    later = type(interval)(interval.end, interval.end + (interval.end - interval.start))
    second = collect_source(source(second_feed), later, store, settings=settings)
    assert second.pages == []
    assert [(o.url, o.reason) for o in second.outcomes] == [(story, "already_seen")]
    assert server.log.count("/story") == 0


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("https://wire.example/amp/2026/story", "https://wire.example/2026/story/"),
        ("https://wire.example/%7Ebureau/a%2fb", "https://wire.example/~bureau/a%2Fb"),
        ("https://wire.example/news/Défense ok", "https://wire.example/news/D%C3%A9fense%20ok"),
        ("https://wire.example/print/edition/story", "https://wire.example/edition/story/"),
        ("https://wire.example/section/print/story", "https://wire.example/section/print/story"),
        ("https://wire.example/amp", "https://wire.example/amp"),
    ],
)
def test_path_normalisation(variant, expected):
    assert canonicalize_url(variant) == expected


# -- tracking parameters: courlan's list and the project's -----------------------------


@pytest.mark.parametrize(
    "tracker",
    [
        "utm_source=rss",
        "utm%5Fcampaign=spring",  # percent-encoded, still utm_campaign
        "fbclid=1",
        "gclid=1",
        "mc_eid=1",
        "xtor=RSS-3",  # AT Internet, from courlan's list
        "itm_source=home",
        "campaign_id=7",
        "clickid=9",
        "ref_src=twsrc",
        "cmpid=x",  # the project's own list: courlan does not name these
        "ocid=msn",
        "outputType=amp",
    ],
)
def test_tracking_parameters_are_removed(tracker):
    assert canonicalize_url(f"{STORY}?id=42&{tracker}") == STORY + "?id=42"


@pytest.mark.parametrize(
    "meaningful",
    ["gallery=2", "game=7", "global=1", "refresh=1", "reference=ABC", "sources=3", "page=2",
     "p=1201", "sid=5", "storyid=88", "q=frigate"],
)  # fmt: skip
def test_parameters_that_only_begin_like_a_tracker_are_kept(meaningful):
    # courlan's patterns match inside names ("ga" starts "gallery"): only whole words count.
    assert canonicalize_url(f"{STORY}?{meaningful}") == f"{STORY}?{meaningful}"


def test_a_session_id_in_the_path_is_removed():
    assert canonicalize_url("https://wire.example/story;jsessionid=A1B2?id=3") == (
        "https://wire.example/story?id=3"
    )


def test_w3lib_keeps_the_pairs_it_keeps_exactly_as_it_spells_them():
    assert canonicalize_url("https://wire.example/a?q=a b&z=%41&r=é&utm_term=x") == (
        "https://wire.example/a?q=a+b&r=%C3%A9&z=A"
    )
    assert canonicalize_url("https://wire.example/a//b/./c/../d") == "https://wire.example/a//b/d"


# -- same site: registrable domains by the public suffix list ---------------------------


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://www.bbc.co.uk/news/1", "https://news.bbc.co.uk/x", True),
        ("https://www.bbc.co.uk/news/1", "https://www.itv.co.uk/x", False),  # co.uk is a suffix
        ("https://navy.blogspot.com/a", "https://army.blogspot.com/a", False),  # private suffix
        ("https://amp.wire.example/a", "https://www.wire.example/a", True),  # the "*" rule
        ("https://wire.example/a", "https://other.example/a", False),
        ("http://bücher.de/a", "http://www.xn--bcher-kva.de/b", True),  # either spelling
        ("http://a.公司.cn/x", "http://b.xn--55qx5d.cn/x", False),  # 公司.cn is a suffix
        ("http://a.公司.cn/x", "http://a.xn--55qx5d.cn:8080/y", True),
        ("http://192.0.2.7/a", "http://192.0.2.7:81/b", True),
        ("http://192.0.2.7/a", "http://192.0.2.8/a", False),
        ("http://[::1]/a", "http://[0:0::1]/b", True),
        ("http://[::1/a", "http://[::1/a", False),  # no readable host: never the same site
    ],
)
def test_same_site_is_the_same_registrable_domain(first, second, same):
    assert same_site(first, second) is same
    assert same_site(second, first) is same


def test_the_public_suffix_list_is_read_from_the_installed_package():
    data = Path(tld.__file__).parent / "res" / "effective_tld_names.dat.txt"
    assert data.is_file()  # no download at run time: the list ships in the wheel
    # Without the list the "*" default rule would say "co.uk" and "blogspot.com".
    assert registrable_domain("www.news.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("navy.blogspot.com") == "navy.blogspot.com"


def test_a_page_may_declare_a_canonical_url_on_a_sibling_host_only():
    def head(url: str) -> str:
        return f'<html><head><link rel="canonical" href="{url}"></head></html>'

    page = "https://amp.wire.co.uk/story"
    assert declared_canonical(head("https://www.wire.co.uk/story"), page) == (
        "https://www.wire.co.uk/story"
    )
    assert declared_canonical(head("https://www.rival.co.uk/story"), page) is None
    blog = "https://navy.blogspot.com/post"
    assert declared_canonical(head("https://army.blogspot.com/post"), blog) is None


# -- malformed URLs: never an exception, always an outcome ------------------------------

# One of each kind a feed can carry, and the outcome it ends in.
MALFORMED_IN_A_FEED = {
    "http://wire.example:99999/a": "skipped:invalid_url",  # bad port
    "http://wire.example:8o/a": "skipped:invalid_url",
    "http://[::1/a": "skipped:invalid_url",  # bad IPv6 literal
    "http://[fe80::zz]/a": "skipped:invalid_url",
    "http://reader@/a": "skipped:invalid_url",  # empty host
    "http://:80/a": "skipped:invalid_url",
    "http://wire example/a": "skipped:invalid_url",  # a space in the host
    "http://" + "w" * 64 + ".example/a": "skipped:invalid_url",  # overlong label
    "http://" + "w." * 130 + "example/a": "skipped:invalid_url",  # overlong name
    "http://a@b@wire.example/a": "skipped:invalid_url",  # userinfo no parser agrees on
    "http://\u2603\u2603.example/a": "skipped:invalid_url",  # a Unicode host IDNA refuses
    "javascript:alert(document.domain)": "skipped:not_http",
    "data:text/html,<p>hi</p>": "skipped:not_http",
    "mailto:desk@wire.example": "skipped:not_http",
}


def test_malformed_urls_of_every_kind_are_outcomes_and_the_rest_is_fetched(
    server, store, settings, interval
):
    plain = server.route("/plain", page_route("Plain", "Fetched."))
    spaced = server.route("/with%20space", page_route("Spaced", "Fetched as %20."))
    server.route("/bucher", page_route("IDN", "Fetched by its IDNA name."))
    server.route("/secret", page_route("Userinfo", "Fetched without the credentials."))
    listed = [
        plain,
        server.url("/with space"),  # encoded, not refused: what a browser does
        f"http://bücher.example:{server.port}/bucher",
        server.url("/secret").replace("://", "://reader:hunter2@"),
        *MALFORMED_IN_A_FEED,
    ]
    body = rss([(url, IN_INTERVAL) for url in listed])
    feed = server.route("/feed.xml", text_route(body, "text/xml"))
    source = Source(id="wire", name="W", publisher="T", homepage=server.url("/"), feeds=(feed,))

    def resolver(host: str, port: int) -> list[str]:  # DNS knows the IDNA name only
        assert host in ("127.0.0.1", "xn--bcher-kva.example"), host
        return ["127.0.0.1"]

    collection = collect_source(source, interval, store, settings=settings, resolver=resolver)
    manifest = RunManifest("wire", interval, list(collection.outcomes))
    manifest.check()  # every URL exactly once
    assert {o.url: f"{o.outcome}:{o.reason}" for o in collection.outcomes} == MALFORMED_IN_A_FEED
    assert sorted(page.url for page in collection.pages) == sorted(
        [plain, spaced, f"http://xn--bcher-kva.example:{server.port}/bucher", server.url("/secret")]
    )
    asked = [r for r in server.log.requests if r.path not in ("/robots.txt", "/feed.xml")]
    assert sorted(r.path for r in asked) == ["/bucher", "/plain", "/secret", "/with%20space"]
    assert not any("authorization" in r.headers for r in asked)  # userinfo is never sent


HOSTILE_PIECES = [
    *"az09-._~:/?#[]@!$&'()*+,;=% ",
    "\x00", "\x7f", "\t", "\n", "é", "ß", "\u2603", "\ud800", "\u200b", "\uff0e", "\u3002",
    "xn--", "%2e", "%00", "[::1]", "..", "@@", "user:pw@", "www.", ".co.uk", "amp/", "?utm_x=",
]  # fmt: skip
HOSTS = ["wire.example", "WWW.Bücher.example", "[2001:DB8::1]", "news.bbc.co.uk", "ß.de", ""]


def _hostile_url(rng: random.Random) -> str:
    """A URL-like string: a scheme, a host that may be fine, then hostile characters."""
    scheme = rng.choice(["http://", "https://", "HTTP://", "http:/", "javascript:", ""])
    junk = "".join(rng.choice(HOSTILE_PIECES) for _ in range(rng.randint(0, 20)))
    port = rng.choice(["", ":80", ":0", ":8080"])
    return scheme + rng.choice(HOSTS) + port + rng.choice(["/", "/", "/", "?", ""]) + junk


def test_no_string_makes_canonicalisation_raise_anything_but_invalid_url():
    rng = random.Random(13)  # the same 5,000 strings every run
    accepted = 0
    for _ in range(5000):
        url = _hostile_url(rng)
        if not is_http_url(url):
            with pytest.raises(InvalidUrl):
                canonicalize_url(url)
            continue
        accepted += 1
        canonical = canonicalize_url(url)
        assert is_http_url(canonical), (url, canonical)
        assert canonicalize_url(canonical) == canonical, url  # canonical means stable
        assert url_key(url) == url_key(canonical)
        assert same_site(url, canonical), url
    assert accepted > 1000  # the strings reach past the first check
