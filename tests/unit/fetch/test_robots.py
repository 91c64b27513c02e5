"""robots.txt as RFC 9309 reads it, through the real client against a loopback server.

Every rule set here is the project's own fixture, written to exercise one case of the
RFC (longest match, ties, ``$`` and ``*``, percent-encoding, group selection...). The
server's request log is the proof: a path robots.txt forbids is never requested.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import time

from requests.utils import requote_uri

from defence_news.fetch import FetchSettings, PoliteClient, RunManifest, collect_source
from defence_news.fetch.politeness import ROBOTS_MAX_BYTES, RobotsRules
from defence_news.interval import Interval
from defence_news.sources import Source
from defence_news.store import LocalStore
from tests.unit.fetch.faulty_server import FaultyServer, page_route, status_route, text_route
from tests.unit.fetch.feed_builders import IN_INTERVAL, news_sitemap, rss, sitemap_index

# The example of issue 13: the standard library's parser allowed all three forbidden URLs.
ISSUE_EXAMPLE = "\n".join(
    [
        "User-agent: *",
        "Disallow: /*?utm_",
        "Disallow: /search$",
        "Allow: /news/",
        "Disallow: /news/private",
        "",
    ]
)


def verdicts(
    server: FaultyServer, settings: FetchSettings, robots: str | bytes, paths: list[str]
) -> dict[str, bool]:
    """Fetch each path under ``robots``; whether it was allowed, checked against the
    server's log: robots.txt once, then exactly the allowed paths, in order."""
    server.robots = text_route(robots, "text/plain")
    for path in paths:
        server.route(requote_uri(path).split("?", 1)[0], page_route(f"Page {path}"))
    allowed: dict[str, bool] = {}
    with PoliteClient(settings) as client:
        for path in paths:
            result = client.fetch(server.url(path))
            assert result.ok or result.reason == "robots_disallowed", (path, result.reason)
            allowed[path] = result.ok
    requested = [requote_uri(path) for path in paths if allowed[path]]
    assert server.log.paths() == ["/robots.txt", *requested]  # forbidden: never asked for
    return allowed


def test_issue_example_wildcard_end_anchor_and_longest_match(server, settings):
    allowed = verdicts(
        server,
        settings,
        ISSUE_EXAMPLE,
        [
            "/a?utm_source=1",
            "/a?page=2",
            "/search",
            "/search/archive",
            "/search?q=frigate",  # "$" anchors the end of path and query together
            "/news/private/1",
            "/news/frigate-launch",
        ],
    )
    assert allowed == {
        "/a?utm_source=1": False,
        "/a?page=2": True,
        "/search": False,
        "/search/archive": True,
        "/search?q=frigate": True,
        "/news/private/1": False,
        "/news/frigate-launch": True,
    }


def test_issue_example_ends_as_skipped_robots_disallowed_in_a_collection(
    server, settings, interval, tmp_path
):
    server.robots = text_route(ISSUE_EXAMPLE, "text/plain")
    forbidden = server.url("/news/private/memo")
    story = server.route("/news/story", page_route("Story", "Ships sailed."))
    feed = server.route("/feed.xml", text_route(rss([(forbidden, IN_INTERVAL)]), "text/xml"))
    server.route("/feed2.xml", text_route(rss([(story, IN_INTERVAL)]), "text/xml"))
    source = Source(
        id="wire",
        name="Wire",
        publisher="T",
        homepage=server.url("/"),
        feeds=(feed, server.url("/feed2.xml")),
    )
    store = LocalStore(tmp_path / "store")
    collection = collect_source(source, interval, store, settings=settings)
    outcomes = {outcome.url: (outcome.outcome, outcome.reason) for outcome in collection.outcomes}
    assert outcomes[forbidden] == ("skipped", "robots_disallowed")
    assert [page.url for page in collection.pages] == [story]
    manifest = RunManifest(source.id, interval, list(collection.outcomes))
    assert manifest.reasons() == {"skipped:robots_disallowed": 1}
    assert server.log.count("/news/private/memo") == 0


