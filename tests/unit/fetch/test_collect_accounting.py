"""Every URL a source lists is accounted for, and nothing a cap or budget leaves out is lost.

collect_source on loopback: malformed items are outcomes, caps and the time budget
defer (recorded, carried to the next run), a sitemap index's children are all read
over runs, and a source that could read or fetch nothing says why.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from defence_news.fetch import RunManifest, collect_source, collection_failure
from defence_news.fetch.state import load_state
from defence_news.interval import Interval
from defence_news.sources import Source
from tests.unit.fetch.faulty_server import (
    page_route,
    slow_route,
    status_route,
    text_route,
)
from tests.unit.fetch.feed_builders import IN_INTERVAL, news_sitemap, rss, sitemap_index


def _source(server, *, feeds=(), sitemaps=(), id="wire", **fields) -> Source:  # type: ignore[no-untyped-def]
    return Source(
        id=id,
        name="Wire",
        publisher="T",
        homepage=server.url("/"),
        feeds=tuple(feeds),
        sitemaps=tuple(sitemaps),
        **fields,
    )


def _stories(server, count: int, prefix: str = "story") -> list[str]:  # type: ignore[no-untyped-def]
    return [server.route(f"/{prefix}/{n}", page_route(f"Story {n}")) for n in range(count)]


def _rss_route(server, urls: list[str], path: str = "/feed.xml") -> str:  # type: ignore[no-untyped-def]
    body = rss([(url, IN_INTERVAL - timedelta(minutes=n)) for n, url in enumerate(urls)])
    return server.route(path, text_route(body, "application/rss+xml"))


def _accounted(collection) -> dict[str, str]:  # type: ignore[no-untyped-def]
    manifest = RunManifest(collection.source_id, Interval(IN_INTERVAL, IN_INTERVAL))
    manifest.outcomes = list(collection.outcomes)
    manifest.check()  # each URL exactly once
    found = {o.url: f"{o.outcome}:{o.reason}" for o in collection.outcomes}
    found.update({page.url: "fetched" for page in collection.pages})
    return found


def test_malformed_items_are_outcomes_and_the_rest_of_the_feed_is_collected(
    server, store, settings, interval
):
    good = _stories(server, 2)
    bad = [
        "http://host.example:99999/x",  # port out of range
        "http://[::1/x",  # unclosed IPv6 literal
        "http://[zz::1]/x",  # not an IPv6 address
        "http://host.example:port/x",  # not a number
    ]
    feed = _rss_route(server, [*good, *bad])
    collection = collect_source(_source(server, feeds=[feed]), interval, store, settings=settings)
    accounted = _accounted(collection)
    assert {url: accounted[url] for url in good} == dict.fromkeys(good, "fetched")
    for url in bad:
        assert accounted[url] == "skipped:invalid_url", url
    assert collection_failure(collection) is None


def test_items_past_the_feed_cap_are_deferred_and_fetched_in_later_runs(
    server, store, settings, interval
):
    urls = _stories(server, 30)
    feed = _rss_route(server, urls)
    source = _source(server, feeds=[feed], max_per_run=8)
    capped = replace(settings, max_feed_items=10)
    fetched: list[str] = []
    for run in range(6):
        later = Interval(interval.start + timedelta(days=run), interval.end + timedelta(days=run))
        collection = collect_source(source, later, store, settings=capped)
        accounted = _accounted(collection)
        assert set(urls) <= set(accounted), "a listed URL has no outcome"
        fetched += [page.url for page in collection.pages]
        if run == 0:
            deferred = [u for u, why in accounted.items() if why == "deferred:cap"]
            assert len(fetched) == 8 and len(deferred) == 22
            assert (
                set(load_state(store, "wire").pending)
                and len(load_state(store, "wire").pending) == 22
            )
    assert sorted(fetched) == sorted(urls), "every item is fetched once over the runs"
    assert len(fetched) == len(set(fetched))


def test_every_child_sitemap_of_a_large_index_is_read_over_runs(server, store, settings, interval):
    children = []
    for n in range(25):
        story = server.route(f"/c{n}/story", page_route(f"Child {n}"))
        body = news_sitemap([(story, IN_INTERVAL)])
        children.append(
            (server.route(f"/sitemap-{n}.xml", text_route(body, "application/xml")), IN_INTERVAL)
        )
    index = server.route(
        "/sitemap-index.xml", text_route(sitemap_index(children), "application/xml")
    )
    source = _source(server, sitemaps=[index], max_per_run=100)
    first = collect_source(source, interval, store, settings=settings)
    assert first.deferred_sitemaps == 15
    assert any("15 of 25 child sitemaps left for later runs" in note for note in first.notes)
    for run in (1, 2):
        later = Interval(interval.start + timedelta(days=run), interval.end + timedelta(days=run))
        collect_source(source, later, store, settings=settings)
    read = {
        path
        for path in server.log.paths()
        if path.startswith("/sitemap-") and path != "/sitemap-index.xml"
    }
    assert read == {f"/sitemap-{n}.xml" for n in range(25)}


def test_a_spent_time_budget_defers_the_rest_to_the_next_run(server, store, settings, interval):
    urls = [server.route(f"/slow/{n}", slow_route(0.4, page_route(f"Slow {n}"))) for n in range(6)]
    feed = _rss_route(server, urls)
    source = _source(server, feeds=[feed])
    tight = replace(settings, max_workers=1, source_budget=0.6)
    first = collect_source(source, interval, store, settings=tight)
    accounted = _accounted(first)
    deferred = sorted(u for u, why in accounted.items() if why == "deferred:budget")
    assert first.pages and deferred, accounted
    assert len(first.pages) + len(deferred) == len(urls)
    assert set(load_state(store, "wire").pending) and all(
        entry["url"] in deferred for entry in load_state(store, "wire").pending.values()
    )
    later = Interval(interval.start + timedelta(days=1), interval.end + timedelta(days=1))
    second = collect_source(source, later, store, settings=settings)
    assert sorted(page.url for page in second.pages) == deferred


def test_a_source_whose_feeds_are_all_unreachable_has_failed(server, store, settings, interval):
    gone = server.route("/gone.xml", status_route(503))
    closed = "http://127.0.0.1:9/feed.xml"  # nothing listens on the discard port
    collection = collect_source(
        _source(server, feeds=[gone, closed]), interval, store, settings=settings
    )
    failure = collection_failure(collection)
    assert failure is not None and "none of 2 feeds or sitemaps could be read" in failure


def test_a_source_whose_every_page_fails_has_failed_but_some_failures_do_not(
    server, store, settings, interval
):
    broken = [server.route(f"/broken/{n}", status_route(500)) for n in range(3)]
    all_broken = collect_source(
        _source(server, feeds=[_rss_route(server, broken, "/broken.xml")]),
        interval,
        store,
        settings=replace(settings, retries=0),
    )
    failure = collection_failure(all_broken)
    assert failure is not None and "every page fetch failed (3" in failure

    mixed = [*_stories(server, 2, "fine"), *broken]
    partly = collect_source(
        _source(server, feeds=[_rss_route(server, mixed, "/mixed.xml")], id="mixed"),
        interval,
        store,
        settings=replace(settings, retries=0),
    )
    assert collection_failure(partly) is None
    assert sum(1 for o in partly.outcomes if o.outcome == "failed") == 3
