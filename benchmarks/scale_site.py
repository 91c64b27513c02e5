"""A synthetic defence-news web of many hosts on loopback, for ``bench_scale.py``.

``build_site`` generates N article pages spread over H hosts, each host with a news
sitemap and a robots.txt, deterministically from a seed. The pages are varied (20
outlet styles of headline, byline and date markup; paragraphs assembled from a bank of
sentence patterns filled with countries, units, places and figures) and a known share
of them report a cooperation event between two countries (agreement, visit, exercise,
training, transfer), so the benchmark can check the extractor found about that many.
Everything here is written for the project; nothing is copied from real outlets.

``serve_site`` serves the hosts (one port each on 127.0.0.1) from a child process.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTRIES = (
    "India", "France", "Japan", "Australia", "Indonesia", "Vietnam", "Philippines",
    "South Korea", "Germany", "Poland", "Brazil", "Egypt", "Kenya", "Nigeria", "Turkey",
    "Greece", "Malaysia", "Thailand", "Cambodia", "Chile", "Peru", "Morocco", "Italy",
    "Spain", "Canada", "Norway", "Sweden", "Finland", "Romania", "Singapore",
)  # fmt: skip
PLACES = ("the capital", "a northern port", "a coastal base", "the border region", "the ministry")
UNITS = ("navy", "army", "air force", "coast guard", "marines")

# One sentence per kind; {a} and {b} are the two countries, {day} a weekday.
COOPERATION = {
    "agreement": "{a} and {b} signed a defence cooperation agreement in {place} on {day}, "
    "the two defence ministries said.",
    "visit": "The defence minister of {a} arrived in {b} on {day} for talks with the "
    "{b} defence minister on maritime security.",
    "exercise": "Warships from {a} and {b} began a joint naval exercise in {place} on {day}, "
    "officials said.",
    "training": "Instructors from {a} trained {n} officers from {b} in counter-terrorism "
    "tactics during a course that ended on {day}.",
    "transfer": "{a} handed over {n} armoured vehicles to {b} at a ceremony on {day}.",
}
# Filler sentences are assembled from four slots with many choices each, plus numbers and
# names, so that two pages share few word 3-grams: real outlets' stories are not
# near-duplicates of each other, and the pipeline's near-duplicate linking must not
# take them for syndicated copies.
SUBJECTS = (
    "The {unit}",
    "A spokesperson for the {unit}",
    "Officials at {place}",
    "The audit office",
    "Lawmakers in {a}",
    "The procurement agency",
    "Union leaders at the yard",
    "A retired admiral",
    "The finance ministry",
    "Planners at headquarters",
    "Engineers at the depot",
    "Local councillors",
    "The inspector general",
)
VERBS = (
    "warned that",
    "confirmed that",
    "denied reports that",
    "told reporters that",
    "expects that",
    "argued on {day} that",
    "wrote in a memo that",
    "disclosed that",
    "conceded that",
    "signalled that",
    "estimated that",
    "insisted that",
)
CLAIMS = (
    "the {thing} would cost {n} million more than planned",
    "deliveries of the {thing} had slipped by {n} months",
    "{n} technicians were still needed for the {thing}",
    "the {thing} failed {n} of its acceptance checks",
    "spare parts for the {thing} were running low",
    "the {thing} programme would be reviewed before {year}",
    "crews had logged {n} hours on the {thing} since spring",
    "a second batch of the {thing} was under discussion",
    "the {thing} contract had been split into {n} lots",
    "morale among {thing} crews had improved",
)
TAILS = (
    "",
    " after months of debate",
    " according to figures seen by this outlet",
    " despite earlier assurances",
    " in a report published on {day}",
    " pending a vote in parliament",
    " without giving a timetable",
    " as fuel prices rose",
    " ahead of the budget round",
)
THINGS = (
    "frigate",
    "patrol boat",
    "radar",
    "trainer jet",
    "howitzer",
    "drone",
    "submarine",
    "transport aircraft",
    "helicopter",
    "armoured car",
    "minehunter",
    "tanker aircraft",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


@dataclass(frozen=True)
class Page:
    host: int
    number: int
    path: str
    published: datetime
    title: str
    author: str
    paragraphs: tuple[str, ...]
    cooperation: str | None  # the kind of event the page reports, if any


def _fill(pattern: str, rng: random.Random, a: str, b: str) -> str:
    return pattern.format(
        a=a,
        b=b,
        day=rng.choice(DAYS),
        place=rng.choice(PLACES),
        unit=rng.choice(UNITS),
        n=rng.randint(3, 900),
        thing=rng.choice(THINGS),
        year=rng.randint(2027, 2035),
    )


def _filler(rng: random.Random, a: str, b: str) -> str:
    parts = (rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(CLAIMS), rng.choice(TAILS))
    return _fill("{} {} {}{}.".format(*parts), rng, a, b)


def make_page(host: int, number: int, start: datetime, rng: random.Random, share: float) -> Page:
    a, b = rng.sample(COUNTRIES, 2)
    kind = rng.choice(sorted(COOPERATION)) if rng.random() < share else None
    paragraphs = []
    for index in range(rng.randint(5, 8)):
        sentences = [_filler(rng, a, b) for _ in range(rng.randint(2, 4))]
        if kind and index == 0:
            sentences.insert(0, _fill(COOPERATION[kind], rng, a, b))
        paragraphs.append(" ".join(sentences))
    title = (
        f"{a} and {b} step up {kind} ties"
        if kind
        else f"{a}'s {rng.choice(UNITS)} budget under review"
    )
    published = start + timedelta(seconds=rng.randint(0, 3599))
    return Page(
        host=host,
        number=number,
        path=f"/{published:%Y/%m/%d}/story-{host:02d}-{number:05d}",
        published=published,
        title=title,
        author=f"Reporter {rng.randint(1, 60)}",
        paragraphs=tuple(paragraphs),
        cooperation=kind,
    )


def build_site(
    articles: int, hosts: int, start: datetime, share: float = 0.4, seed: int = 7
) -> list[Page]:
    """``articles`` pages, round-robin over ``hosts``, published within the hour at ``start``."""
    rng = random.Random(seed)
    return [make_page(n % hosts, n, start, rng, share) for n in range(articles)]


def render_page(page: Page, origin: str) -> bytes:
    """An article page in the style of host ``page.host`` (markup varies by host)."""
    style = page.host % 4
    iso = page.published.isoformat()
    body = "\n".join(f"<p>{escape(p)}</p>" for p in page.paragraphs)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "datePublished": iso,
            "author": {"@type": "Person", "name": page.author},
        }
    )
    byline = (
        f'<p class="byline">By <a rel="author" href="/authors/{page.number % 60}">'
        f"{page.author}</a></p>"
        if style in (0, 1)
        else f'<div class="meta"><span class="author">{page.author}</span></div>'
    )
    dated = (
        f'<time datetime="{iso}">{page.published:%d %B %Y}</time>'
        if style != 2
        else f'<span class="date">{page.published:%B %d, %Y %H:%M} UTC</span>'
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(page.title)} | Outlet {page.host}</title>"
        f'<link rel="canonical" href="{origin}{page.path}">'
        '<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{iso}">'
        f'<script type="application/ld+json">{ld}</script></head><body>'
        f'<header><nav><a href="/">Home</a> <a href="/defence">Defence</a></nav></header>'
        f"<main><article><h1>{escape(page.title)}</h1>{byline}{dated}"
        f'<div class="article-body">{body}</div></article>'
        '<aside class="related"><h3>Related</h3>'
        '<ul><li><a href="/x">More defence news</a></li></ul></aside>'
        "</main><footer>Outlet footer &copy; 2026</footer></body></html>"
    ).encode()


def render_sitemap(pages: list[Page], origin: str) -> bytes:
    entries = "".join(
        f"<url><loc>{origin}{p.path}</loc><news:news><news:publication>"
        f"<news:name>Outlet {p.host}</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{p.published.isoformat()}"
        f"</news:publication_date><news:title>{escape(p.title)}</news:title></news:news></url>"
        for p in pages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>"
    ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def _handler(site: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = site.get(self.path.split("?")[0])
            if body is None:
                self._send(404, "text/plain", b"not found")
            elif self.path.endswith(".xml"):
                self._send(200, "application/xml", body)
            elif self.path == "/robots.txt":
                self._send(200, "text/plain", body)
            else:
                self._send(200, "text/html; charset=utf-8", body)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _serve(pages: list[Page], hosts: int, ports: multiprocessing.Queue, stop) -> None:
    import threading

    servers = []
    by_host: dict[int, list[Page]] = {}
    for page in pages:
        by_host.setdefault(page.host, []).append(page)
    for host in range(hosts):
        server = _Server(("127.0.0.1", 0), _handler({}))
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        mine = by_host.get(host, [])
        site = {p.path: render_page(p, origin) for p in mine}
        site["/news-sitemap.xml"] = render_sitemap(mine, origin)
        site["/robots.txt"] = b"User-agent: *\nAllow: /\n"
        server.RequestHandlerClass = _handler(site)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        ports.put(server.server_address[1])
    stop.wait()


class ServedSite:
    """The hosts in a child process; ``origins`` in host order. A context manager."""

    def __init__(self, pages: list[Page], hosts: int) -> None:
        context = multiprocessing.get_context("fork")
        self._ports: multiprocessing.Queue = context.Queue()
        self._stop = context.Event()
        self._process = context.Process(
            target=_serve, args=(pages, hosts, self._ports, self._stop), daemon=True
        )
        self.hosts = hosts
        self.origins: list[str] = []

    def __enter__(self) -> ServedSite:
        self._process.start()
        self.origins = [
            f"http://127.0.0.1:{self._ports.get(timeout=120)}" for _ in range(self.hosts)
        ]
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()


def registry_yaml(origins: list[str]) -> str:
    """A replace-mode registry of one source per host (DEFENCE_NEWS_REGISTRY)."""
    lines = ["mode: replace", "sources:"]
    for host, origin in enumerate(origins):
        lines += [
            f"  scale_{host:02d}:",
            f"    name: Synthetic outlet {host}",
            f"    publisher: Synthetic outlet {host}",
            f"    homepage: {origin}/",
            f"    sitemaps: ['{origin}/news-sitemap.xml']",
            "    max_per_run: 500",
            "    allow_private: true",
        ]
    return "\n".join(lines) + "\n"
