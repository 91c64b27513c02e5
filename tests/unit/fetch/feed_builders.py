"""Feeds and sitemaps written for these tests (RSS 2.0, Atom, news sitemaps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

# Every test item is published inside TEST_INTERVAL unless a test says otherwise.
INTERVAL_START = datetime(2026, 3, 10, tzinfo=UTC)
INTERVAL_END = INTERVAL_START + timedelta(days=1)
IN_INTERVAL = INTERVAL_START + timedelta(hours=9)


def rss(items: list[tuple[str, datetime | None]], title: str = "Test defence wire") -> bytes:
    entries = []
    for number, (link, published) in enumerate(items):
        date = f"<pubDate>{format_datetime(published)}</pubDate>" if published else ""
        entries.append(
            f"<item><title>Report {number}</title><link>{escape(link)}</link>{date}"
            f"<description>Summary of report {number}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>"
        f"<description>Wire</description>{''.join(entries)}</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, datetime | None]]) -> bytes:
    entries = []
    for number, (link, published) in enumerate(items):
        date = f"<published>{published.isoformat()}</published>" if published else ""
        entries.append(
            f"<entry><title>Atom report {number}</title>"
            f'<link rel="alternate" href="{escape(link)}"/>'
            f"<id>urn:test:{number}</id>{date}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom wire</title><id>urn:test</id>{''.join(entries)}</feed>"
    ).encode()


def news_sitemap(items: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<url><loc>{escape(link)}</loc><news:news><news:publication>"
        "<news:name>Test Wire</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{published.isoformat()}</news:publication_date>"
        f"<news:title>Sitemap report {number}</news:title></news:news></url>"
        for number, (link, published) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>"
    ).encode()


def sitemap_index(children: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{escape(link)}</loc><lastmod>{lastmod.isoformat()}</lastmod></sitemap>"
        for link, lastmod in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    ).encode()


def entity_bomb() -> bytes:
    """The classic exponential entity expansion, inside an otherwise valid RSS feed."""
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    doctype = "<!DOCTYPE rss [" + "".join(levels) + "]>"
    return (
        '<?xml version="1.0"?>\n' + doctype + '<rss version="2.0"><channel><title>&lol9;</title>'
        "<item><title>x</title><link>http://example.invalid/bomb</link></item></channel></rss>"
    ).encode()
