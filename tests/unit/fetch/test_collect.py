"""collect_source end to end on loopback: rules, cap, WARC, state, manifest."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator

from defence_news.fetch import RunManifest, collect_source
from defence_news.fetch.state import load_state, state_key
from defence_news.interval import Interval
from defence_news.models import UrlOutcome
from defence_news.sources import Source
from defence_news.store import keys
from tests.unit.fetch.faulty_server import (
    endless_route,
    gzip_route,
    gzipped,
    html_page,
    page_route,
    sequence_route,
    status_route,
    text_route,
)
from tests.unit.fetch.feed_builders import IN_INTERVAL, rss


def _source(server, feed_url: str, **fields) -> Source:  # type: ignore[no-untyped-def]
    return Source(
        id="wire",
        name="Wire",
        publisher="T",
        homepage=server.url("/"),
        feeds=(feed_url,),
        **fields,
    )


def _feed(server, urls, published=IN_INTERVAL):  # type: ignore[no-untyped-def]
    body = rss([(url, published - timedelta(minutes=n)) for n, url in enumerate(urls)])
    return server.route("/feed.xml", text_route(body, "application/rss+xml"))


def test_include_and_exclude_rules(server, store, settings, interval):
    news = server.route("/news/1", page_route("News"))
    video = server.route("/news/video/2", page_route("Video"))
    about = server.route("/about", page_route("About"))
    source = _source(
        server, _feed(server, [news, video, about]), include=(r"/news/",), exclude=(r"/video/",)
    )
    collection = collect_source(source, interval, store, settings=settings)
    assert [page.url for page in collection.pages] == [news]
    assert {(o.url, o.reason) for o in collection.outcomes} == {
        (video, "excluded"),
        (about, "not_included"),
    }
    assert server.log.count("/about") == 0


def test_cap_leaves_the_rest_pending_for_the_next_run(server, store, settings, interval):
    urls = [server.route(f"/story/{n}", page_route(f"Story {n}")) for n in range(5)]
    source = _source(server, _feed(server, urls), max_per_run=2)
    first = collect_source(source, interval, store, settings=settings)
    assert [page.url for page in sorted(first.pages, key=lambda p: p.url)] == urls[:2]  # newest
    deferred = [o.url for o in first.outcomes if (o.outcome, o.reason) == ("deferred", "cap")]
    assert sorted(deferred) == urls[2:]

    later = Interval(interval.end, interval.end + timedelta(hours=1))
    second = collect_source(source, later, store, settings=settings)
    assert sorted(page.url for page in second.pages) == urls[2:4]
    third = collect_source(
        source, Interval(later.end, later.end + timedelta(hours=1)), store, settings=settings
    )
    assert [page.url for page in third.pages] == [urls[4]]
    assert all(server.log.count(f"/story/{n}") == 1 for n in range(5))


def test_limit_argument_overrides_the_source_cap(server, store, settings, interval):
    urls = [server.route(f"/story/{n}", page_route(f"Story {n}")) for n in range(4)]
    collection = collect_source(
        _source(server, _feed(server, urls)), interval, store, settings=settings, limit=1
    )
    assert len(collection.pages) == 1 and len(collection.outcomes) == 3


def test_warc_archive_holds_requests_and_decoded_responses(server, store, settings, interval):
    text = "Corvette commissioned at the naval base."
    plain = server.route("/plain", page_route("Plain", text))
    zipped = server.route("/zipped", gzip_route(gzipped(html_page("Zipped", text))))
    collection = collect_source(
        _source(server, _feed(server, [plain, zipped])), interval, store, settings=settings
    )
    assert collection.raw_key == keys.raw_key("wire", interval)
    raw = store.get(collection.raw_key)
    assert raw[:2] == b"\x1f\x8b"  # gzipped WARC
    records = list(ArchiveIterator(io.BytesIO(raw)))
    kinds = [record.rec_type for record in records]
    assert kinds[0] == "warcinfo"
    # robots.txt, feed and two pages: a request and a response record each
    assert kinds.count("request") == kinds.count("response") == 4
    responses = {
        record.rec_headers.get_header("WARC-Target-URI"): (
            record.http_headers,
            record.content_stream().read(),
        )
        for record in ArchiveIterator(io.BytesIO(raw))
        if record.rec_type == "response"
    }
    zipped_headers, zipped_body = responses[zipped]
    assert zipped_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert text.encode() in zipped_body
    addresses = {
        r.rec_headers.get_header("WARC-IP-Address")
        for r in ArchiveIterator(io.BytesIO(raw))
        if r.rec_type == "response"
    }
    assert addresses == {"127.0.0.1"}
    requests_ = [r for r in ArchiveIterator(io.BytesIO(raw)) if r.rec_type == "request"]
    assert all(
        r.http_headers.get_header("User-Agent").startswith("DefenceNewsBot") for r in requests_
    )


def test_state_remembers_seen_urls_and_feed_validators(server, store, settings, interval):
    story = server.route("/story", page_route("Story"))
    feed_body = rss([(story, IN_INTERVAL)])
    feed_url = server.route(
        "/feed.xml", text_route(feed_body, "application/rss+xml", ETag='"feed-1"')
    )
    collect_source(_source(server, feed_url), interval, store, settings=settings)
    document = json.loads(store.get(state_key("wire")))
    [entry] = document["urls"].values()
    assert entry["url"] == story and entry["first_interval"] == interval.slug
    assert document["feeds"][feed_url] == {"etag": '"feed-1"'}

    collect_source(_source(server, feed_url), interval, store, settings=settings)
    feed_requests = [r for r in server.log.requests if r.path == "/feed.xml"]
    assert feed_requests[-1].headers.get("if-none-match") == '"feed-1"'


def test_unreadable_state_is_reported_and_replaced(server, store, settings, interval):
    store.put(state_key("wire"), b"{not json")
    story = server.route("/story", page_route("Story"))
    collection = collect_source(
        _source(server, _feed(server, [story])), interval, store, settings=settings
    )
    assert [page.url for page in collection.pages] == [story]
    assert collection.source_errors[0].startswith("fetch state state/fetch/wire.json unreadable")
    assert load_state(store, "wire").problem is None


def test_manifest_counts_add_up_and_render(server, store, settings, interval):
    good = server.route("/good", page_route("Good"))
    missing = server.url("/missing")
    collection = collect_source(
        _source(server, _feed(server, [good, missing])), interval, store, settings=settings
    )
    parsed = [UrlOutcome(page.url, "article", article_id="a1") for page in collection.pages]
    manifest = RunManifest("wire", interval, collection.outcomes + parsed, ["one problem"])
    manifest.check()
    assert manifest.counts() == {
        "article": 1,
        "not_modified": 0,
        "skipped": 0,
        "failed": 1,
        "deferred": 0,
        "discovered": 2,
    }
    table = manifest.table()
    assert "failed:http_404" in table and "source error: one problem" in table
    document = json.loads(manifest.to_json())
    assert document["counts"]["discovered"] == 2
    assert {o["url"] for o in document["outcomes"]} == {good, missing}


def test_manifest_check_rejects_a_url_with_two_outcomes(interval):
    twice = [
        UrlOutcome("https://w.example/a", "article"),
        UrlOutcome("https://w.example/a", "failed", "x"),
    ]
    with pytest.raises(ValueError, match="more than one outcome"):
        RunManifest("wire", interval, twice, []).check()


def test_no_exchange_means_no_warc(store, settings, interval):
    source = Source(
        id="down",
        name="Down",
        publisher="T",
        homepage="http://127.0.0.1:9/",
        feeds=("http://127.0.0.1:9/rss",),
    )
    collection = collect_source(source, interval, store, settings=settings)
    assert collection.raw_key is None
    assert not list(store.list("raw/"))


def test_robots_rules_are_reused_across_runs_but_failures_are_not(
    make_server, store, settings, interval
):
    server = make_server()
    story = server.route("/story", page_route("Story"))
    feed_url = _feed(server, [story])
    collect_source(_source(server, feed_url), interval, store, settings=settings)
    later = Interval(interval.end, interval.end + timedelta(hours=1))
    collect_source(_source(server, feed_url), later, store, settings=settings)
    assert server.log.count("/robots.txt") == 1  # the second run used the stored rules

    broken = make_server()
    broken.robots = text_route("down", "text/plain", status=503)
    broken_feed = broken.route("/feed.xml", text_route(rss([]), "application/rss+xml"))
    source = Source(
        id="broken", name="B", publisher="T", homepage=broken.url("/"), feeds=(broken_feed,)
    )
    collect_source(source, interval, store, settings=settings)
    collect_source(source, later, store, settings=settings)
    assert broken.log.count("/robots.txt") == 2 * 3  # asked again next run (3 attempts each)


def test_failed_attempts_are_archived_too(server, store, settings, interval):
    huge = server.route("/huge", endless_route(server.log, 5 * 1024 * 1024, declare_length=True))
    flaky = server.route("/flaky", sequence_route(status_route(503), page_route("Back")))
    collection = collect_source(
        _source(server, _feed(server, [huge, flaky])), interval, store, settings=settings
    )
    assert [page.url for page in collection.pages] == [flaky]
    records = [
        (
            r.rec_headers.get_header("WARC-Target-URI"),
            r.http_headers.get_statuscode(),
            r.rec_headers,
        )
        for r in ArchiveIterator(io.BytesIO(store.get(collection.raw_key)))
        if r.rec_type == "response"
    ]
    by_url = {}
    for url, status, headers in records:
        by_url.setdefault(url, []).append((status, headers.get_header("WARC-Truncated")))
    assert by_url[huge] == [("200", "length")]  # headers kept, oversized body not stored
    assert by_url[flaky] == [("503", None), ("200", None)]  # the retry history is visible


def test_gone_urls_are_not_asked_again(server, store, settings, interval):
    missing = server.url("/deleted-story")
    feed_url = _feed(server, [missing])
    first = collect_source(_source(server, feed_url), interval, store, settings=settings)
    assert [(o.outcome, o.reason) for o in first.outcomes] == [("failed", "http_404")]
    later = Interval(interval.end, interval.end + timedelta(hours=1))
    second = collect_source(_source(server, feed_url), later, store, settings=settings)
    assert [(o.outcome, o.reason) for o in second.outcomes] == [("skipped", "gone")]
    assert server.log.count("/deleted-story") == 1
