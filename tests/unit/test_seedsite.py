"""The offline seed site and its server: what a crawler and a parser author rely on."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from defence_news.models import CATEGORIES, STATUSES
from defence_news.seedsite import BASE_URL_PLACEHOLDER, SeedSite, default_root, serve_seed_site

REPO = Path(__file__).resolve().parents[2]
SITE_ROOT = REPO / "seeds" / "site"
GOLDEN_DIR = REPO / "seeds" / "goldens"
SEED_DOCUMENT = REPO / "seeds" / "000_daa3c69061294fcf.txt"
SEED_PAGE_PATH = "/2024/06/18/cambodia-russia-army-mou/"
MIN_FEED_ITEMS = 9  # the seed site promises at least this many stories in its feed
MIN_ARTICLES = 10
NOT_ARTICLE_REASONS = {"index_page", "tag_page", "video_page", "paywall", "too_short"}
TIMEOUT = 5
PARALLEL_CLIENTS = 8  # a crawler with a small pool of workers, as the fetch stage runs
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture(scope="module")
def site() -> Iterator[SeedSite]:
    with serve_seed_site(port=0, root=SITE_ROOT) as running:
        yield running


def get(site: SeedSite, path_or_url: str, **kwargs: object) -> requests.Response:
    url = path_or_url if path_or_url.startswith("http") else site.url(path_or_url)
    return requests.get(url, timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


def load_goldens() -> dict[str, dict]:
    return {
        path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(GOLDEN_DIR.glob("*.json"))
        if not path.name.endswith(".events.json")
    }


def article_goldens() -> dict[str, dict]:
    return {slug: g for slug, g in load_goldens().items() if "not_article" not in g}


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def squash(text: str) -> str:
    return " ".join(text.split())


def rss_links(site: SeedSite) -> list[str]:
    response = get(site, "/feed.xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    return [item.findtext("link") or "" for item in channel.findall("item")]


# ------------------------------------------------------------------ server behaviour


def test_feed_is_rss_whose_items_all_resolve(site: SeedSite) -> None:
    response = get(site, "/feed.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) >= MIN_FEED_ITEMS
    for item in items:
        for field in ("title", "link", "guid", "pubDate", "description"):
            assert (item.findtext(field) or "").strip(), f"item without {field}"
        link = item.findtext("link") or ""
        assert link.startswith(site.base_url + "/")
        assert get(site, link).status_code == 200, link


def test_feed_repeats_one_story_with_a_tracking_parameter(site: SeedSite) -> None:
    links = rss_links(site)
    tracked = [link for link in links if "utm_source=rss" in link]
    assert len(tracked) == 1
    assert urlsplit(tracked[0])._replace(query="").geturl() in links


def test_atom_feed_lists_the_same_items(site: SeedSite) -> None:
    root = ET.fromstring(get(site, "/atom.xml").content)
    atom_links = [
        link.get("href") for link in root.findall("atom:entry/atom:link[@rel='alternate']", NS)
    ]
    assert atom_links == rss_links(site)
    for entry in root.findall("atom:entry", NS):
        published = entry.findtext("atom:published", namespaces=NS) or ""
        assert datetime.fromisoformat(published).tzinfo is not None


def test_sitemap_index_leads_to_news_sitemap_of_served_articles(site: SeedSite) -> None:
    index = ET.fromstring(get(site, "/sitemap.xml").content)
    sitemap_urls = [loc.text or "" for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert sitemap_urls == [site.url("/news-sitemap.xml")]
    news = ET.fromstring(get(site, sitemap_urls[0]).content)
    entries = news.findall("sm:url", NS)
    assert len(entries) >= MIN_ARTICLES
    article_paths = {g["path"] for g in article_goldens().values()}
    for entry in entries:
        loc = entry.findtext("sm:loc", namespaces=NS) or ""
        date = entry.findtext("news:news/news:publication_date", namespaces=NS) or ""
        assert datetime.fromisoformat(date).tzinfo is not None
        assert urlsplit(loc).path in article_paths
        assert get(site, loc).status_code == 200


def test_robots_allows_all_but_admin_and_names_the_sitemap(site: SeedSite) -> None:
    response = get(site, "/robots.txt")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {site.base_url}/sitemap.xml" in lines


def test_placeholder_is_replaced_in_every_text_file(site: SeedSite) -> None:
    text_files = [
        p for p in SITE_ROOT.rglob("*") if p.suffix in {".html", ".xml", ".txt", ".svg", ".css"}
    ]
    assert any(BASE_URL_PLACEHOLDER in p.read_text(encoding="utf-8") for p in text_files)
    for path in text_files:
        url_path = "/" + path.relative_to(SITE_ROOT).as_posix()
        response = get(site, url_path.removesuffix("index.html"))
        assert response.status_code == 200, url_path
        assert "charset=utf-8" in response.headers["Content-Type"]
        assert BASE_URL_PLACEHOLDER not in response.text, url_path


def test_conditional_get_with_etag_or_date_gets_304(site: SeedSite) -> None:
    first = get(site, SEED_PAGE_PATH)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = get(site, SEED_PAGE_PATH, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag.headers["ETag"] == etag
    by_date = get(site, SEED_PAGE_PATH, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    stale = get(site, SEED_PAGE_PATH, headers={"If-None-Match": '"not-the-current-one"'})
    assert stale.status_code == 200 and stale.content == first.content
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    older = get(site, SEED_PAGE_PATH, headers={"If-Modified-Since": long_ago})
    assert older.status_code == 200
    unreadable = get(site, SEED_PAGE_PATH, headers={"If-Modified-Since": "yesterday-ish"})
    assert unreadable.status_code == 200


def test_missing_and_escaping_paths_are_404(site: SeedSite) -> None:
    assert get(site, "/2024/06/18/no-such-story/").status_code == 404
    assert get(site, "/feed.rss").status_code == 404
    raw = requests.Request("GET", site.url("/../../pyproject.toml")).prepare()
    raw.url = site.base_url + "/../../pyproject.toml"  # requests would normalise the dots away
    assert requests.Session().send(raw, timeout=TIMEOUT).status_code == 404
    assert get(site, "/2024/%00/").status_code == 404
    assert get(site, "/" + "x" * 5000).status_code == 404


def test_directory_without_slash_redirects_and_head_has_no_body(site: SeedSite) -> None:
    redirect = get(site, SEED_PAGE_PATH.rstrip("/") + "?utm_source=x", allow_redirects=False)
    assert redirect.status_code == 301
    assert urljoin(redirect.url, redirect.headers["Location"]) == site.url(
        SEED_PAGE_PATH + "?utm_source=x"
    )
    assert get(site, SEED_PAGE_PATH + "index.html").text == get(site, SEED_PAGE_PATH).text
    head = requests.head(site.url(SEED_PAGE_PATH), timeout=TIMEOUT)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(get(site, SEED_PAGE_PATH).content)


def test_parallel_requests_are_all_answered(site: SeedSite) -> None:
    paths = [g["path"] for g in load_goldens().values()]
    with ThreadPoolExecutor(max_workers=PARALLEL_CLIENTS) as pool:
        statuses = list(pool.map(lambda path: get(site, path).status_code, paths * 2))
    assert statuses == [200] * len(paths) * 2


def test_default_root_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "index.html").write_text("<p>{{BASE_URL}}/ home</p>", encoding="utf-8")
    monkeypatch.setenv("DEFENCE_NEWS_SEED_SITE", str(tmp_path))
    assert default_root() == tmp_path
    with serve_seed_site() as other:
        assert get(other, "/").text == f"<p>{other.base_url}/ home</p>"
    monkeypatch.delenv("DEFENCE_NEWS_SEED_SITE")
    assert default_root() == SITE_ROOT


def test_files_in_other_encodings_are_served_byte_for_byte(tmp_path: Path) -> None:
    legacy = "<p>Défense {{BASE_URL}}/a</p>".encode("latin-1")
    (tmp_path / "legacy.html").write_bytes(legacy)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG{{BASE_URL}}")
    with serve_seed_site(root=tmp_path) as other:
        served = get(other, "/legacy.html").content
        assert served == f"<p>Défense {other.base_url}/a</p>".encode("latin-1")
        png = get(other, "/logo.png")
        assert png.headers["Content-Type"] == "image/png"
        assert png.content == b"\x89PNG{{BASE_URL}}"


def test_command_line_serves_until_stopped() -> None:
    command = [
        sys.executable,
        "-m",
        "defence_news.seedsite",
        "--port",
        "0",
        "--root",
        str(SITE_ROOT),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
            assert base_url is not None
            assert requests.get(base_url.group(0) + "/robots.txt", timeout=TIMEOUT).ok
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=TIMEOUT) == 0


def test_command_line_reports_a_taken_port_without_traceback(site: SeedSite) -> None:
    command = [sys.executable, "-m", "defence_news.seedsite", "--port", str(site.port)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT * 2)
    assert done.returncode == 1
    assert "Cannot serve the seed site" in done.stderr
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ pages and goldens


def test_every_golden_path_is_served_as_html(site: SeedSite) -> None:
    goldens = load_goldens()
    assert len(article_goldens()) >= MIN_ARTICLES
    reasons = {g["not_article"] for g in goldens.values() if "not_article" in g}
    assert reasons == NOT_ARTICLE_REASONS
    for slug, golden in goldens.items():
        response = get(site, golden["path"])
        assert response.status_code == 200, slug
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_seed_page_shows_every_seed_paragraph(site: SeedSite) -> None:
    text = visible_text(get(site, SEED_PAGE_PATH).text)
    paragraphs = SEED_DOCUMENT.read_text(encoding="utf-8").strip().split("\n\n")
    assert len(paragraphs) == 10
    for paragraph in paragraphs:
        assert squash(paragraph) in text


def test_seed_golden_body_is_the_seed_document() -> None:
    golden = load_goldens()["cambodia-russia-army-mou"]
    assert golden["body"] == SEED_DOCUMENT.read_text(encoding="utf-8").strip()
    assert golden["published_at"].startswith("2024-06-18")


@pytest.mark.parametrize("slug", sorted(article_goldens()))
def test_article_golden_agrees_with_its_page(site: SeedSite, slug: str) -> None:
    golden = article_goldens()[slug]
    html = get(site, golden["path"]).text
    text = visible_text(html)
    for paragraph in golden["body"].split("\n\n"):
        assert squash(paragraph) in text, paragraph[:60]
    assert squash(golden["title"]) in text
    assert golden["word_count"] == len(golden["body"].split())
    assert golden["url"] == BASE_URL_PLACEHOLDER + golden["path"]
    for key in ("published_at", "modified_at"):
        if golden[key] is not None:
            assert datetime.fromisoformat(golden[key]).tzinfo is not None, key
    for author in golden["authors"]:
        assert author in text


@pytest.mark.parametrize("slug", sorted(article_goldens()))
def test_event_goldens_quote_their_article(slug: str) -> None:
    body = article_goldens()[slug]["body"]
    events = json.loads((GOLDEN_DIR / f"{slug}.events.json").read_text(encoding="utf-8"))
    for event in events:
        assert event["category"] in CATEGORIES
        assert event["status"] in STATUSES and event["status"] in event["accepted_statuses"]
        assert event["countries"] == sorted(event["countries"])
        assert all(re.fullmatch(r"[A-Z]{3}", code) for code in event["countries"])
        assert event["sentence"] in body