def test_the_longest_matching_rule_wins_whatever_its_line(server, settings):
    robots = (
        "User-agent: *\n"
        "Allow: /docs/\n"
        "Disallow: /docs/drafts/\n"  # longer than the Allow above it
        "Disallow: /reports/\n"
        "Allow: /reports/public/\n"  # longer than the Disallow above it
        "Disallow: /*.json\n"
        "Allow: /api/open/\n"  # 10 characters beat the 7 of "/*.json"
    )
    allowed = verdicts(
        server,
        settings,
        robots,
        ["/docs/guide", "/docs/drafts/1", "/reports/2025", "/reports/public/2025",
         "/data/feed.json", "/api/open/feed.json"],
    )  # fmt: skip
    assert allowed == {
        "/docs/guide": True,
        "/docs/drafts/1": False,
        "/reports/2025": False,
        "/reports/public/2025": True,
        "/data/feed.json": False,
        "/api/open/feed.json": True,
    }


def test_allow_wins_a_tie_between_rules_of_equal_length(server, settings):
    robots = (
        "User-agent: *\n"
        "Disallow: /tie/\n"
        "Allow: /tie/\n"
        "Disallow: /folder*\n"  # eight characters, like the Allow below
        "Allow: /folder/\n"
    )
    allowed = verdicts(server, settings, robots, ["/tie/page", "/folder/page", "/folders"])
    assert allowed == {"/tie/page": True, "/folder/page": True, "/folders": False}


def test_dollar_anchors_the_end_of_the_url(server, settings):
    robots = "User-agent: *\nDisallow: /*.pdf$\nAllow: /$\nDisallow: /only-root/\n"
    allowed = verdicts(
        server,
        settings,
        robots,
        ["/files/brief.pdf", "/files/brief.pdf?download=1", "/files/brief.pdf.html", "/"],
    )
    assert allowed == {
        "/files/brief.pdf": False,
        "/files/brief.pdf?download=1": True,
        "/files/brief.pdf.html": True,
        "/": True,
    }


def test_star_matches_any_run_of_characters_mid_pattern(server, settings):
    robots = "User-agent: *\nDisallow: /shop/*/checkout\nDisallow: /*/print\n"
    allowed = verdicts(
        server,
        settings,
        robots,
        ["/shop/7/checkout", "/shop/a/b/checkout", "/shop/7/basket", "/news/1/print", "/print"],
    )
    assert allowed == {
        "/shop/7/checkout": False,
        "/shop/a/b/checkout": False,
        "/shop/7/basket": True,
        "/news/1/print": False,
        "/print": True,
    }


def test_percent_encoded_and_plain_spellings_compare_equal(server, settings):
    robots = "User-agent: *\nDisallow: /caf%C3%A9/\nDisallow: /été/\nDisallow: /archive/\n"
    allowed = verdicts(
        server,
        settings,
        robots,
        [
            "/café/menu",  # plain URL, encoded rule
            "/%C3%A9t%C3%A9/plan",  # encoded URL, plain rule
            "/%c3%a9t%c3%a9/plan",  # hex digits in either case
            "/%61rchive/2024",  # an encoded unreserved octet ("a") is decoded first
            "/archive%2F2024",  # an encoded reserved "/" is not: no match
        ],
    )
    assert allowed == {
        "/café/menu": False,
        "/%C3%A9t%C3%A9/plan": False,
        "/%c3%a9t%c3%a9/plan": False,
        "/%61rchive/2024": False,
        "/archive%2F2024": True,
    }


def test_our_own_group_replaces_the_star_group(server, settings):
    robots = (
        "User-agent: *\n"
        "Disallow: /\n"
        "\n"
        "User-agent: OtherBot\n"
        "Allow: /\n"
        "\n"
        "user-agent: defencenewsbot\n"  # product tokens compare case-insensitively
        "Disallow: /members/\n"
    )
    allowed = verdicts(server, settings, robots, ["/news/1", "/members/briefing"])
    assert allowed == {"/news/1": True, "/members/briefing": False}


