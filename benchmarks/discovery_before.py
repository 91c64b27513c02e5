"""The feed and sitemap reader as it was before issue 13, kept verbatim (lxml only) as
the baseline of benchmarks/bench_discovery.py; the package no longer uses it.

Article URLs from RSS 2.0, RSS 1.0 (RDF), Atom, news sitemaps and sitemap indexes.

Feeds come from servers we do not control, so parsing is defensive: any DTD
that declares entities is refused before parsing (billion-laughs and external
entity attacks need one, real feeds never do), the parser resolves no entities
and fetches nothing, and a malformed feed is recovered as far as lxml can and
reported, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from defence_news.fetch.canonical import is_http_url

# A DTD with entity declarations: refused outright (see module docstring).
ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>]*\[.*?<!ENTITY", re.I | re.S)
# An HTML page where a feed was expected (a moved feed often redirects to the homepage).
HTML_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html)[\s>]", re.I)
FEED_KINDS = ("rss", "rdf", "atom", "urlset", "sitemapindex")


@dataclass(frozen=True)
class DiscoveredItem:
    url: str
    published_at: datetime | None = None
    title: str | None = None
    found_in: str | None = None  # the feed or sitemap URL that listed it


# Entries read from one document at most (memory bound); a document listing more says so.
READ_CEILING = 50_000


@dataclass
class Discovery:
    kind: str  # one of FEED_KINDS, or "unknown"
    items: list[DiscoveredItem] = field(default_factory=list)
    children: list[tuple[str, datetime | None]] = field(default_factory=list)  # sitemap index
    problem: str | None = None  # why the document was (partly) unusable
    # Items past the per-document cap: not considered this run, carried to a later one.
    overflow: list[DiscoveredItem] = field(default_factory=list)


def parse_discovery_document(body: bytes, base_url: str, max_items: int = 1000) -> Discovery:
    """Items (or child sitemaps) listed by a feed or sitemap document: the first
    ``max_items`` in ``items``, the rest (up to ``READ_CEILING``) in ``overflow``."""
    if not body.strip():
        return Discovery("unknown", problem="empty document")
    if HTML_START.match(body[:1024]):
        return Discovery("unknown", problem="not a feed or sitemap (an HTML page)")
    if ENTITY_DECLARATION.search(body[:65536]):
        return Discovery("unknown", problem="document declares XML entities (refused as unsafe)")
    root, problem = _parse_xml(body)
    if root is None:
        return Discovery("unknown", problem=problem)
    kind = _local(root.tag).lower()
    readers = {
        "rss": _read_rss,
        "rdf": _read_rss,
        "feed": _read_atom,
        "urlset": _read_urlset,
        "sitemapindex": _read_index,
    }
    reader = readers.get(kind)
    if reader is None:
        return Discovery("unknown", problem=f"not a feed or sitemap (root element <{kind}>)")
    discovery = reader(root, base_url, READ_CEILING)
    if problem and discovery.problem is None:
        discovery.problem = problem
    discovery.items, discovery.overflow = discovery.items[:max_items], discovery.items[max_items:]
    listed = _entry_count(root, kind)
    if listed > READ_CEILING and discovery.problem is None:
        discovery.problem = f"lists {listed} entries; the first {READ_CEILING} were read"
    return discovery


def _entry_count(root: etree._Element, kind: str) -> int:
    name = {"rss": "item", "rdf": "item", "feed": "entry", "urlset": "url"}.get(kind, "sitemap")
    if kind in ("rss", "rdf"):
        return len(_iter_named(root, name))
    return len(_children(root, name))


def _parse_xml(body: bytes) -> tuple[etree._Element | None, str | None]:
    strict = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        return etree.fromstring(body, strict), None
    except etree.XMLSyntaxError as error:
        problem = f"malformed XML: {error}"
    lenient = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=True
    )
    try:
        root = etree.fromstring(body, lenient)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return None, problem
    return root, problem + " (recovered what could be read)"


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return etree.QName(tag).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in _children(element, name):
            if child.text and child.text.strip():
                return child.text.strip()
    return None


def _iter_named(root: etree._Element, name: str) -> list[etree._Element]:
    return [element for element in root.iter() if _local(element.tag) == name]


def _read_rss(root: etree._Element, base_url: str, max_items: int) -> Discovery:
    discovery = Discovery(_local(root.tag).lower())
    for item in _iter_named(root, "item")[:max_items]:
        link = _text(item, "origLink", "link") or _permalink_guid(item)
        published = _text(item, "pubDate", "date", "published", "updated")
        _add(discovery, link, published, _text(item, "title"), base_url)
    return discovery


def _permalink_guid(item: etree._Element) -> str | None:
    for guid in _children(item, "guid"):
        if guid.get("isPermaLink", "true").lower() == "true" and guid.text:
            return guid.text.strip()
    return None


def _read_atom(root: etree._Element, base_url: str, max_items: int) -> Discovery:
    discovery = Discovery("atom")
    for entry in _children(root, "entry")[:max_items]:
        link = _atom_link(entry)
        published = _text(entry, "published", "updated", "issued")
        _add(discovery, link, published, _text(entry, "title"), base_url)
    return discovery


def _atom_link(entry: etree._Element) -> str | None:
    links = _children(entry, "link")
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return None


def _read_urlset(root: etree._Element, base_url: str, max_items: int) -> Discovery:
    discovery = Discovery("urlset")
    for entry in _children(root, "url")[:max_items]:
        news = next(iter(_iter_named(entry, "news")), None)
        published = _text(news, "publication_date") if news is not None else None
        title = _text(news, "title") if news is not None else None
        _add(discovery, _text(entry, "loc"), published or _text(entry, "lastmod"), title, base_url)
    return discovery


def _read_index(root: etree._Element, base_url: str, max_items: int) -> Discovery:
    discovery = Discovery("sitemapindex")
    for entry in _children(root, "sitemap")[:max_items]:
        location = _text(entry, "loc")
        child = _join(base_url, location) if location else None
        if child and is_http_url(child):
            discovery.children.append((child, parse_date(_text(entry, "lastmod"))))
    # Newest first: a news sitemap index lists today's sitemap alongside years of archives.
    discovery.children.sort(
        key=lambda child: child[1] or datetime.min.replace(tzinfo=UTC), reverse=True
    )
    return discovery


def _add(
    discovery: Discovery, link: str | None, published: str | None, title: str | None, base: str
) -> None:
    if not link:
        return
    url = _join(base, link)
    discovery.items.append(
        DiscoveredItem(url=url, published_at=parse_date(published), title=title, found_in=base)
    )


def _join(base: str, link: str) -> str:
    """``link`` resolved against ``base``; a link urllib cannot read ("http://[::1/x") is
    kept as listed, so that it ends as an invalid-URL outcome instead of losing the feed."""
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link.strip()


def parse_date(value: str | None) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 / W3C (Atom, sitemaps) as tz-aware UTC; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # feeds without a zone are, by convention, UTC
    return moment.astimezone(UTC)
