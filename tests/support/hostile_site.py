"""A news site on loopback that answers with every kind of hostile item and page.

The project's own fixtures (issue 9): feed items whose URLs cannot be parsed
(an invalid port, malformed IPv6 literals), a page whose JSON-LD headline holds
a lone surrogate, a UTF-16 page with a BOM and no charset, a binary body served
as HTML, pages that drip one byte at a time, a redirect loop, pages past the
size cap (declared and streamed), a 10,000-item feed and a sitemap index of 200
child sitemaps. Everything it serves is generated here; the two article texts
were written for these tests.

The server logs every path it is asked for, so a test can tell which child
sitemaps were read and check that each URL they listed has its outcome.

    with HostileSite() as site:
        site.registry_entry()        # a sources.yaml entry for the source
        site.listed_urls()           # every URL the feeds and the read sitemaps list
"""

from __future__ import annotations

import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

BIG_FEED_ITEMS = 10_000
CHILD_SITEMAPS = 200
URLS_PER_CHILD = 2
SLOW_PAGES = 3
# Past the fetcher's default 10 MiB cap on a page.
HUGE_BYTES = 11 * 1024 * 1024
# A slow page drips this often, for this long: far past any sane total timeout.
DRIP_INTERVAL = 0.5
DRIP_FOR = 60.0

# Items whose link no URL parser accepts: each must end as an invalid_url outcome.
INVALID_LINKS = (
    "http://127.0.0.1:99999/news/invalid-port",
    "http://[::1/news/unclosed-bracket",
    "http://[12345::1]/news/bad-ipv6-group",
)

CORVETTE_PARAGRAPHS = (
    "The navy of Valdoria took delivery of its second coastal corvette on Tuesday at the "
    "Port Merrin yard, where shipbuilders from Estmark have worked on the class since "
    "the contract was signed three years ago.",
    "Officials from both governments said the handover had slipped by four months after "
    "sea trials found a fault in the ship's cooling pumps, which were replaced under the "
    "builder's warranty before the crew of ninety sailors moved aboard.",
    "The corvette will be based at the northern station and is expected to patrol the "
    "fishing grounds along the strait, a task the navy has so far carried out with two "
    "ageing patrol boats bought second hand in the early nineties.",
    "Estmark's defence ministry said a third hull is being fitted out and should be ready "
    "next spring, and that training for its crew will again take place at the naval "
    "academy in Harlund over a period of about ten weeks.",
)
TRAINING_PARAGRAPHS = (
    "Forty army engineers from Ostravia began a six-week course on bridge building and "
    "route clearance with instructors from the Kelmar army this week, the first such "
    "course held since the two countries renewed their defence cooperation plan.",
    "The course is taught at the engineer school outside Tamsk and covers temporary "
    "bridges, the clearing of roads after floods and the handling of heavy plant, with a "
    "final field exercise planned on the banks of the river Vel in the last week.",
    "Kelmar's ambassador said the training answered a request made after last year's "
    "floods, when several villages were cut off for days, and that a second group of "
    "engineers is due to follow in the autumn if this one goes well.",
)


def article_page(headline_json: str, title: str, paragraphs: tuple[str, ...]) -> str:
    """A news article page; ``headline_json`` goes into the JSON-LD as written (escapes
    and all), so a test can put a lone surrogate escape there."""
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta name="viewport" content="width=device-width">
<title>{title} | Hostile Test Post</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-11-30T08:00:00+00:00">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "{headline_json}",
 "datePublished": "2026-11-30T08:00:00+00:00", "inLanguage": "en",
 "author": {{"@type": "Person", "name": "Test Desk"}}}}
