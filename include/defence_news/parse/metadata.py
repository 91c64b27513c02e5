"""Article metadata from the page, each field from the most trusted source.

Trust order (most to least): JSON-LD (schema.org NewsArticle and kin), then
OpenGraph / ``article:*`` properties, then other ``<meta>`` tags, then
``<time>`` elements, then the URL, then the dateline in the body text. Each
source fills a ``Candidates`` record; ``merge`` takes, per field, the first
source that has a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from defence_news.parse.authors import Byline, read_bylines
from defence_news.parse.dates import Stamp, date_from_url, parse_datetime, read_stamp, refine_stamp
from defence_news.parse.text import clean_field, clean_inline

# schema.org types whose object describes the article itself.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "socialmediaposting",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "claimreview",  # a fact-check: its datePublished is the check's own
    }
)
# A title longer than this is a paragraph mistaken for a title.
MAX_TITLE_CHARS = 300
# Pages with several <h1> use the first ones for the headline; later ones are widgets.
MAX_H1 = 3


@dataclass
class Candidates:
    """What one metadata source says about the page (None / empty: says nothing)."""

    title: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    modified_at: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    canonical_url: str | None = None
    publisher: str | None = None
    # What the source's author fields say, sorted into persons and organisations;
    # ``authors`` is chosen from the bylines of all sources (``choose_authors``).
    byline: Byline = field(default_factory=Byline)
    # The publication date as this source wrote it; ``published_at`` is the first
    # source's, completed by later ones (``refine_stamp``).
    published_stamp: Stamp | None = None


@dataclass
class PageSignals:
    """Facts about the page the non-article checks need."""

    og_type: str | None = None
    jsonld_types: tuple[str, ...] = ()
    accessible_for_free: bool | None = None
    html_lang: str | None = None


@dataclass
class PageMetadata:
    fields: Candidates = field(default_factory=Candidates)
    signals: PageSignals = field(default_factory=PageSignals)
    sources: dict[str, str] = field(default_factory=dict)  # field -> source it came from
    # Whether the page wrote a time of day for the publication (else a date alone,
    # stored as midnight in the source's zone).
    published_has_time: bool = False


def merge(ranked: Iterable[tuple[str, Candidates]]) -> tuple[Candidates, dict[str, str]]:
    """Per field, the value of the first (most trusted) source that has one."""
    merged = Candidates()
    sources: dict[str, str] = {}
    for source_name, candidates in ranked:
        for f in fields(Candidates):
            if getattr(merged, f.name) in (None, ()) and getattr(candidates, f.name) not in (
                None,
                (),
                "",
            ):
                setattr(merged, f.name, getattr(candidates, f.name))
                sources[f.name] = source_name
    return merged, sources


def extract_metadata(
    tree: HtmlElement, url: str, zone: tzinfo = UTC, *, thorough: bool = True
) -> PageMetadata:
    """All sources in trust order (the dateline is applied later, once the body is known).

    ``thorough=False`` (pages far larger than news pages) skips the searches of the
    whole page for a visible byline and for the names the page shows.
    """
    objects = list(jsonld_objects(tree))
    article_object = first_article_object(objects)
    references = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
    ranked = [
        ("json-ld", from_jsonld(article_object, url, zone, references)),
        ("json-ld", Candidates(published_stamp=_web_page_stamp(objects, zone))),
        ("opengraph", from_opengraph(tree, url, zone)),
        ("meta", from_meta_tags(tree, url, zone)),
        ("time", from_time_elements(tree, zone)),
        ("html", from_html(tree, url, thorough=thorough)),
        ("url", Candidates(published_stamp=_url_stamp(url, zone))),
    ]
    merged, sources = merge(ranked)
    site_names = {c.publisher for _, c in ranked if c.publisher}
    merged.title = strip_known_site_name(merged.title, site_names)
    if merged.title and _is_site_name(merged.title, site_names, url):
        merged.title = _title(_document_title(tree))  # og:title "Site" on a story page
        sources["title"] = "html"
    headline = visible_headline(tree, url, site_names, merged.title)
    if headline and headline != merged.title:
        merged.title, sources["title"] = headline, "html"
    published_has_time = _set_published(merged, sources, ranked)
    shown = visible_text(tree) if thorough else ""
    merged.authors, author_source = choose_authors(ranked, site_names, shown)
    sources.pop("authors", None)
    if author_source:
        sources["authors"] = author_source
    signals = PageSignals(
        og_type=(_meta_values(tree, "og:type") or [None])[0],
        jsonld_types=tuple(t for obj in objects for t in _types(obj)),
        accessible_for_free=_accessible(article_object),
        html_lang=_language_code(tree.get("lang") or tree.get("xml:lang")),
    )
    return PageMetadata(merged, signals, sources, published_has_time)


# ---------------------------------------------------------------- JSON-LD


def _web_page_stamp(objects: list[dict[str, Any]], zone: tzinfo) -> Stamp | None:
    """The publication date of the WebPage node (Yoast graphs give it a time when the
    Article node has the date alone)."""
    for obj in objects:
        if "webpage" in _types(obj) or "itempage" in _types(obj):
            return read_stamp(_string(obj.get("datePublished")), zone)
    return None


def _url_stamp(url: str, zone: tzinfo) -> Stamp | None:
    value = date_from_url(url, zone)
    return Stamp(value, False, False) if value is not None else None


def _set_published(
    merged: Candidates, sources: dict[str, str], ranked: list[tuple[str, Candidates]]
) -> bool:
    """Sets the publication time from the sources' stamps; True when it has a time of day."""
    dated = [(name, c.published_stamp) for name, c in ranked if c.published_stamp is not None]
    sources.pop("published_stamp", None)
    merged.published_stamp = None
    refined = refine_stamp([stamp for _, stamp in dated if stamp is not None])
    if refined is not None:
        index, stamp = refined
        merged.published_at, sources["published_at"] = stamp.value, dated[index][0]
        return stamp.has_time
    return False