def test_a_group_named_after_a_prefix_of_our_token_is_not_ours(server, settings):
    robots = (
        "User-agent: Defence\n"  # another crawler, whose name our token happens to start with
        "Disallow: /\n"
        "\n"
        "User-agent: *\n"
        "Disallow: /private/\n"
    )
    allowed = verdicts(server, settings, robots, ["/news/1", "/private/1"])
    assert allowed == {"/news/1": True, "/private/1": False}


def test_groups_naming_our_bot_twice_are_combined(server, settings):
    robots = (
        "User-agent: DefenceNewsBot\n"
        "Disallow: /drafts/\n"
        "\n"
        "User-agent: *\n"
        "Disallow: /\n"
        "\n"
        "User-agent: DefenceNewsBot\n"
        "Disallow: /staff/\n"
    )
    allowed = verdicts(server, settings, robots, ["/drafts/1", "/staff/1", "/news/1"])
    assert allowed == {"/drafts/1": False, "/staff/1": False, "/news/1": True}


def test_a_group_with_several_user_agent_lines_applies_to_each(server, settings):
    robots = (
        "User-agent: OtherBot\n"
        "User-agent: DefenceNewsBot\n"
        "User-agent: ThirdBot\n"
        "Disallow: /shared/\n"
        "User-agent: LaterBot\n"  # a user-agent line after rules starts a new group
        "Disallow: /later/\n"
        "\n"
        "User-agent: *\n"
        "Disallow: /\n"
    )
    allowed = verdicts(server, settings, robots, ["/shared/x", "/later/x", "/news/1"])
    assert allowed == {"/shared/x": False, "/later/x": True, "/news/1": True}


def test_rules_outside_any_group_are_ignored(server, settings):
    robots = (
        "Disallow: /orphan/\n"  # before any user-agent line: belongs to no group
        "\n"
        "User-agent: *\n"
        "Disallow: /private/\n"
        "Sitemap: https://cdn.example.org/sitemap.xml\n"  # site-wide: does not end the group
        "Disallow: /after-sitemap/\n"
    )
    allowed = verdicts(server, settings, robots, ["/orphan/x", "/private/x", "/after-sitemap/x"])
    assert allowed == {"/orphan/x": True, "/private/x": False, "/after-sitemap/x": False}


def test_comments_and_empty_rules_forbid_nothing_extra(server, settings):
    robots = (
        "# the whole site, bar one folder\n"
        "User-agent: *   # every crawler\n"
        "Disallow:\n"  # empty: forbids nothing
        "Disallow: /staff/ # staff only\n"
        "Disallow: #/everything\n"  # only a comment after the colon: empty too
    )
    allowed = verdicts(server, settings, robots, ["/staff/rota", "/news/1", "/everything"])
    assert allowed == {"/staff/rota": False, "/news/1": True, "/everything": True}


def test_a_byte_order_mark_does_not_hide_the_first_line(server, settings):
    robots = "\ufeffUser-agent: *\nDisallow: /private/\n".encode()
    allowed = verdicts(server, settings, robots, ["/private/x", "/public/x"])
    assert allowed == {"/private/x": False, "/public/x": True}


