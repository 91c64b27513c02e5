"""The parse stage: one fetched page -> an Article, or the reason it is not one."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from lxml.html import HtmlElement

from defence_news.models import Article
from defence_news.parse.body import extract_body_from_tree
from defence_news.parse.classify import (
    MIN_ARTICLE_WORDS,
    PageFacts,
    non_article_reason,
    reading_words,
)
from defence_news.parse.dates import date_from_dateline, date_from_markup, zone_from_rules
from defence_news.parse.fingerprint import content_hash, simhash
from defence_news.parse.htmltree import load_page
from defence_news.parse.language import page_language
from defence_news.parse.metadata import PageMetadata, extract_metadata

LOGGER = logging.getLogger(__name__)
# htmldate's search of the markup takes about a second per megabyte, and so do the
# page-wide byline searches; news pages are 50-500 kB, and a page beyond this size
# without any dated metadata or marked byline is rare.
MAX_MARKUP_DATE_CHARS = 1_000_000


@dataclass(frozen=True)
class ParseResult:
    """An Article, or why the page gave none (``not_article:...`` / ``unparseable:...``)."""

    article: Article | None
    reason: str | None
    detail: str | None = None
    # For an article: which source each metadata field came from ("json-ld",
    # "opengraph", "meta", "time", "html", "url", "dateline", "feed", "markup",
    # "registry").
    provenance: Mapping[str, str] = field(default_factory=dict)
    # "time" when the page gave the publication's time of day, "day" when only its
    # date (published_at is then midnight in the source's zone), None when no date.
    published_precision: str | None = None
    # For a page that is not an article (a paywall stub, an index page): what its
    # metadata says and the language of its text, for the skip record and audits.
    rejected_metadata: PageMetadata | None = None
    rejected_language: str | None = None

    @property
    def ok(self) -> bool:
        return self.article is not None


def parse_article(
    html: str | bytes,
    url: str,
    *,
    source_id: str,
    publisher: str | None = None,
    rules: Mapping[str, Any] | None = None,
    fetched_at: datetime | None = None,
    feed_published_at: datetime | None = None,
    languages: Collection[str] = ("en",),
) -> ParseResult:
    """Parse one page. Never raises: bad input becomes a ParseResult with a reason.

    ``rules`` are the source's parse rules from the registry: ``body_selector``,
    ``drop_selectors``, ``drop_line_patterns`` (see ``body.py``), ``timezone`` (IANA
    name for dates written without an offset) and ``min_words`` (the too-short
    threshold, for sites that publish short briefs).

    ``publisher`` (from the source registry) is used when the page names none
    (JSON-LD publisher, og:site_name, application-name come first, as for every
    other field the page's own metadata is trusted first);
    ``feed_published_at`` is the last resort for the publication time, after
    every source on the page itself.
    """
    try:
        return _parse(
            html,
            url,
            source_id=source_id,
            publisher=publisher,
            rules=rules or {},
            fetched_at=_aware(fetched_at),
            feed_published_at=_aware(feed_published_at),
            languages=languages,
        )
    except RecursionError:
        return ParseResult(None, "unparseable:too_deep", "markup nested beyond recursion limit")
    except Exception as error:  # the run must go on; the reason is recorded
        LOGGER.warning("parse failed for %s: %r", url, error)
        return ParseResult(None, f"unparseable:{type(error).__name__}", str(error)[:200])


def _parse(
    html: str | bytes,
    url: str,
    *,
    source_id: str,
    publisher: str | None,
    rules: Mapping[str, Any],
    fetched_at: datetime | None,
    feed_published_at: datetime | None,
    languages: Collection[str],
) -> ParseResult:
    page = load_page(html)
    if page.tree is None:
        return ParseResult(None, page.reason or "unparseable:unknown")
    tree = page.tree
    zone = zone_from_rules(rules.get("timezone"))
    # The page-wide byline searches are for news-sized pages (as htmldate's below).
    metadata = extract_metadata(tree, url, zone, thorough=len(html) <= MAX_MARKUP_DATE_CHARS)
    headings = (metadata.fields.title, metadata.fields.subtitle)
    body = extract_body_from_tree(tree, url, rules, headings)
    language = _language(body, metadata)
    facts = PageFacts(
        url=url, word_count=reading_words(body), language=language, metadata=metadata, body=body
    )
    min_words = _int_rule(rules, "min_words", MIN_ARTICLE_WORDS)
    reason = non_article_reason(tree, facts, languages, min_words)
    if reason is not None:
        return ParseResult(
            None, reason, _detail(facts), rejected_metadata=metadata, rejected_language=language
        )
    provenance = dict(metadata.sources)
    if publisher and not metadata.fields.publisher:
        provenance["publisher"] = "registry"
    published_fallback = None
    precision = "time" if metadata.published_has_time else "day"
    if metadata.fields.published_at is None:
        markup_tree = tree if len(html) <= MAX_MARKUP_DATE_CHARS else None
        published_fallback, origin = _published_fallback(
            markup_tree, url, body, zone, feed_published_at
        )
        if origin:
            provenance["published_at"] = origin
        timed = origin == "feed" or (origin == "dateline" and _has_clock(published_fallback))
        precision = "time" if timed else "day" if origin else None
    return ParseResult(
        _build_article(
            url,
            body,
            metadata,
            source_id=source_id,
            publisher=publisher,
            language=language,
            fetched_at=fetched_at,
            published_fallback=published_fallback,
        ),
        None,
        provenance=provenance,
        published_precision=precision,
    )


def _published_fallback(
    tree: HtmlElement | None,
    url: str,
    body: str,
    zone: tzinfo,
    feed_published_at: datetime | None,
) -> tuple[datetime | None, str | None]:
    """After the page's metadata and URL: the dateline, the feed's date, then htmldate.

    ``tree`` is None when the page is too large for htmldate's search to be worth it.
    """
    dateline = date_from_dateline(body, zone)
    if dateline is not None:
        return dateline, "dateline"
    if feed_published_at is not None:
        return feed_published_at, "feed"
    markup = date_from_markup(tree, url, zone) if tree is not None else None
    if markup is not None:
        return markup, "markup"
    return None, None


def _has_clock(value: datetime | None) -> bool:
    return value is not None and (value.hour, value.minute, value.second) != (0, 0, 0)


def _aware(value: datetime | None) -> datetime | None:
    """Times handed in without a zone are taken as UTC (the fetcher's clock)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _int_rule(rules: Mapping[str, Any], key: str, default: int) -> int:
    value = rules.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _detail(facts: PageFacts) -> str:
    signals = facts.metadata.signals
    return (
        f"words={facts.word_count} language={facts.language} og_type={signals.og_type} "
        f"jsonld={','.join(signals.jsonld_types[:5])}"
    )


def _language(body: str, metadata: PageMetadata) -> str | None:
    """The body's own language when it can be told, else the page's declared one."""
    return page_language(body, metadata.fields.language or metadata.signals.html_lang)


def _build_article(
    url: str,
    body: str,
    metadata: PageMetadata,
    *,
    source_id: str,
    publisher: str | None,
    language: str | None,
    fetched_at: datetime | None,
    published_fallback: datetime | None,
) -> Article:
    found = metadata.fields
    canonical = found.canonical_url
    return Article(
        article_id=Article.make_id(canonical or url),
        url=url,
        source_id=source_id,
        title=found.title or "",
        body=body,
        canonical_url=canonical,
        publisher=found.publisher or publisher,
        subtitle=found.subtitle,
        authors=found.authors,
        published_at=found.published_at or published_fallback,
        modified_at=found.modified_at,
        section=found.section,
        tags=found.tags,
        language=language,
        word_count=len(body.split()),
        content_hash=content_hash(body),
        simhash=simhash(body),
        fetched_at=fetched_at,
    )
