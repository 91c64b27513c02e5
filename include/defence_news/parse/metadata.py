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

from defence_news.parse.dates import date_from_url, parse_datetime
from defence_news.parse.text import clean_inline

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
    }
)
# A title longer than this is a paragraph mistaken for a title.
MAX_TITLE_CHARS = 300
# Author strings longer than this are sentences (bios, credits), not names.
MAX_AUTHOR_CHARS = 80


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


def extract_metadata(tree: HtmlElement, url: str, zone: tzinfo = UTC) -> PageMetadata:
    """All sources in trust order (the dateline is applied later, once the body is known)."""
    objects = list(jsonld_objects(tree))
    article_object = first_article_object(objects)
    references = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
    ranked = [
        ("json-ld", from_jsonld(article_object, url, zone, references)),
        ("opengraph", from_opengraph(tree, url, zone)),
        ("meta", from_meta_tags(tree, url, zone)),
        ("time", from_time_elements(tree, zone)),
        ("html", from_html(tree, url)),
        ("url", Candidates(published_at=date_from_url(url, zone))),
    ]
    merged, sources = merge(ranked)
    site_names = {c.publisher for _, c in ranked if c.publisher}
    merged.title = strip_known_site_name(merged.title, site_names)
    signals = PageSignals(
        og_type=(_meta_values(tree, "og:type") or [None])[0],
        jsonld_types=tuple(t for obj in objects for t in _types(obj)),
        accessible_for_free=_accessible(article_object),
        html_lang=_language_code(tree.get("lang") or tree.get("xml:lang")),
    )
    return PageMetadata(merged, signals, sources)


# ---------------------------------------------------------------- JSON-LD


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
    return clean_inline(value) or None if isinstance(value, str) else None


def _keywords(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return _unique(clean_inline(str(item)) for item in items)


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
        authors=clean_authors(_names(resolve_references(obj.get("author"), references))),
        published_at=parse_datetime(_string(obj.get("datePublished")), zone),
        modified_at=parse_datetime(_string(obj.get("dateModified")), zone),
        section=_string(obj.get("articleSection")),
        tags=_keywords(obj.get("keywords")),
        language=_language_code(_string(obj.get("inLanguage"))),
        canonical_url=_absolute_url(
            _string(obj.get("mainEntityOfPage")) or _string(obj.get("url")), url
        ),
        publisher=(_names(publisher) or [None])[0],
    )


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
                content = clean_inline(meta.get("content"))
                if content:
                    found.append((wanted[key], position, content))
                break
    return [content for _, _, content in sorted(found)]


def _first_meta(tree: HtmlElement, *keys: str) -> str | None:
    values = _meta_values(tree, *keys)
    return values[0] if values else None


def from_opengraph(tree: HtmlElement, url: str, zone: tzinfo) -> Candidates:
    authors = [a for a in _meta_values(tree, "article:author") if not _looks_like_url(a)]
    return Candidates(
        title=_title(_first_meta(tree, "og:title")),
        authors=clean_authors(authors),
        published_at=parse_datetime(_first_meta(tree, "article:published_time"), zone),
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
        authors=clean_authors(a for a in authors if not _looks_like_url(a)),
        published_at=_first_date(_meta_values(tree, *PUBLISHED_META_KEYS), zone),
        modified_at=_first_date(_meta_values(tree, *MODIFIED_META_KEYS), zone),
        section=_first_meta(tree, "section", "parsely-section", "article-section", "category"),
        tags=_keywords(keywords[0]) if keywords else (),
        language=_language_code(_first_meta(tree, "content-language", "language", "dc.language")),
        publisher=_first_meta(tree, "application-name", "publisher", "dc.publisher"),
    )


def _first_date(values: list[str], zone: tzinfo) -> datetime | None:
    for value in values:
        parsed = parse_datetime(value, zone)
        if parsed is not None:
            return parsed
    return None


# ---------------------------------------------------------------- <time>, HTML


def from_time_elements(tree: HtmlElement, zone: tzinfo) -> Candidates:
    """<time datetime> marked as publication (pubdate, itemprop) first, else the first one."""
    published = modified = first = None
    for element in tree.iterfind(".//time"):
        value = parse_datetime(element.get("datetime") or element.text_content(), zone)
        if value is None:
            continue
        marker = " ".join(element.get(name) or "" for name in ("itemprop", "class", "pubdate"))
        marker = marker.lower()
        if "modified" in marker or "updated" in marker:
            modified = modified or value
        elif "published" in marker or "pubdate" in marker or element.get("pubdate") is not None:
            published = published or value
        else:
            first = first or value
    return Candidates(published_at=published or first, modified_at=modified)


def from_html(tree: HtmlElement, url: str) -> Candidates:
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
        authors=clean_authors(_byline_names(tree)),
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


_BYLINE_XPATH = (
    ".//*[@rel='author' or @itemprop='author' or "
    "contains(concat(' ', normalize-space(@class), ' '), ' byline ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
)


def _byline_names(tree: HtmlElement) -> list[str]:
    for element in tree.xpath(_BYLINE_XPATH):
        text = clean_inline(element.text_content())
        if text and len(text) <= MAX_AUTHOR_CHARS:
            return [text]
    return []


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

_BY_PREFIX = re.compile(r"^(?:by|written by|words by|story by)\s+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
_NOT_NAMES = re.compile(
    r"^(?:staff|admin|editor|editors|newsroom|news desk|reuters|ap|afp|agencies)$", re.IGNORECASE
)


def clean_authors(raw: Iterable[str]) -> tuple[str, ...]:
    """Names only: "By A and B" -> (A, B); duplicates and non-names dropped, order kept."""
    names: list[str] = []
    for value in raw:
        text = _BY_PREFIX.sub("", clean_inline(value))
        for part in _AUTHOR_SPLIT.split(text):
            part = part.strip(" .|-–—")
            if part and len(part) <= MAX_AUTHOR_CHARS and not _looks_like_url(part):
                names.append(part)
    return _unique(n for n in names if not _NOT_NAMES.match(n)) or _unique(names)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return tuple(seen.values())


def _title(value: str | None) -> str | None:
    value = clean_inline(value)
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