def _load_json(text: str) -> Any:
    text = text.strip()
    text = re.sub(r"^<!\[CDATA\[|\]\]>$", "", text).strip().rstrip(";")
    try:
        return json.loads(text)
    except RecursionError:
        return None  # hostile nesting: this block says nothing
    except ValueError:
        # control characters inside strings are the usual breakage
        try:
            return json.loads(re.sub(r"[\x00-\x1f]", " ", text))
        except (ValueError, RecursionError):
            return None


def _walk_json(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:  # @graph nesting is shallow; deeper is data we do not need
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk_json(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _walk_json(value["@graph"], depth + 1)


def jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        if data is not None:
            yield from _walk_json(data)


def _types(obj: dict[str, Any]) -> list[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [str(v).rsplit("/", 1)[-1].lower() for v in values if v]


def first_article_object(objects: list[dict[str, Any]]) -> dict[str, Any]:
    for obj in objects:
        if ARTICLE_TYPES.intersection(_types(obj)):
            return obj
    for obj in objects:  # a WebPage may carry the article as mainEntity
        main = obj.get("mainEntity")
        if isinstance(main, dict) and ARTICLE_TYPES.intersection(_types(main)):
            return main
    return {}


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, str):
        return [value]
    return []


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    return clean_field(value) or None if isinstance(value, str) else None


def _keywords(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return _unique(clean_field(str(item)) for item in items)


def resolve_references(value: Any, references: dict[str, dict[str, Any]]) -> Any:
    """Replace {"@id": ...} stubs by the node they point to (Yoast-style @graph pages)."""
    if isinstance(value, list):
        return [resolve_references(item, references) for item in value]
    if isinstance(value, dict) and "name" not in value and value.get("@id") in references:
        return references[value["@id"]]
    return value


def from_jsonld(
    obj: dict[str, Any],
    url: str,
    zone: tzinfo,
    references: dict[str, dict[str, Any]] | None = None,
) -> Candidates:
    if not obj:
        return Candidates()
    references = references or {}
    publisher = resolve_references(obj.get("publisher"), references)
    return Candidates(
        title=_title(_string(obj.get("headline")) or _string(obj.get("name"))),
        subtitle=_string(obj.get("alternativeHeadline")),
        byline=_jsonld_byline(resolve_references(obj.get("author"), references)),
        published_stamp=read_stamp(_string(obj.get("datePublished")), zone),
        modified_at=parse_datetime(_string(obj.get("dateModified")), zone),
        section=_string(obj.get("articleSection")),
        tags=_keywords(obj.get("keywords")),
        language=_language_code(_string(obj.get("inLanguage"))),
        canonical_url=_absolute_url(
            _string(obj.get("mainEntityOfPage")) or _string(obj.get("url")), url
        ),
        publisher=(_names(publisher) or [None])[0],
    )


def _jsonld_byline(value: Any) -> Byline:
    """Authors typed Organization are organisations whatever their name looks like."""
    items = value if isinstance(value, list) else [value]
    people = [i for i in items if not (isinstance(i, dict) and "organization" in _types(i))]
    found = read_bylines(_names(people))
    organisations = read_bylines(_names([i for i in items if i not in people]))
    every_organisation = (
        *found.organisations,
        *organisations.persons,
        *organisations.organisations,
    )
    return Byline(found.persons, every_organisation)


def _accessible(obj: dict[str, Any]) -> bool | None:
    value = obj.get("isAccessibleForFree")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("false", "true"):
        return value.strip().lower() == "true"
    return None


# ---------------------------------------------------------------- meta tags


def _meta_values(tree: HtmlElement, *keys: str) -> list[str]:
    """Values of <meta property|name|itemprop=key content=...>, in key order then page order."""
    wanted = {key.lower(): rank for rank, key in enumerate(keys)}
    found: list[tuple[int, int, str]] = []
    for position, meta in enumerate(tree.iterfind(".//meta")):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attribute) or "").strip().lower()
            if key in wanted:
                content = clean_field(meta.get("content"))
                if content:
                    found.append((wanted[key], position, content))
                break
    return [content for _, _, content in sorted(found)]


def _first_meta(tree: HtmlElement, *keys: str) -> str | None:
    values = _meta_values(tree, *keys)
    return values[0] if values else None


# The property, then the misspellings templates ship ("article:published:time").
PUBLISHED_PROPERTIES = (
    "article:published_time",
    "article:published:time",
    "article:published-time",
    "og:published_time",
    "article:published",
)


def from_opengraph(tree: HtmlElement, url: str, zone: tzinfo) -> Candidates:
    authors = [a for a in _meta_values(tree, "article:author") if not _looks_like_url(a)]
    return Candidates(
        title=_title(_first_meta(tree, "og:title")),
        byline=read_bylines(authors),
        published_stamp=read_stamp(_first_meta(tree, *PUBLISHED_PROPERTIES), zone),
        modified_at=parse_datetime(
            _first_meta(tree, "article:modified_time", "og:updated_time"), zone
        ),
        section=_first_meta(tree, "article:section"),
        tags=_unique(_meta_values(tree, "article:tag")),
        language=_language_code(_first_meta(tree, "og:locale")),
        canonical_url=_absolute_url(_first_meta(tree, "og:url"), url),
        publisher=_first_meta(tree, "og:site_name"),
    )


PUBLISHED_META_KEYS = (
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "article.published",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.date",
    "parsely-pub-date",
    "sailthru.date",
    "citation_publication_date",
    "originalpublicationdate",
)
MODIFIED_META_KEYS = ("datemodified", "dcterms.modified", "last-modified", "article.updated")


def from_meta_tags(tree: HtmlElement, url: str, zone: tzinfo) -> Candidates:
    keywords = _meta_values(tree, "news_keywords", "keywords", "parsely-tags")
    authors = _meta_values(tree, "author", "dc.creator", "parsely-author", "sailthru.author")
    return Candidates(
        title=_title(_first_meta(tree, "twitter:title", "parsely-title", "dc.title", "headline")),
        byline=read_bylines(a for a in authors if not _looks_like_url(a)),
        published_stamp=_first_stamp(_meta_values(tree, *PUBLISHED_META_KEYS), zone),
        modified_at=_stamp_value(_first_stamp(_meta_values(tree, *MODIFIED_META_KEYS), zone)),
        section=_first_meta(tree, "section", "parsely-section", "article-section", "category"),
        tags=_keywords(keywords[0]) if keywords else (),
        language=_language_code(_first_meta(tree, "content-language", "language", "dc.language")),
        publisher=_first_meta(tree, "application-name", "publisher", "dc.publisher"),
    )


def _stamp_value(stamp: Stamp | None) -> datetime | None:
    return stamp.value if stamp is not None else None


def _first_stamp(values: list[str], zone: tzinfo) -> Stamp | None:
    for value in values:
        stamp = read_stamp(value, zone)
        if stamp is not None:
            return stamp
    return None


# ---------------------------------------------------------------- <time>, HTML


def from_time_elements(tree: HtmlElement, zone: tzinfo) -> Candidates:
    """<time datetime> marked as publication (pubdate, itemprop) first, else the first one."""
    published = modified = first = None
    for element in tree.iterfind(".//time"):
        stamp = read_stamp(element.get("datetime") or element.text_content(), zone)
        if stamp is None:
            continue
        marker = " ".join(element.get(name) or "" for name in ("itemprop", "class", "pubdate"))
        marker = marker.lower()
        if "modified" in marker or "updated" in marker:
            modified = modified or stamp.value
        elif "published" in marker or "pubdate" in marker or element.get("pubdate") is not None:
            published = published or stamp
        else:
            first = first or stamp
    return Candidates(published_stamp=published or first, modified_at=modified)


def from_html(tree: HtmlElement, url: str, *, thorough: bool = True) -> Candidates:
    """Plain HTML: <h1>, <title>, rel=canonical, rel=author / byline, html lang."""
    canonical = None
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = _absolute_url(link.get("href"), url)
            break
    h1 = tree.find(".//h1")
    title_element = tree.find(".//title")
    title = clean_inline(h1.text_content()) if h1 is not None else None
    if not title and title_element is not None:
        title = strip_site_name(clean_inline(title_element.text_content()))
    return Candidates(
        title=_title(title),
        subtitle=_standfirst(tree),
        byline=read_bylines(byline_texts(tree)) if thorough else Byline(),
        section=(_rel_link_texts(tree, "category") or [None])[0],
        tags=_unique(
            t for t in _rel_link_texts(tree, "tag") if t not in _rel_link_texts(tree, "category")
        ),
        language=_language_code(tree.get("lang") or tree.get("xml:lang")),
        canonical_url=canonical,
    )


def _rel_link_texts(tree: HtmlElement, rel: str) -> list[str]:
    """Texts of <a rel="..."> links (WordPress marks categories and tags this way)."""
    return [
        text
        for link in tree.iterfind(".//a[@rel]")
        if rel in (link.get("rel") or "").lower().split()
        and (text := clean_inline(link.text_content()))
    ]


# "uthor" and "yline" match author, Author, byline and Byline without a costly translate().
_BYLINE_XPATH = (
    ".//body//*[not(self::script or self::style or self::img or self::time or self::meta)]"
    "[@rel='author' or contains(@itemprop, 'author') or contains(@class, 'uthor')"
    " or contains(@class, 'yline')]"
)
# Text longer than this in one byline element is a bio or the story, not names.
MAX_BYLINE_CHARS = 200
# Bylines are near the top; the first few dozen candidates are plenty.
MAX_BYLINE_CANDIDATES = 60


def _in_comments_or_navigation(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in ("aside", "nav") or "comment" in (node.get("class") or "").lower():
            return True
    return False


def byline_texts(tree: HtmlElement) -> list[str]:
    """Texts of the page's first byline: its innermost author/byline elements.

    A byline block holds the name, often a role, a handle, the date: its innermost
    marked elements ("author__name", rel=author links) separate them; when they name
    no one, the block's own text is read. Blocks in comments, asides and navigation
    are other people's. Pages without marked bylines: a short "By ..." line.
    """
    candidates = [
        c
        for c in tree.xpath(_BYLINE_XPATH)[:MAX_BYLINE_CANDIDATES]
        if not _in_comments_or_navigation(c)
    ]
    marked = set(candidates)
    leaves = [c for c in candidates if not any(d in marked for d in c.iterdescendants())]
    blocks = list(dict.fromkeys(_outermost_marked(c, marked) for c in candidates))
    for block in blocks:
        texts = [_short_text(leaf) for leaf in leaves if _outermost_marked(leaf, marked) is block]
        texts = [text for text in texts if text]
        if read_bylines(texts).names():
            return texts
        own = _short_text(block)
        if own and read_bylines([own]).names():
            return [own]
    return _by_line(tree)


def _short_text(element: HtmlElement) -> str:
    text = " ".join(element.text_content().split())
    return text if len(text) <= MAX_BYLINE_CHARS else ""


_BY_LINE_XPATH = (
    "//body//text()[starts-with(normalize-space(.), 'By ') or "
    "starts-with(normalize-space(.), 'by ') or starts-with(normalize-space(.), 'Written by')"
    " or normalize-space(.) = 'By' or normalize-space(.) = 'Written by']"
)


def _by_line(tree: HtmlElement) -> list[str]:
    """The first short element whose text starts "By ..." and names someone."""
    for node in tree.xpath(_BY_LINE_XPATH)[:MAX_BYLINE_CANDIDATES]:
        parent = node.getparent()
        if parent is None or _in_comments_or_navigation(parent):
            continue
        text = _short_text(parent)
        if text and read_bylines([text]).names():
            return [text]
    return []


def _outermost_marked(element: HtmlElement, marked: set[HtmlElement]) -> HtmlElement:
    outermost = element
    for ancestor in element.iterancestors():
        if ancestor in marked:
            outermost = ancestor
    return outermost


# A subtitle is the visible standfirst under the headline. The description meta
# tags are search-engine summaries, often a copy of the first paragraph, so they
# are not taken as the subtitle.
_STANDFIRST_CLASSES = ("standfirst", "dek", "subtitle", "subheadline", "sub-headline", "strapline")
_STANDFIRST_XPATH = (
    ".//body//*[@itemprop='alternativeHeadline' or "
    + " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
        for name in _STANDFIRST_CLASSES
    )
    + "]"
)
# A standfirst is a sentence or two; anything longer is body text.
MAX_STANDFIRST_CHARS = 400


def _standfirst(tree: HtmlElement) -> str | None:
    for element in tree.xpath(_STANDFIRST_XPATH):
        text = clean_inline(element.text_content())
        if text and len(text) <= MAX_STANDFIRST_CHARS:
            return text
    return None


def _document_title(tree: HtmlElement) -> str | None:
    element = tree.find(".//title")
    return strip_site_name(clean_inline(element.text_content())) if element is not None else None


def _name_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_site_name(text: str, site_names: set[str], url: str) -> bool:
    """The publisher's name, or the site's logo text ("Entermedia" on entermedia.co.kr)."""
    key = _name_key(text)
    host = _name_key(urlsplit(url).hostname or "")
    if key and (key in {_name_key(n) for n in site_names} or key in host):
        return True
    # "The Ledger Newspaper The Ledger": the name, repeated, and a word or two
    rest = text.casefold()
    for name in site_names:
        rest = rest.replace(name.casefold(), " ")
    return rest != text.casefold() and len(rest.split()) < 2


# A headline has at least this many words, unless it shares one with the metadata
# title; shorter <h1>s are section names and logos ("World", "Defence News").
MIN_HEADLINE_WORDS = 4
# Scripts without spaces (CJK) count characters instead.
MIN_HEADLINE_CHARS = 8


def visible_headline(
    tree: HtmlElement, url: str, site_names: set[str], title: str | None
) -> str | None:
    """The headline the reader sees: the first <h1> that is not the site's name or a
    section label. Structured data and og:title often carry a search-engine variant
    (longer, reworded, with a prefix or the site's name); the page shows the <h1>."""
    title_words = {w for w in re.findall(r"\w{4,}", (title or "").casefold())}
    for h1 in tree.xpath("//body//h1")[:MAX_H1]:
        text = " ".join(clean_inline(h1.text_content()).split())
        if not text or len(text) > MAX_TITLE_CHARS or _is_site_name(text, site_names, url):
            continue
        if _links_home(h1, url) or _links_away(h1, url):
            continue  # the masthead (a logo linking home), or a teaser for another site
        words = text.split()
        spaced = len(words) >= MIN_HEADLINE_WORDS or (
            len(words) < 2 and len(text) >= MIN_HEADLINE_CHARS and not text.isascii()
        )
        if spaced or title is None or title_words & set(re.findall(r"\w{4,}", text.casefold())):
            return text
    return None


def _links_home(element: HtmlElement, url: str) -> bool:
    for link in element.iter("a"):
        target = urlsplit(urljoin(url, link.get("href") or ""))
        if target.path in ("", "/") and not target.query:
            return True
    return False


def _links_away(element: HtmlElement, url: str) -> bool:
    """A link to another site (not merely another host of the same one: edition.x.com)."""
    own = _site_of(urlsplit(url).hostname)
    for link in element.iter("a"):
        site = _site_of(urlsplit(urljoin(url, link.get("href") or "")).hostname)
        if site and own and site != own:
            return True
    return False


def _site_of(host: str | None) -> str:
    """The registrable part of a host, near enough: x.com, x.co.uk."""
    labels = (host or "").lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def strip_known_site_name(title: str | None, site_names: set[str]) -> str | None:
    """'Headline | Site' -> 'Headline' when 'Site' is the page's own publisher name."""
    if not title:
        return title
    for name in site_names:
        for separator in (" | ", " - ", " – ", " — ", " :: "):
            suffix = separator + name
            if title.casefold().endswith(suffix.casefold()) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


def strip_site_name(title: str) -> str:
    """'Headline | Site' or 'Headline - Site' -> 'Headline' (the longest part is the headline)."""
    parts = re.split(r"\s+[|–—-]\s+", title)
    return max(parts, key=len) if len(parts) > 1 else title


# ---------------------------------------------------------------- normalising


def choose_authors(
    ranked: list[tuple[str, Candidates]], site_names: set[str], visible_text: str = ""
) -> tuple[tuple[str, ...], str | None]:
    """The first source naming a person the page shows; else the first naming an outlet
    other than the page's publisher (an agency byline). When the visible byline names
    everyone the metadata does and more, it wins (structured data often lists the
    first author only).

    ``visible_text`` (the page's text): a name the metadata names but
    the page never shows is a CMS account or a stale field, not the byline."""
    chosen: tuple[tuple[str, ...], str | None] = ((), None)
    for source, candidates in ranked:
        persons = candidates.byline.people(site_names)
        if visible_text:
            persons = tuple(p for p in persons if _shown(p, visible_text))
        if persons:
            chosen = (persons, source)
            break
    else:
        for source, candidates in ranked:
            names = candidates.byline.names(site_names)
            if visible_text:
                names = tuple(n for n in names if _shown(n, visible_text))
            if names:
                return names, source
        return chosen
    visible = dict(ranked)["html"].byline.people(site_names)
    if _keys(chosen[0]) < _keys(visible):
        return visible, "html"
    return chosen


def _shown(name: str, visible_text: str) -> bool:
    """The surname (last word) appears in the page's text as a word; an acronym ("AS")
    only in capitals, as every text has the word "as"."""
    words = name.split()
    if not words:
        return False
    flags = 0 if words[-1].isupper() and len(words) == 1 else re.IGNORECASE
    return re.search(rf"(?<!\w){re.escape(words[-1])}(?!\w)", visible_text, flags) is not None


def visible_text(tree: HtmlElement) -> str:
    """The page's text without scripts, styles and comments (one pass over the tree)."""
    body = tree.find("body")
    if body is None:
        return ""
    parts: list[str] = []
    for element in body.iter():
        if isinstance(element.tag, str) and element.tag not in ("script", "style") and element.text:
            parts.append(element.text)
        if element.tail and element is not body:
            parts.append(element.tail)
    return " ".join(parts)


def _keys(names: Iterable[str]) -> set[str]:
    return {re.sub(r"[\W_]+", "", name.casefold()) for name in names}


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return tuple(seen.values())


def _title(value: str | None) -> str | None:
    value = clean_field(value)
    return value if value and len(value) <= MAX_TITLE_CHARS else None


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//", "/"))


def _absolute_url(value: str | None, base: str) -> str | None:
    if not value:
        return None
    absolute = urljoin(base, value.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # A canonical pointing at the home page is a template mistake, not the article.
    if parts.path in ("", "/") and urlsplit(base).path not in ("", "/"):
        return None
    return absolute


def _language_code(value: str | None) -> str | None:
    """'en-GB', 'en_US', 'EN' -> 'en'."""
    if not value:
        return None
    match = re.match(r"^\s*([a-zA-Z]{2,3})(?:[-_].*)?$", value)
    return match.group(1).lower() if match else None
