"""``sources check``: each source's robots.txt, feeds, sitemaps and one article, through
the real client against loopback servers, and what the operator is told."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from defence_news.cli import main
from defence_news.fetch.check import NETWORK_HINT, check_source, check_sources, hint_for
from defence_news.sources import REGISTRY_ENV, Source
from tests.unit.fetch.faulty_server import (
    FaultyServer,
    page_route,
    status_route,
    text_route,
)
from tests.unit.fetch.feed_builders import rss

NEWEST = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
# An article page written for this test: four paragraphs a reader would call a story.
STORY_TITLE = "Coastal radar chain completed along the northern straits"
STORY_PARAGRAPHS = (
    "The last of six coastal radar stations along the northern straits was switched on "
    "on Tuesday, the navy said, closing a gap in coverage that dated back a decade.",
    "The stations feed a joint picture shared with the coast guard and the air force, and "
    "can follow small fast boats as well as merchant ships in every kind of weather.",
    "Engineers from the two neighbouring countries installed the equipment under a training "
    "agreement signed last spring, and will stay on for a year to train local crews.",
    "Officials said the chain would be handed over to the maritime command in June, once "
    "the crews have passed their final checks and the spare parts have been delivered.",
)
STORY_WORDS = sum(len(paragraph.split()) for paragraph in STORY_PARAGRAPHS)
# CLI runs read fetch settings from the environment: no retries, short timeouts.
FAST_ENV = {
    "DEFENCE_NEWS_FETCH_RETRIES": "0",
    "DEFENCE_NEWS_FETCH_CONNECT_TIMEOUT": "2",
    "DEFENCE_NEWS_FETCH_TOTAL_TIMEOUT": "5",
}


def story_page() -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in STORY_PARAGRAPHS)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{STORY_TITLE} | Harbour Watch</title>"
        '<meta property="article:published_time" content="2026-03-10T09:30:00Z">'
        f"</head><body><article><h1>{STORY_TITLE}</h1>{body}</article></body></html>"
    ).encode()


def loopback_source(server: FaultyServer, **fields: object) -> Source:
    return Source(
        id="harbour_watch",
        name="Harbour Watch",
        publisher="Harbour Watch Media",
        homepage=server.url("/"),
        crawl_delay=0.0,
        allow_private=True,  # its own origin only: the loopback server
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in FAST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DEFENCE_NEWS_FETCH_ALLOW_PRIVATE", raising=False)
    return monkeypatch


def write_registry(folder: Path, text: str) -> Path:
    path = folder / "mine.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- the offline seed site, through a registry file and the command -------------------------


def test_the_seed_site_checks_ok_from_an_operators_registry(
    seed_site: str, tmp_path: Path, env: pytest.MonkeyPatch, capsys
) -> None:
    path = write_registry(
        tmp_path,
        f"""\
        mode: replace
        sources:
          meridian:
            name: Meridian seed site
            publisher: The Meridian Defence Post
            homepage: {seed_site}/
            feeds: [{seed_site}/feed.xml]
            sitemaps: [{seed_site}/sitemap.xml]
            include: ['/20\\d\\d/\\d\\d/\\d\\d/']
            crawl_delay: 0
            allow_private: true
        """,
    )
    env.setenv(REGISTRY_ENV, str(path))
    assert main(["sources", "check"]) == 0
    out = capsys.readouterr().out
    assert f"registry: 1 source: {path} (replace): 1" in out
    assert "meridian (Meridian seed site): ok" in out
    assert "read; allows 3 of the entry's 3 URLs here" in out
    # 15 items in the seed feed, one of them a video page the include rule leaves out.
    assert "RSS feed, 15 items (14 pass include/exclude), newest 2026-01-22 04:15 UTC" in out
    assert f"the newest, {seed_site}/news-sitemap.xml, lists 11 items" in out
    article = next(line for line in out.splitlines() if "Rafale" in line)
    assert article.strip().startswith('"Indonesia’s first Rafale fighters arrive from France" (')
    assert int(article.split("(")[1].split()[0]) > 150  # words: the whole story, not a teaser
    assert out.rstrip().endswith("1 source checked: 1 ok")


# -- a faulty site: what fails, and the hint for each -------------------------------------


def test_each_failure_is_named_with_a_hint(server: FaultyServer, settings) -> None:
    server.robots = text_route("User-agent: *\nDisallow: /private/\n", "text/plain")
    server.route("/news/short", page_route("Brief", "Too short to be a story."))
    feed = rss([(server.url("/news/short"), NEWEST), (server.url("/video/clip"), NEWEST)])
    server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    server.route("/blocked.xml", status_route(403))
    server.route("/moved.xml", page_route("Welcome to Harbour Watch", "Latest news below."))
    server.route("/private/feed.xml", text_route(feed, "application/rss+xml"))
    server.route("/index.xml", text_route(sitemap_index(server.url("/child.xml")), "text/xml"))
    server.route("/child.xml", status_route(503))
    source = loopback_source(
        server,
        feeds=tuple(server.url(p) for p in ("/feed.xml", "/blocked.xml", "/moved.xml")),
        sitemaps=(
            server.url("/private/feed.xml"),
            server.url("/gone.xml"),
            server.url("/index.xml"),
        ),
        exclude=("/video/",),
    )
    check = check_source(source, dataclasses.replace(settings, retries=0))
    by_url = {finding.url: finding for finding in check.findings}

    robots = by_url[server.url("/robots.txt")]
    assert not robots.ok and robots.reason == "robots_disallowed"
    assert robots.summary.endswith(f"forbids {server.url('/private/feed.xml')}")
    assert by_url[server.url("/feed.xml")].ok
    assert by_url[server.url("/feed.xml")].summary == (
        "RSS feed, 2 items (1 pass include/exclude), newest 2026-03-10 09:30 UTC"
    )
    blocked = by_url[server.url("/blocked.xml")]
    assert (blocked.reason, blocked.hint.split(":")[0]) == (
        "http_403",
        "blocked, check user agent / robots",
    )
    moved = by_url[server.url("/moved.xml")]
    assert moved.reason == "html_page" and "the feed has moved" in moved.hint
    forbidden = by_url[server.url("/private/feed.xml")]
    assert forbidden.reason == "robots_disallowed"
    assert "/private/feed.xml" not in server.log.paths()  # robots forbids: never requested
    gone = by_url[server.url("/gone.xml")]
    assert gone.reason == "http_404" and gone.hint.startswith("not found")
    index = by_url[server.url("/index.xml")]
    assert index.reason == "http_503" and "server error" in index.hint
    assert index.summary.startswith(
        f"sitemap index of 1 sitemap; the newest, {server.url('/child.xml')}"
    )
    article = by_url[server.url("/news/short")]
    assert not article.ok and article.reason.startswith("not_article")
    assert "parse_rules" in article.hint
    assert not check.ok and not check.unreachable

    shown = check.render()
    assert shown.splitlines()[0] == "harbour_watch (Harbour Watch): 7 problems"
    assert shown.count("hint: robots.txt forbids this URL") == 1  # one hint, however many URLs


def test_an_article_is_fetched_and_parsed_with_its_title_and_word_count(
    server: FaultyServer, settings
) -> None:
    older = NEWEST - timedelta(days=2)
    server.route("/2026/03/10/radar", text_route(story_page(), "text/html; charset=utf-8"))
    listed = [(server.url("/2026/03/08/older"), older), (server.url("/2026/03/10/radar"), NEWEST)]
    server.route("/feed.xml", text_route(rss(listed), "application/rss+xml"))
    source = loopback_source(server, feeds=(server.url("/feed.xml"),))
    (check,) = check_sources([source], settings)
    article = check.findings[-1]
    assert (article.step, article.url, article.ok) == (
        "article",
        server.url("/2026/03/10/radar"),
        True,
    )
    assert article.summary == (
        f'"{STORY_TITLE}" ({STORY_WORDS} words, published 2026-03-10 09:30 UTC)'
    )
    assert "/2026/03/08/older" not in server.log.paths()  # one article: the newest
    assert check.ok


def sitemap_index(child: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{child}</loc><lastmod>2026-03-10T09:30:00Z</lastmod></sitemap>"
        "</sitemapindex>"
    ).encode()


# -- no network: said per source, and the command ends normally -----------------------------


def test_an_unresolvable_host_says_no_network_or_wrong_host(
    tmp_path: Path, env: pytest.MonkeyPatch, capsys
) -> None:
    # .invalid never resolves (RFC 6761): what every host looks like on a machine offline.
    path = write_registry(
        tmp_path,
        """\
        sources:
          harbour_watch:
            name: Harbour Watch
            publisher: Harbour Watch Media
            homepage: https://harbour-watch.invalid/
            feeds: [https://harbour-watch.invalid/feed/]
            sitemaps: [https://harbour-watch.invalid/news-sitemap.xml]
        """,
    )
    env.setenv(REGISTRY_ENV, str(path))
    assert main(["sources", "check", "--source", "harbour_watch"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert f"harbour_watch (Harbour Watch): UNREACHABLE ({NETWORK_HINT})" in out
    assert out.count(f"hint: {NETWORK_HINT}: the host name does not resolve") == 1
    assert out.count("FAIL") == 4  # robots.txt, the feed, the sitemap, no article to try
    assert "1 source checked: 0 ok, 1 with problems (harbour_watch)" in out
    assert f"No source could be reached: {NETWORK_HINT}." in out


def test_a_bad_registry_stops_the_check_with_one_line(
    tmp_path: Path, env: pytest.MonkeyPatch, capsys
) -> None:
    path = write_registry(tmp_path, "sources:\n  harbour_watch: {name: H}\n")
    env.setenv(REGISTRY_ENV, str(path))
    assert main(["sources", "check"]) == 2
    assert capsys.readouterr().err == (
        f"defence_news: {REGISTRY_ENV} file {path}, line 2: source 'harbour_watch': "
        "field 'publisher' is required (non-empty text)\n"
    )


@pytest.mark.parametrize(
    ("reason", "hint"),
    [
        ("dns_error", NETWORK_HINT),
        ("http_403", "blocked, check user agent / robots"),
        ("http_502", "the site has a server error"),
        ("http_418", "the site refuses the request"),
        ("content_type:application/pdf", "not a web page: the address serves application/pdf"),
        ("tls_error", "TLS failed"),
    ],
)
def test_hints(reason: str, hint: str) -> None:
    assert hint_for(reason).startswith(hint)


def test_a_bug_met_on_one_source_is_reported_and_the_others_still_checked(
    make_server, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import defence_news.fetch.check as check_module

    broken, healthy = make_server(), make_server()
    for server in (broken, healthy):
        server.route("/2026/03/10/radar", text_route(story_page(), "text/html; charset=utf-8"))
        feed = rss([(server.url("/2026/03/10/radar"), NEWEST)])
        server.route("/feed.xml", text_route(feed, "application/rss+xml"))
    real_parse = check_module.parse_discovery_document

    def parse_or_fail(body: bytes, base_url: str, max_items: int = 1000):  # type: ignore[no-untyped-def]
        if base_url.startswith(broken.base_url):
            raise RuntimeError("discovery bug")
        return real_parse(body, base_url, max_items)

    monkeypatch.setattr(check_module, "parse_discovery_document", parse_or_fail)
    first = dataclasses.replace(
        loopback_source(broken, feeds=(broken.url("/feed.xml"),)), id="first"
    )
    second = loopback_source(healthy, feeds=(healthy.url("/feed.xml"),))
    checks = list(check_sources([first, second], settings))
    assert [check.source_id for check in checks] == ["first", "harbour_watch"]
    (finding,) = checks[0].findings
    assert finding.reason == "internal_error" and "discovery bug" in finding.summary
    assert checks[1].ok