def test_an_over_large_robots_txt_is_read_to_500_kib_and_no_further(server, settings):
    head = "User-agent: *\nDisallow: /early/\n"
    padding = "# " + "x" * 97 + "\n"  # 100-byte comment lines
    cut_line = "Disallow: /nothing-private/\n"
    keep = len("Disallow: /n")  # the 500 KiB cut falls right after these characters
    filler = padding * ((ROBOTS_MAX_BYTES - len(head) - keep) // len(padding))
    filler += "#" * (ROBOTS_MAX_BYTES - len(head) - keep - len(filler) - 1) + "\n"
    text = head + filler + cut_line + padding * 1000 + "Disallow: /late/\n"
    assert len((head + filler).encode()) + keep == ROBOTS_MAX_BYTES and len(text) > 600_000
    allowed = verdicts(server, settings, text, ["/early/x", "/nothing", "/late/x"])
    # The rule cut in half is dropped, not read as "Disallow: /n"; the rule past the
    # limit is not read at all (RFC 9309 2.5 lets a crawler stop at 500 KiB).
    assert allowed == {"/early/x": False, "/nothing": True, "/late/x": True}


def test_a_robots_txt_larger_than_the_page_size_cap_is_still_read(server, settings):
    text = "User-agent: *\nDisallow: /early/\n" + "# filler line\n" * 50_000  # 700 kB
    small_pages = dataclasses.replace(settings, max_bytes=64 * 1024)
    allowed = verdicts(server, small_pages, text, ["/early/x", "/news/1"])
    # Not a too_large failure, which would read as "robots.txt unreachable: crawl nothing".
    assert allowed == {"/early/x": False, "/news/1": True}


def test_missing_robots_txt_means_crawl_freely(server, settings):
    server.robots = status_route(404)
    url = server.route("/anything", page_route("Free"))
    with PoliteClient(settings) as client:
        assert client.fetch(url).ok
        assert client.robots_sitemaps(url) == []
    assert server.log.paths() == ["/robots.txt", "/anything"]


def test_robots_txt_answering_500_means_crawl_nothing(server, settings):
    server.robots = status_route(500)
    url = server.route("/anything", page_route("Forbidden by silence"))
    with PoliteClient(settings) as client:
        result = client.fetch(url)
        assert client.robots_sitemaps(url) == []
    assert result.reason == "robots_unreachable"
    assert server.log.paths() == ["/robots.txt"] * (settings.retries + 1)  # never the page


def test_robots_txt_answering_429_means_crawl_nothing_yet(server, settings):
    server.robots = status_route(429)  # "too many requests" is no licence to crawl it all
    url = server.route("/anything", page_route("Not now"))
    with PoliteClient(settings) as client:
        result = client.fetch(url)
    assert result.reason == "robots_unreachable"
    assert "/anything" not in server.log.paths()


def paced_times(server: FaultyServer, settings: FetchSettings, robots: str) -> list[float]:
    server.robots = text_route(robots, "text/plain")
    urls = [server.route(f"/paced/{n}", page_route(f"Paced {n}")) for n in range(3)]
    with PoliteClient(settings) as client:
        assert all(client.fetch(url).ok for url in urls)
    return server.log.times("/paced/")


def test_crawl_delay_of_our_group_spaces_requests(server, settings):
    robots = "User-agent: *\nCrawl-delay: 30\n\nUser-agent: DefenceNewsBot\nCrawl-delay: 0.3\n"
    times = paced_times(server, settings, robots)  # the star group's 30 s would time them out
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.25  # as the server saw them (0.3 s less scheduling jitter)
    assert RobotsRules.from_text(robots, 0.0).crawl_delay(settings.user_agent) == 0.3


def test_groups_match_our_product_token_not_words_of_our_user_agent(server, settings):
    # Our User-Agent header reads "DefenceNewsBot/0.1 (+https://github.com/...; ... crawler)".
    robots = "User-agent: crawler\nDisallow: /\n\nUser-agent: github\nDisallow: /\n"
    allowed = verdicts(server, settings, robots, ["/news/1"])
    assert allowed == {"/news/1": True}


def test_request_rate_is_honoured_as_a_minimum_delay(server, settings):
    robots = "User-agent: DefenceNewsBot\nCrawl-delay: 0.1\nRequest-rate: 10/3\n"  # 0.3 s each
    times = paced_times(server, settings, robots)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.25  # the slower of the two wins (not 0.1 s)


def test_request_rate_beyond_the_crawl_delay_limit_skips_the_host(server, settings):
    server.robots = text_route("User-agent: *\nRequest-rate: 1/2m\n", "text/plain")
    url = server.route("/slow", page_route("Slow"))
    with PoliteClient(settings) as client:
        result = client.fetch(url)
    assert result.reason == "crawl_delay_too_long"
    assert "120s" in (result.detail or "")
    assert server.log.paths() == ["/robots.txt"]


SITEMAPS = (
    "Sitemap: https://cdn.example.org/news-sitemap.xml\n"  # before any group
    "User-agent: *\n"
    "Disallow: /private/\n"
    "Sitemap: /sitemaps/main.xml\n"  # relative: resolved against robots.txt
    "sitemap:https://cdn.example.org/news-sitemap.xml\n"  # the same one again
    "Site-map: ftp://files.example.org/map.xml\n"  # not http(s): no use to us
)


def test_sitemap_lines_are_exposed_for_discovery(server, settings):
    server.robots = text_route(SITEMAPS, "text/plain")
    expected = ["https://cdn.example.org/news-sitemap.xml", server.url("/sitemaps/main.xml")]
    with PoliteClient(settings) as client:
        assert client.robots_sitemaps(server.base_url) == expected
        assert client.robots_sitemaps(server.url("/any/page?x=1")) == expected
        assert client.fetch(server.url("/private/x")).reason == "robots_disallowed"
        rules = client.robots_for(server.base_url)
    assert rules.sitemaps == (
        "https://cdn.example.org/news-sitemap.xml",
        "/sitemaps/main.xml",
        "https://cdn.example.org/news-sitemap.xml",
        "ftp://files.example.org/map.xml",
    )  # as written; the client resolves and filters them
    assert server.log.paths() == ["/robots.txt"]  # one robots.txt for all of it


def test_cached_rules_keep_rfc_semantics_and_sitemaps_across_runs(server, settings):
    server.robots = text_route(ISSUE_EXAMPLE + SITEMAPS, "text/plain")
    with PoliteClient(settings) as first:
        first.robots_for(server.base_url)
        records = json.loads(json.dumps(first.robots_records()))  # as the state stores them
    server.robots = status_route(500)  # asking again would now forbid everything
    with PoliteClient(settings, robots_cache=records) as second:
        assert second.fetch(server.url("/a?utm_source=1")).reason == "robots_disallowed"
        assert second.robots_sitemaps(server.base_url)[0] == (
            "https://cdn.example.org/news-sitemap.xml"
        )
    assert server.log.paths() == ["/robots.txt"]


def test_cache_records_written_before_protego_still_load(make_server, settings):
    parsed, absent = make_server(), make_server()
    for site in (parsed, absent):
        site.robots = status_route(500)  # the cache must answer, not the server
        site.route("/search", page_route("Search"))
    records = {  # the record shapes the standard-library version wrote
        parsed.base_url: {"status": "parsed", "text": ISSUE_EXAMPLE, "fetched_at": time.time()},
        absent.base_url: {"status": "absent", "fetched_at": time.time()},
    }
    with PoliteClient(settings, robots_cache=records) as client:
        assert client.fetch(parsed.url("/search")).reason == "robots_disallowed"
        assert client.fetch(absent.url("/search")).ok
    assert parsed.log.paths() == [] and absent.log.paths() == ["/search"]


def test_stale_cache_records_are_asked_again(server, settings):
    stale = time.time() - FetchSettings().robots_ttl - 1
    records = {server.base_url: {"status": "parsed", "text": ISSUE_EXAMPLE, "fetched_at": stale}}
    server.route("/search", page_route("Search"))
    with PoliteClient(settings, robots_cache=records) as client:
        assert client.fetch(server.url("/search")).ok  # the default robots.txt allows all
    assert server.log.paths() == ["/robots.txt", "/search"]


def _wire(server: FaultyServer, **fields: object) -> Source:
    return Source(id="wire", name="Wire", publisher="T", homepage=server.url("/"), **fields)  # type: ignore[arg-type]


def test_urls_robots_forbids_take_no_place_under_the_cap(server, settings, interval, store):
    server.robots = text_route(ISSUE_EXAMPLE, "text/plain")
    forbidden = [server.url(f"/news/private/{n}") for n in range(3)]
    allowed = [server.route(f"/news/{n}", page_route(f"Story {n}")) for n in range(2)]
    listed = [(url, IN_INTERVAL) for url in forbidden + allowed]  # the forbidden are newest
    feed = server.route("/feed.xml", text_route(rss(listed), "text/xml"))
    source = _wire(server, feeds=(feed,), max_per_run=2)
    collection = collect_source(source, interval, store, settings=settings)
    assert sorted(page.url for page in collection.pages) == sorted(allowed)
    assert {o.url: (o.outcome, o.reason) for o in collection.outcomes} == dict.fromkeys(
        forbidden, ("skipped", "robots_disallowed")
    )  # none deferred: the cap of two went to the pages that may be fetched
    assert not any(path.startswith("/news/private/") for path in server.log.paths())


def _sitemap(server: FaultyServer, path: str, story: str) -> str:
    url = server.route(story, page_route(f"Story at {story}"))
    return server.route(path, text_route(news_sitemap([(url, IN_INTERVAL)]), "application/xml"))


def test_robots_sitemaps_join_the_sources_discovery(server, settings, interval, store):
    declared = _sitemap(server, "/declared.xml", "/from-declared")
    _sitemap(server, "/sitemaps/news.xml", "/from-relative")
    child = _sitemap(server, "/sitemaps/2026-03.xml", "/from-index-child")
    server.route(
        "/sitemaps/index.xml",
        text_route(sitemap_index([(child, IN_INTERVAL)]), "application/xml"),
    )
    server.robots = text_route(
        "User-agent: *\nDisallow: /private/\n"
        "Sitemap: /sitemaps/news.xml\n"  # relative to robots.txt
        f"Sitemap: {server.url('/sitemaps/index.xml')}\n"  # an index: its child is read too
        f"Sitemap: {declared}\n",  # the registry lists it already: read once
        "text/plain",
    )
    collection = collect_source(
        _wire(server, sitemaps=(declared,)), interval, store, settings=settings
    )
    assert sorted(page.url for page in collection.pages) == [
        server.url(path) for path in ("/from-declared", "/from-index-child", "/from-relative")
    ]
    assert collection.documents_read == 4 and not collection.source_errors
    assert server.log.count("/declared.xml") == 1 and server.log.count("/robots.txt") == 1


def test_robots_sitemaps_past_the_cap_are_read_in_later_runs(server, settings, interval, store):
    paths = [f"/sitemaps/{n}.xml" for n in range(3)]
    for n, path in enumerate(paths):
        _sitemap(server, path, f"/story/{n}")
    server.robots = text_route("".join(f"Sitemap: {p}\n" for p in paths), "text/plain")
    feed = server.route("/feed.xml", text_route(rss([]), "text/xml"))
    source = _wire(server, feeds=(feed,))
    capped = dataclasses.replace(settings, max_child_sitemaps=2)
    first = collect_source(source, interval, store, settings=capped)
    assert len(first.pages) == 2 and first.deferred_sitemaps == 1
    assert any("1 of 3 child sitemaps left for later runs" in note for note in first.notes)
    later = Interval(interval.end, interval.end + (interval.end - interval.start))
    second = collect_source(source, later, store, settings=capped)
    assert {page.url for page in first.pages + second.pages} == {
        server.url(f"/story/{n}") for n in range(3)
    }
    assert sorted(p for p in server.log.paths() if p.startswith("/sitemaps/")) == sorted(
        [*paths, *paths[:1]]  # the third read on the second run, with the longest unread
    )