</script></head>
<body><header><nav><a href="/">Home</a></nav></header>
<main><article><h1>{title}</h1>
{body}
</article></main><footer>Hostile Test Post</footer></body></html>
"""


class HostileSite:
    """The hostile news site: a threaded HTTP server on 127.0.0.1, a context manager."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- what the site lists

    def url(self, path: str) -> str:
        return self.base_url + path

    def special_pages(self) -> dict[str, str]:
        """path -> what the page is, for every hostile page the main feed lists."""
        pages = {
            "/pages/surrogate-headline.html": "JSON-LD headline with a lone surrogate",
            "/pages/utf16-bom.html": "UTF-16 with a BOM and no charset",
            "/pages/binary.html": "binary body served as text/html",
            "/loop/a": "redirect loop",
            "/pages/huge-declared.html": "past the size cap, Content-Length declared",
            "/pages/huge-streamed.html": "past the size cap, streamed without a length",
        }
        for number in range(SLOW_PAGES):
            pages[f"/pages/slow-{number}.html"] = "drips a byte every half second"
        return pages

    def feed_links(self) -> list[str]:
        return [self.url(path) for path in self.special_pages()] + list(INVALID_LINKS)

    def big_feed_links(self) -> list[str]:
        return [self.url(f"/items/{number}.html") for number in range(BIG_FEED_ITEMS)]

    def child_sitemap_links(self, child: int) -> list[str]:
        return [self.url(f"/maps/{child}-{k}.html") for k in range(URLS_PER_CHILD)]

    def children_read(self) -> list[int]:
        """The child sitemaps the crawler asked for, by number."""
        with self._lock:
            asked = list(self.requests)
        return sorted(
            {
                int(path.split("/")[-1].removesuffix(".xml"))
                for path in asked
                if "/sitemaps/" in path
            }
        )

    def listed_urls(self) -> list[str]:
        """Every URL the feeds list, and those of the child sitemaps that were read."""
        children = [
            link for child in self.children_read() for link in self.child_sitemap_links(child)
        ]
        return self.feed_links() + self.big_feed_links() + children

    def registry_entry(self) -> dict[str, Any]:
        return {
            "name": "Hostile test site",
            "publisher": "Hostile Test Post",
            "homepage": self.url("/"),
            "feeds": [self.url("/feed.xml"), self.url("/big-feed.xml")],
            "sitemaps": [self.url("/sitemap-index.xml")],
            "crawl_delay": 0,
            "allow_private": True,
        }

    # -- the documents

    def document(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        """(status, headers, body) of a path answered in one piece, or None."""
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/feed.xml":
            return 200, xml, _rss(self.base_url, self.feed_links())
        if path == "/big-feed.xml":
            return 200, xml, _rss(self.base_url, self.big_feed_links())
        if path == "/sitemap-index.xml":
            children = [self.url(f"/sitemaps/{n}.xml") for n in range(CHILD_SITEMAPS)]
            return 200, xml, _sitemap_index(children)
        if path.startswith("/sitemaps/"):
            child = int(path.split("/")[-1].removesuffix(".xml"))
            return 200, xml, _urlset(self.child_sitemap_links(child))
        if path == "/pages/surrogate-headline.html":
            page = article_page(
                r"Second corvette handed over \ud800 after delay",
                "Second corvette handed over after delay",
                CORVETTE_PARAGRAPHS,
            )
            return 200, html, page.encode("utf-8")
        if path == "/pages/utf16-bom.html":
            page = article_page(
                "Engineers start bridge-building course",
                "Engineers start bridge-building course",
                TRAINING_PARAGRAPHS,
            )
            return 200, {"Content-Type": "text/html"}, page.encode("utf-16")  # BOM first
        if path == "/pages/binary.html":
            return 200, html, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
        if path == "/loop/a":
            return 302, {"Location": "/loop/b"}, b""
        if path == "/loop/b":
            return 302, {"Location": "/loop/a"}, b""
        if path.startswith(("/items/", "/maps/")):
            page = "<html><head><title>Listing</title></head><body><p>See also</p></body></html>"
            return 200, html, page.encode()
        return None

    # -- running

    def log(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def __enter__(self) -> HostileSite:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _rss(base_url: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>{_xml_text(link)}</link></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Hostile Test Post</title><link>{base_url}/</link>{items}</channel></rss>"
    ).encode()


def _sitemap_index(children: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{_xml_text(url)}</loc></sitemap>" for url in children)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()


def _urlset(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{_xml_text(url)}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: the site's own log is ``HostileSite.requests``

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?", 1)[0]
        site.log(path)
        try:
            if path.startswith("/pages/slow-"):
                self._drip()
            elif path.startswith("/pages/huge-"):
                self._huge(declared=path == "/pages/huge-declared.html")
            elif (answer := site.document(path)) is not None:
                self._send(*answer)
            else:
                self._send(404, {"Content-Type": "text/plain"}, b"Not Found\n")
        except ConnectionError:
            pass  # the crawler gave up on the page, as it should

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        deadline = time.monotonic() + DRIP_FOR
        self.wfile.write(b"<html><body><p>")
        while time.monotonic() < deadline:
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(DRIP_INTERVAL)

    def _huge(self, declared: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            self.send_header("Content-Length", str(HUGE_BYTES))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>" + b"filler " * 9000 + b"</p>\n"
        sent = 0
        while sent < HUGE_BYTES:
            piece = chunk[: HUGE_BYTES - sent]
            self.wfile.write(piece)
            sent += len(piece)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: HostileSite) -> None:
        super().__init__(address, _Handler)
        self.site = site

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a crawler hanging up on a hostile page is the expected end of it
