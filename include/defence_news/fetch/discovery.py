"""Article URLs from feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) and sitemaps (urlset, news,
image and plain-text sitemaps, sitemap indexes, gzip-compressed or not).

Feeds are read by feedparser, which knows every RSS and Atom dialect, their dates in
any format and their broken variants. Sitemaps are read here with lxml: over the same
fixtures in one run (benchmarks/bench_discovery.py), ultimate-sitemap-parser drops
the lastmod of an index's children (the rotation in collect.py orders by it) and relative
child locs, everything after an empty <loc> in a sitemap written without whitespace,
a news entry's publication_date when it has no title, non-UTF-8 titles, every URL of a
gzip stream cut short and of a sitemap whose news prefix is undeclared, and records no
problem for a malformed sitemap; and it fetches child sitemaps itself, where the project
must fetch through the PoliteClient (SSRF guard, robots, politeness).

Both see the bytes the PoliteClient fetched, never a URL. Documents come from servers
we do not control, so before either parser runs: a gzip body is expanded within a
ceiling, the text is decoded by the evidence that fits the bytes (fetch/charset.py), and
any DTD that declares entities is refused (billion-laughs and external-entity attacks
need one; real feeds never do). Nothing here raises on bad input: a malformed document
is recovered as far as it can be and its ``problem`` says why.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree
from w3lib.html import remove_tags, replace_entities

from defence_news.fetch.canonical import is_http_url
from defence_news.fetch.charset import XML_ENCODING, decode_body

# A DTD with entity declarations: refused outright (see module docstring).
ENTITY_DECLARATION = re.compile(r"<!DOCTYPE[^>]*\[.*?<!ENTITY", re.I | re.S)
# What may precede the root element: declaration, processing instructions, comments, DTD.
PROLOG_PART = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
ROOT_TAG = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
FEED_KINDS = ("rss", "rdf", "atom", "urlset", "sitemapindex", "text")
FEED_ROOTS = {"rss": "rss", "channel": "rss", "rdf": "rdf", "feed": "atom"}
SITEMAP_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}  # root -> entry element
GZIP_MAGIC = b"\x1f\x8b"
# The sitemaps protocol caps a sitemap at 50 MB uncompressed; more is a gzip bomb or not
# a sitemap.
GUNZIP_CEILING = 50 * 1024 * 1024
# "&" not starting an entity or character reference: the commonest way sitemaps break.
BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9._-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
ENTITY_NAME = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
# A DOCTYPE naming an external DTD (RSS 0.91's Netscape one): the HTML entity names it
# defines are legal in the feed, though no parser here reads the DTD.
EXTERNAL_DTD = re.compile(r"<!DOCTYPE\s+[\w:.-]+\s+(?:PUBLIC|SYSTEM)\b", re.I)
LITERAL_SECTION = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.S)
# Lines of a plain-text sitemap looked at to decide that a body is one.
TEXT_SITEMAP_PROBE_LINES = 20
# feedparser's lenient fall-back is told the text is UTF-8, which it is once decoded here.
AS_UTF8_XML = {"content-type": "application/xml; charset=utf-8"}
HTML_TITLE_TYPES = ("text/html", "application/xhtml+xml")


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
    # Faults that lost nothing (a wrong declared encoding, entries without a URL).
    notes: list[str] = field(default_factory=list)


def parse_discovery_document(body: bytes, base_url: str, max_items: int = 1000) -> Discovery:
    """Items (or child sitemaps) listed by a feed or sitemap document: the first
    ``max_items`` in ``items``, the rest (up to ``READ_CEILING``) in ``overflow``."""
    body, gzip_problem = _gunzipped(body)
    if body is None:
        return Discovery("unknown", problem=gzip_problem)
    if not body.strip():
        return Discovery("unknown", problem=gzip_problem or "empty document")
    text, encoding_note = _decoded(body)
    prolog_end = _prolog_end(text)
    if ENTITY_DECLARATION.search(text, 0, prolog_end):  # a DTD can only be in the prolog
        return Discovery("unknown", problem="document declares XML entities (refused as unsafe)")
    discovery = _read(text, base_url, _root_name(text, prolog_end))
    if encoding_note and discovery.kind != "unknown":
        discovery.notes.insert(0, encoding_note)
    if gzip_problem:
        discovery.problem = "; ".join(filter(None, (gzip_problem, discovery.problem)))
    listed = len(discovery.items)
    if listed > READ_CEILING and discovery.problem is None:
        discovery.problem = f"lists {listed} entries; the first {READ_CEILING} were read"
    kept = discovery.items[:READ_CEILING]
    discovery.items, discovery.overflow = kept[:max_items], kept[max_items:]
    return discovery


def _read(text: str, base_url: str, root: str | None) -> Discovery:
    if root is None:
        if _looks_like_text_sitemap(text):
            return _read_text_sitemap(text, base_url)
        what = "JSON" if text.lstrip()[:1] in ("{", "[") else "no XML root element"
        return Discovery("unknown", problem=f"not a feed or sitemap ({what})")
    if root == "html":
        return Discovery("unknown", problem="not a feed or sitemap (an HTML page)")
    if root in FEED_ROOTS:
        return _read_feed(text, base_url, FEED_ROOTS[root])
    if root in SITEMAP_ROOTS:
        return _read_sitemap(text, base_url, root)
    return Discovery("unknown", problem=f"not a feed or sitemap (root element <{root}>)")


# -- bytes to text ------------------------------------------------------------------------


def _gunzipped(body: bytes) -> tuple[bytes | None, str | None]:
    """The body, expanded if it is a gzip stream (a ``.xml.gz`` sitemap arrives compressed
    whatever its Content-Encoding), with a problem if the stream is cut short or corrupt."""
    if not body.startswith(GZIP_MAGIC):
        return body, None
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        expanded = inflater.decompress(body, GUNZIP_CEILING + 1)
    except zlib.error as error:
        return None, f"not a readable gzip stream ({error})"
    if len(expanded) > GUNZIP_CEILING or inflater.unconsumed_tail:
        return None, f"gzip body expands past {GUNZIP_CEILING} bytes (refused)"
    if not inflater.eof:
        # Keep what arrived: a sitemap cut short still lists the URLs before the cut.
        return expanded, f"gzip stream ends early ({len(expanded)} bytes recovered)"
    return expanded, None


def _decoded(body: bytes) -> tuple[str, str | None]:
    """The document as text (byte-order mark dropped, leading blank lines a template left
    before the XML declaration removed), and a note if its declared encoding was wrong."""
    text, used = decode_body(body)
    text = text.lstrip("\ufeff \t\r\n")
    match = XML_ENCODING.search(body[:1024].lstrip())
    label = match.group(1).decode("ascii", "ignore") if match else ""
    declared = _codec(label) if label else None
    if declared and _codec(used) not in (declared, *_bom_forms(declared)):
        return text, f"declared encoding {label} does not fit the bytes; read as {used}"
    return text, None


def _codec(label: str) -> str | None:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _bom_forms(name: str) -> tuple[str, ...]:
    # A UTF-16 document declares "UTF-16"; the decoder that read its BOM says utf-16 too,
    # and a UTF-8 one read with its BOM says utf-8-sig.
    return {"utf-8": ("utf-8-sig",), "utf-16": ("utf-16-le", "utf-16-be")}.get(name, ())


def _prolog_end(text: str) -> int:
    """Where the prolog (declaration, comments, processing instructions, DTD) ends."""
    position = 0
    while (match := PROLOG_PART.match(text, position)) and match.end() > position:
        position = match.end()
    return position


def _root_name(text: str, prolog_end: int) -> str | None:
    """Local name of the root element, lower-cased; None if the text has no XML element."""
    root = ROOT_TAG.match(text, prolog_end)
    if root is None:
        return None
    return root.group(1).rsplit(":", 1)[-1].lower()


# -- feeds --------------------------------------------------------------------------------


def _read_feed(text: str, base_url: str, kind: str) -> Discovery:
    parsed = _feedparser(text)
    discovery = Discovery(kind)
    if parsed.get("bozo"):
        problem = f"malformed XML: {parsed.get('bozo_exception')}"
        repair = _repaired(text)
        if repair.text != text:
            parsed = _feedparser(repair.text)
        if parsed.get("bozo"):
            discovery.problem = f"{problem} (recovered what could be read)"
        elif repair.ampersands == 0 and EXTERNAL_DTD.search(text, 0, _prolog_end(text)):
            discovery.notes.append("entity names of its external DTD read as HTML entities")
        else:
            discovery.problem = f"{problem} ({repair.what})"
    unlinked = 0
    for entry in parsed.entries:
        link = _entry_link(entry, kind)
        if not link:
            unlinked += 1
            continue
        discovery.items.append(
            DiscoveredItem(
                url=_join(base_url, link),
                published_at=_struct_time(entry),
                title=_plain_title(entry),
                found_in=base_url,
            )
        )
    if unlinked:
        discovery.notes.append(f"{unlinked} entries have no link (nothing to fetch)")
    return discovery


def _feedparser(text: str) -> Any:
    # No base URL for feedparser: it would blank a link urllib cannot split
    # ("http://[::1/x"), which must instead end as an invalid_url outcome. Links are
    # resolved against the feed's URL by the caller; xml:base inside the feed still applies.
    return feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers=AS_UTF8_XML,
        sanitize_html=False,  # only titles are used, and they are reduced to plain text
        resolve_relative_uris=False,  # in content, which is not used
    )


def _entry_link(entry: Any, kind: str) -> str | None:
    """The article's URL: FeedBurner's original link over its redirector, then the first
    alternate link (RSS <link> text, atom:link, an Atom link without rel), then for RSS a
    permalink guid. An Atom id is a name, not an address: never taken for the page."""
    candidates = [entry.get("feedburner_origlink")]
    candidates += [
        link.get("href")
        for link in entry.get("links") or ()
        if link.get("rel", "alternate") == "alternate"
    ]
    if kind != "atom" or not entry.get("guidislink"):
        candidates.append(entry.get("link"))
    return next((c.strip() for c in candidates if c and c.strip()), None)


def _struct_time(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        moment = entry.get(name)
        if moment:
            return datetime(*moment[:6], tzinfo=UTC)  # feedparser gives UTC
    return None


def _plain_title(entry: Any) -> str | None:
    title = entry.get("title")
    if not title:
        return None
    if (entry.get("title_detail") or {}).get("type") in HTML_TITLE_TYPES:
        title = replace_entities(remove_tags(title))
    return _one_line(title)


def _one_line(title: object) -> str | None:
    """A title as one line of single spaces (no-break spaces and newlines included)."""
    if not isinstance(title, str):
        return None
    return " ".join(title.split()) or None


# -- sitemaps -----------------------------------------------------------------------------


def _read_sitemap(text: str, base_url: str, root_name: str) -> Discovery:
    root, problem, recovered = _parse_xml(text)
    if root is None:
        return Discovery("unknown", problem=problem)
    entry_name = SITEMAP_ROOTS[root_name]
    entries = _children(root, entry_name)
    if recovered:
        # A recovering parser closes what the cut left open: an entry is only trusted
        # once its closing tag was read, so a loc cut in half is not taken for a URL.
        closed = len(re.findall(rf"</(?:[\w.-]+:)?{entry_name}\s*>", text))
        entries = entries[:closed]
    if root_name == "urlset":
        discovery = _read_urlset(entries, base_url)
    else:
        discovery = _read_index(entries, base_url)
    discovery.problem = problem
    return discovery


def _parse_xml(text: str) -> tuple[etree._Element | None, str | None, bool]:
    """The root element, a problem if the XML had to be repaired or recovered, and whether
    it was recovered (the parser guessed where elements end)."""
    data = text.encode("utf-8")
    try:
        return etree.fromstring(data, _xml_parser(recover=False)), None, False
    except etree.XMLSyntaxError as error:
        problem = f"malformed XML: {error}"
    repair = _repaired(text)
    if repair.text != text:
        data = repair.text.encode("utf-8")
        try:
            return (
                etree.fromstring(data, _xml_parser(recover=False)),
                f"{problem} ({repair.what})",
                False,
            )
        except etree.XMLSyntaxError:
            pass
    try:
        root = etree.fromstring(data, _xml_parser(recover=True))
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return None, problem, False
    return root, f"{problem} (recovered what could be read)", True


def _xml_parser(recover: bool) -> etree.XMLParser:
    # The text was decoded already: the declared encoding, possibly wrong, is ignored.
    return etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        recover=recover,
    )


def _local(tag: object) -> str:
    """An element's name without namespace or prefix. A recovered document can hold
    "news:title" as a plain name (prefix never declared): the prefix is dropped too."""
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rpartition("}")[2].rpartition(":")[2]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child.tag) == name]


def _fields(element: etree._Element | None) -> dict[str, Any]:
    """The first non-empty text of each child element, by local name, in one pass (a
    sitemap has tens of thousands of entries); a child with children of its own (a
    <news:news>) is kept as the element."""
    fields: dict[str, Any] = {}
    for child in element if element is not None else ():
        name = _local(child.tag)
        if not name or fields.get(name) is not None:
            continue
        if len(child) and any(isinstance(grandchild.tag, str) for grandchild in child):
            fields[name] = child
            continue
        # A comment inside the text (<loc>https://a<!-- x -->/b</loc>) splits .text.
        value = str(child.xpath("string()")) if len(child) else child.text or ""
        fields[name] = value.strip() or None
    return fields


def _read_urlset(entries: list[etree._Element], base_url: str) -> Discovery:
    discovery = Discovery("urlset")
    unlinked = 0
    for entry in entries:
        fields = _fields(entry)
        location = fields.get("loc")
        if not isinstance(location, str):
            unlinked += 1
            continue
        news = fields.get("news")
        story = _fields(news) if isinstance(news, etree._Element) else {}
        published = story.get("publication_date") or fields.get("lastmod")
        title = _one_line(story.get("title"))
        discovery.items.append(
            DiscoveredItem(
                url=_join(base_url, location),
                published_at=parse_date(published if isinstance(published, str) else None),
                title=title,
                found_in=base_url,
            )
        )
    if unlinked:
        discovery.notes.append(f"{unlinked} entries have no <loc> (nothing to fetch)")
    return discovery


def _read_index(entries: list[etree._Element], base_url: str) -> Discovery:
    discovery = Discovery("sitemapindex")
    dropped = 0
    for entry in entries:
        fields = _fields(entry)
        location, lastmod = fields.get("loc"), fields.get("lastmod")
        child = _join(base_url, location) if isinstance(location, str) else None
        if child and is_http_url(child):
            when = parse_date(lastmod if isinstance(lastmod, str) else None)
            discovery.children.append((child, when))
        else:
            dropped += 1
    if dropped:
        discovery.notes.append(f"{dropped} child sitemaps without an http(s) <loc> (not read)")
    # Newest first: a news sitemap index lists today's sitemap alongside years of archives.
    discovery.children.sort(
        key=lambda child: child[1] or datetime.min.replace(tzinfo=UTC), reverse=True
    )
    return discovery


@dataclass(frozen=True)
class _Repair:
    text: str
    ampersands: int  # bare "&" escaped
    entities: int  # HTML entity names written as character references

    @property
    def what(self) -> str:
        done = [
            ("unescaped & read as &amp;", self.ampersands),
            ("HTML entity names", self.entities),
        ]
        return ", ".join(label for label, count in done if count)


def _repaired(text: str) -> _Repair:
    """``text`` with the two faults recovering parsers get wrong put right, outside CDATA
    sections and comments (where "&" means itself): a bare "&" (feedparser reads
    "&lang=en" as the entity "&lang;", lxml drops it) and an HTML entity name XML does
    not define ("&eacute;", "&nbsp;"), which lxml drops."""
    counts = {"ampersands": 0, "entities": 0}

    def entity(match: re.Match[str]) -> str:
        code = name2codepoint.get(match.group(1))
        if match.group(1) in XML_ENTITIES or code is None:
            return match.group(0)
        counts["entities"] += 1
        return f"&#{code};"

    def fix(part: str) -> str:
        if part.startswith(("<![CDATA[", "<!--")):
            return part
        part, escaped = BARE_AMPERSAND.subn("&amp;", part)
        counts["ampersands"] += escaped
        return ENTITY_NAME.sub(entity, part)

    fixed = "".join(fix(part) for part in LITERAL_SECTION.split(text))
    return _Repair(fixed, counts["ampersands"], counts["entities"])


def _looks_like_text_sitemap(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    probe = lines[:TEXT_SITEMAP_PROBE_LINES]
    return bool(probe) and all(is_http_url(line) for line in probe)


def _read_text_sitemap(text: str, base_url: str) -> Discovery:
    """A plain-text sitemap (sitemaps.org): one absolute URL a line."""
    discovery = Discovery("text")
    skipped = 0
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if is_http_url(line):
            discovery.items.append(DiscoveredItem(url=line, found_in=base_url))
        else:
            skipped += 1
    if skipped:
        discovery.notes.append(f"{skipped} lines are not http(s) URLs (not read)")
    return discovery


def _join(base: str, link: str) -> str:
    """``link`` resolved against ``base``; a link urllib cannot read ("http://[::1/x") is
    kept as listed, so that it ends as an invalid-URL outcome instead of losing the feed."""
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link.strip()


def parse_date(value: str | None) -> datetime | None:
    """W3C/ISO 8601 (sitemaps, Atom) or RFC 822 (RSS) as tz-aware UTC; None if unreadable."""
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
