"""Discovery from feeds, sitemaps and sitemap indexes: caps, gzip, unsafe documents, the
feed faults through collect_source on loopback (every fixture: test_discovery_fixtures.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from defence_news.fetch import collect_source, parse_discovery_document
from defence_news.fetch import discovery as discovery_module
from defence_news.fetch.discovery import parse_date
from defence_news.sources import Source
from tests.unit.fetch.discovery_cases import FIXTURES
from tests.unit.fetch.faulty_server import (
    conditional_route,
    gzip_bomb,
    gzipped,
    page_route,
    sequence_route,
    text_route,
)
from tests.unit.fetch.feed_builders import (
    IN_INTERVAL,
    atom,
    entity_bomb,
    news_sitemap,
    rss,
    sitemap_index,
)

BASE = "https://wire.example/"


def test_rss_items_with_dates_and_titles():
    body = rss([("https://wire.example/a", IN_INTERVAL), ("/b", None)])
    discovery = parse_discovery_document(body, BASE)
    assert discovery.kind == "rss" and discovery.problem is None
    assert [item.url for item in discovery.items] == [
        "https://wire.example/a",
        "https://wire.example/b",  # relative links resolve against the feed
    ]
    assert discovery.items[0].published_at == IN_INTERVAL
    assert discovery.items[0].title == "Report 0"
    assert discovery.items[1].published_at is None


def test_rss_prefers_feedburner_original_link_and_permalink_guid():
    body = b"""<?xml version="1.0"?><rss version="2.0"
      xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>t</title>
      <item><title>a</title><link>https://feeds.example/~r/x/1</link>
        <feedburner:origLink>https://wire.example/story-1</feedburner:origLink></item>
      <item><title>b</title><guid isPermaLink="true">https://wire.example/story-2</guid></item>
      <item><title>c</title><guid isPermaLink="false">tag:wire,3</guid></item>
    </channel></rss>"""
    discovery = parse_discovery_document(body, BASE)
    assert [item.url for item in discovery.items] == [
        "https://wire.example/story-1",
        "https://wire.example/story-2",
    ]


def test_atom_entries():
    published = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    discovery = parse_discovery_document(atom([("https://wire.example/atom-1", published)]), BASE)
    assert discovery.kind == "atom"
    assert [(i.url, i.published_at, i.title) for i in discovery.items] == [
        ("https://wire.example/atom-1", published, "Atom report 0")
    ]


def test_news_sitemap_publication_dates():
    published = datetime(2026, 3, 10, 7, 5, tzinfo=UTC)
    body = news_sitemap([("https://wire.example/s-1", published)])
    discovery = parse_discovery_document(body, BASE)
    assert discovery.kind == "urlset"
    assert [(i.url, i.published_at, i.title) for i in discovery.items] == [
        ("https://wire.example/s-1", published, "Sitemap report 0")
    ]


def test_sitemap_index_children_newest_first():
    old, new = datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    body = sitemap_index([("https://wire.example/2020.xml", old), ("/today.xml", new)])
    discovery = parse_discovery_document(body, BASE)
    assert discovery.kind == "sitemapindex"
    assert [url for url, _ in discovery.children] == [
        "https://wire.example/today.xml",
        "https://wire.example/2020.xml",
    ]


def test_dates_in_the_formats_feeds_use():
    assert parse_date("Tue, 10 Mar 2026 09:00:00 +0700") == datetime(2026, 3, 10, 2, tzinfo=UTC)
    assert parse_date("2026-03-10T09:00:00Z") == datetime(2026, 3, 10, 9, tzinfo=UTC)
    assert parse_date("2026-03-10") == datetime(2026, 3, 10, tzinfo=UTC)
    assert parse_date("yesterday") is None
    assert parse_date(None) is None


def test_malformed_rss_is_recovered_and_reported():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & co</title>'
        b"<item><title>ok</title><link>https://wire.example/ok</link></item>"
        b"<item><title>cut"
    )
    discovery = parse_discovery_document(body, BASE)
    assert discovery.problem and discovery.problem.startswith("malformed XML")
    assert [item.url for item in discovery.items] == ["https://wire.example/ok"]


def test_entity_bomb_is_refused_quickly():
    started = time.monotonic()
    discovery = parse_discovery_document(entity_bomb(), BASE)
    assert time.monotonic() - started < 0.5
    assert discovery.items == []
    assert discovery.problem == "document declares XML entities (refused as unsafe)"


def test_empty_documents_are_reported():
    assert parse_discovery_document(b"", BASE).problem == "empty document"
    empty_channel = parse_discovery_document(rss([]), BASE)
    assert empty_channel.kind == "rss" and empty_channel.items == []


def _source(server, *feeds: str, sitemaps: tuple[str, ...] = ()) -> Source:
    return Source(
        id="wire",
        name="Wire",
        publisher="Test",
        homepage=server.url("/"),
        feeds=feeds,
        sitemaps=sitemaps,
    )


def test_feed_faults_are_source_errors_and_good_feeds_still_count(
    server, store, settings, interval
):
    story = server.route("/story", page_route("Story", "Patrol boats delivered."))
    good = server.route("/good.xml", text_route(rss([(story, IN_INTERVAL)]), "application/rss+xml"))
    broken = server.route("/broken.xml", text_route(b"<rss><channel><item>", "application/rss+xml"))
    bomb = server.route("/bomb.xml", text_route(entity_bomb(), "application/rss+xml"))
    empty = server.route("/empty.xml", text_route(rss([]), "application/rss+xml"))
    missing = server.url("/missing.xml")
    source = _source(server, broken, bomb, empty, missing, good)
    collection = collect_source(source, interval, store, settings=settings)
    assert [page.url for page in collection.pages] == [story]
    errors = collection.source_errors
    assert len(errors) == 4
    assert errors[0].startswith(f"feed {broken}: malformed XML")
    assert errors[1] == f"feed {bomb}: document declares XML entities (refused as unsafe)"
    assert errors[2] == f"feed {empty}: lists no items"
    assert errors[3].startswith(f"feed {missing} unreachable: http_404")


def test_sitemap_index_leads_to_news_sitemap_articles(server, store, settings, interval):
    story = server.route("/2026/03/10/story", page_route("Sitemap story", "Frigate launched."))
    child = server.route(
        "/news-sitemap.xml",
        text_route(news_sitemap([(story, IN_INTERVAL)]), "application/xml"),
    )
    index = server.route(
        "/sitemap.xml",
        text_route(sitemap_index([(child, IN_INTERVAL)]), "application/xml"),
    )
    source = _source(server, sitemaps=(index,))
    collection = collect_source(source, interval, store, settings=settings)
    assert [page.url for page in collection.pages] == [story]
    assert collection.pages[0].feed_published_at == IN_INTERVAL
    assert collection.pages[0].feed_title == "Sitemap report 0"
    assert collection.source_errors == []


def test_only_interval_or_unseen_urls_and_nothing_published_later(
    server, store, settings, interval
):
    later = interval.end + timedelta(minutes=5)
    early = server.route("/early", page_route("Early"))
    future = server.route("/future", page_route("Future"))
    feed = rss([(early, interval.start - timedelta(days=2)), (future, later)])
    feed_url = server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    first = collect_source(_source(server, feed_url), interval, store, settings=settings)
    assert [page.url for page in first.pages] == [early]  # unseen: caught up
    assert [(o.url, o.reason) for o in first.outcomes] == [(future, "after_interval")]

    next_day = type(interval)(interval.end, interval.end + timedelta(days=1))
    second = collect_source(_source(server, feed_url), next_day, store, settings=settings)
    assert [page.url for page in second.pages] == [future]
    assert [(o.url, o.reason) for o in second.outcomes] == [(early, "already_seen")]
    assert server.log.count("/early") == 1


def test_an_item_published_after_the_interval_is_taken_later_even_from_an_unchanged_feed(
    server, store, settings, interval
):
    """A backfill of past hours, or a slow feed: the second run gets a 304 for the feed,
    which lists nothing, and must still fetch the item its own interval owns."""
    later = interval.end + timedelta(minutes=5)
    future = server.route("/future-2", page_route("Future"))
    feed = rss([(future, later)])
    feed_url = server.route("/feed-304.xml", conditional_route(feed, '"v1"'))
    first = collect_source(_source(server, feed_url), interval, store, settings=settings)
    assert [(o.url, o.reason) for o in first.outcomes] == [(future, "after_interval")]
    next_hour = type(interval)(interval.end, interval.end + timedelta(hours=1))
    second = collect_source(_source(server, feed_url), next_hour, store, settings=settings)
    assert server.log.count("/feed-304.xml") == 2  # the second answer was a 304
    assert [page.url for page in second.pages] == [future]
    assert server.log.count("/future-2") == 1


def test_unchanged_sitemap_index_still_leads_to_its_changing_children(
    server, store, settings, interval
):
    first = server.route("/a/1", page_route("First"))
    second = server.route("/a/2", page_route("Second"))
    later = interval.end + timedelta(minutes=10)
    child = server.route(
        "/news-sitemap.xml",
        sequence_route(
            text_route(news_sitemap([(first, IN_INTERVAL)]), "application/xml"),
            text_route(news_sitemap([(second, later), (first, IN_INTERVAL)]), "application/xml"),
        ),
    )
    index_body = sitemap_index([(child, IN_INTERVAL)])
    index = server.route("/sitemap.xml", conditional_route(index_body, '"index-1"'))
    source = _source(server, sitemaps=(index,))
    one = collect_source(source, interval, store, settings=settings)
    next_hour = type(interval)(interval.end, interval.end + timedelta(hours=1))
    two = collect_source(source, next_hour, store, settings=settings)
    assert [page.url for page in one.pages] == [first]
    assert [page.url for page in two.pages] == [second]
    index_requests = [r for r in server.log.requests if r.path == "/sitemap.xml"]
    assert index_requests[-1].headers.get("if-none-match") == '"index-1"'  # answered 304
    assert two.source_errors == []


def test_external_entities_are_refused():
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>&secret;</title><item><title>x</title>'
        b"<link>https://wire.example/x</link></item></channel></rss>"
    )
    discovery = parse_discovery_document(xxe, BASE)
    assert discovery.items == [] and "entities" in (discovery.problem or "")


# -- issue 13: the library readers, gzip, notes ----------------------------------------


def test_items_past_the_cap_are_overflow_in_feed_order():
    urls = [f"https://wire.example/cap/{n}" for n in range(30)]
    discovery = parse_discovery_document(rss([(url, IN_INTERVAL) for url in urls]), BASE, 10)
    assert [item.url for item in discovery.items] == urls[:10]
    assert [item.url for item in discovery.overflow] == urls[10:]


def test_a_link_urllib_cannot_split_is_kept_as_listed():
    # feedparser would blank it; it must reach collect and end as an invalid_url outcome.
    body = rss([("http://[::1/x", IN_INTERVAL), ("http://[zz::1]/y", None), ("/ok", None)])
    discovery = parse_discovery_document(body, BASE)
    assert [item.url for item in discovery.items] == [
        "http://[::1/x",
        "http://[zz::1]/y",
        "https://wire.example/ok",
    ]


def test_a_gzip_bomb_is_refused_within_the_ceiling(monkeypatch):
    monkeypatch.setattr(discovery_module, "GUNZIP_CEILING", 1024 * 1024)
    discovery = parse_discovery_document(gzip_bomb(4 * 1024 * 1024), BASE)
    assert discovery.kind == "unknown" and discovery.items == []
    assert discovery.problem == "gzip body expands past 1048576 bytes (refused)"


def test_a_corrupt_gzip_stream_is_a_problem_not_an_exception():
    discovery = parse_discovery_document(b"\x1f\x8b\x08\x00garbage-not-deflate", BASE)
    assert discovery.kind == "unknown"
    assert (discovery.problem or "").startswith("not a readable gzip stream")


def test_a_gzip_compressed_feed_is_read():
    feed = rss([("https://wire.example/gz-feed/1", IN_INTERVAL)])
    discovery = parse_discovery_document(gzipped(feed), BASE)
    assert [item.url for item in discovery.items] == ["https://wire.example/gz-feed/1"]


def test_entity_declarations_are_found_in_utf16_documents_too():
    # The check runs on the decoded text: in UTF-16 bytes "<!ENTITY" is not a byte string.
    discovery = parse_discovery_document(entity_bomb().decode().encode("utf-16"), BASE)
    assert discovery.items == []
    assert discovery.problem == "document declares XML entities (refused as unsafe)"


def test_faults_that_lose_nothing_are_notes_not_problems():
    wrong = parse_discovery_document(_fixture("rss20_declared_utf8_is_cp1252.xml"), BASE)
    assert wrong.problem is None
    # Read as a Windows code page (1250 and 1252 agree on every byte of this title).
    assert len(wrong.notes) == 1
    assert wrong.notes[0].startswith(
        "declared encoding UTF-8 does not fit the bytes; read as cp125"
    )
    unlinked = parse_discovery_document(_fixture("rss20_items_without_links.xml"), BASE)
    assert unlinked.notes == ["2 entries have no link (nothing to fetch)"]
    index = parse_discovery_document(_fixture("sitemap_index_relative_and_bad.xml"), BASE)
    assert index.notes == ["2 child sitemaps without an http(s) <loc> (not read)"]
    text = parse_discovery_document(b"https://wire.example/t/1\n", BASE)
    assert text.kind == "text" and text.notes == []


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_gzip_child_sitemap_is_read_over_http(server, store, settings, interval):
    story = server.route("/2026/03/10/gz-story", page_route("Gzip story", "Tanker delivered."))
    child = server.route(
        "/sitemaps/news.xml.gz",
        text_route(gzipped(news_sitemap([(story, IN_INTERVAL)])), "application/x-gzip"),
    )
    index = server.route(
        "/sitemap.xml", text_route(sitemap_index([(child, IN_INTERVAL)]), "application/xml")
    )
    collection = collect_source(
        _source(server, sitemaps=(index,)), interval, store, settings=settings
    )
    assert [page.url for page in collection.pages] == [story]
    assert collection.pages[0].feed_title == "Sitemap report 0"
    assert collection.source_errors == []


def test_an_html_page_served_as_a_feed_is_a_source_error(server, store, settings, interval):
    home = server.route("/feed.xml", text_route(_fixture("feed_html_page.xml"), "text/html"))
    collection = collect_source(_source(server, home), interval, store, settings=settings)
    assert collection.pages == []
    assert collection.source_errors == [f"feed {home}: not a feed or sitemap (an HTML page)"]


def test_entity_declarations_after_a_long_comment_are_found():
    # The whole prolog is searched, however long, not a fixed window at the start.
    padded = entity_bomb().replace(b"?>\n", b"?>\n<!--" + b"x" * 100_000 + b"-->\n", 1)
    discovery = parse_discovery_document(padded, BASE)
    assert discovery.problem == "document declares XML entities (refused as unsafe)"
