"""URL canonicalisation and deduplication."""

from __future__ import annotations

import pytest

from defence_news.fetch import canonicalize_url, collect_source, declared_canonical, url_key
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
