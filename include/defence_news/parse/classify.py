"""Recognising pages that are not news articles, with the reason.

Checks run from the most specific signal to the most generic: a video page
is also short, an index page also has little prose; the first reason that
applies is the one recorded.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from defence_news.parse.metadata import ARTICLE_TYPES, PageMetadata

# Fewer words than this is a stub, a teaser or a broken page. Wire flashes worth
# keeping ("X was stabbed to death in Berlin, police said...") run to ~60 words.
MIN_ARTICLE_WORDS = 50
# A video page may carry a caption or a one-paragraph summary; more prose than
# this makes it an article with an embedded video.
VIDEO_MAX_WORDS = 100
# A paywalled page shows a teaser of a paragraph or two before the wall.
PAYWALL_MAX_WORDS = 150
# Listing pages repeat teaser blocks; this many article teasers or headline
# links, without the page describing itself as one article, means a list.
MIN_TEASERS_FOR_INDEX = 4
MIN_HEADLINE_LINKS_FOR_INDEX = 6
# An article page may end in a "related stories" grid that looks like teasers;
# when the page also yields this much prose, teasers alone do not make it a
# list, unless there are very many of them (a front page).
TEASER_RULE_MAX_WORDS = 400
MANY_TEASERS = 12
# On a listing page the extracted text is the teasers, so it holds the headline
# links' texts; when it holds fewer than this share of them, the links are a
# "more from the region" box beside one article.
MIN_LISTED_HEADLINE_SHARE = 0.25
TEASER_TEXT_CHARS = 40

TAG_SEGMENTS = frozenset({"tag", "tags", "topic", "topics", "keyword", "keywords", "subject"})
INDEX_SEGMENTS = frozenset(
    {"category", "categories", "section", "sections", "archive", "archives", "page", "author"}
)
VIDEO_SEGMENTS = frozenset({"video", "videos", "watch", "tv"})
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
VIDEO_TYPES = frozenset({"videoobject"})
PAYWALL_MARKERS = re.compile(
    r"\b(?:paywall|premium-content|subscriber-only|subscribers-only|meteredcontent|piano-offer)\b",
    re.IGNORECASE,
)
PAYWALL_PROMPTS = re.compile(
    r"(subscribe|subscription|log ?in|sign ?in|become a member)\b.{0,60}"
    r"\b(to (continue|keep) reading|to read (the full|this|more)|full (article|access|story))",
    re.IGNORECASE,
)


# Chinese and Japanese are written without spaces; for the length thresholds a
# word is taken as this many characters (the average word length in both).
CJK_CHARS_PER_WORD = 2
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def reading_words(text: str) -> int:
    """Words for the length thresholds: spaced words, plus CJK text by its characters."""
    tokens = text.split()
    cjk_chars = len(_CJK.findall(text))
    if not cjk_chars:
        return len(tokens)
    spaced = sum(1 for token in tokens if not _CJK.search(token))
    return spaced + cjk_chars // CJK_CHARS_PER_WORD


@dataclass(frozen=True)
class PageFacts:
    url: str
    word_count: int
    language: str | None
    metadata: PageMetadata
    body: str = ""  # the extracted text ("" when unknown: the headline check is skipped)


def _segments(url: str) -> list[str]:
    return [s.lower() for s in urlsplit(url).path.split("/") if s]


def _describes_article(metadata: PageMetadata) -> bool:
    signals = metadata.signals
    return bool(ARTICLE_TYPES.intersection(signals.jsonld_types)) or (
        (signals.og_type or "").lower() == "article"
    )


def is_video_page(facts: PageFacts) -> bool:
    if facts.word_count > VIDEO_MAX_WORDS:
        return False
    signals = facts.metadata.signals
    return (
        (signals.og_type or "").lower().startswith("video")
        or (
            bool(VIDEO_TYPES.intersection(signals.jsonld_types))
            and not _describes_article(facts.metadata)
        )
        or bool(VIDEO_SEGMENTS.intersection(_segments(facts.url)[:-1]))
    )


def is_tag_page(facts: PageFacts) -> bool:
    # A URL such as /tag/navy or /topics/navy/page/2, and a page not claiming to be an article
    # (some sites file real stories under /topics/<name>/<slug> and say so in their metadata).
    segments = _segments(facts.url)
    in_tag_path = any(segment in TAG_SEGMENTS for segment in segments[:2])
    return in_tag_path and not _describes_article(facts.metadata)


_HEADLINE_LINKS = "//body//*[self::h2 or self::h3 or self::h4]//a[@href]"


def count_teasers(tree: HtmlElement) -> tuple[int, int]:
    """(<article> blocks, links that are headlines) in the page body."""
    teasers = len(tree.xpath("//body//article"))
    headline_links = len(tree.xpath(_HEADLINE_LINKS))
    return teasers, headline_links


def headlines_beside_the_text(tree: HtmlElement, body: str) -> bool:
    """The headline links stand apart from the extracted text: a "more from the region"
    box beside one story. On a listing page each headline comes with its teaser
    paragraph, and those paragraphs are what the extraction found."""
    if not body:
        return False
    flat = " ".join(body.split())
    headings = {_heading_of(a) for a in tree.xpath(_HEADLINE_LINKS)}
    listed = sum(1 for heading in headings if _teaser_text_extracted(heading, flat))
    return bool(headings) and listed < MIN_LISTED_HEADLINE_SHARE * len(headings)


def _heading_of(link: HtmlElement) -> HtmlElement:
    for ancestor in link.iterancestors("h2", "h3", "h4"):
        return ancestor
    return link


def _teaser_text_extracted(heading: HtmlElement, flat_body: str) -> bool:
    """The heading's own card (its parent) holds a paragraph the extraction kept."""
    card = heading.getparent()
    if card is None:
        return False
    for paragraph in card.iterfind(".//p"):
        text = " ".join(paragraph.text_content().split())
        if len(text) >= TEASER_TEXT_CHARS and text in flat_body:
            return True
    return False


def is_index_page(tree: HtmlElement, facts: PageFacts) -> bool:
    segments = _segments(facts.url)
    if not segments and not urlsplit(facts.url).query:
        return True  # the home page (not "/?p=123", a story on sites without pretty URLs)
    if _describes_article(facts.metadata):
        return False
    if segments[0] in INDEX_SEGMENTS or (len(segments) >= 2 and segments[-2] == "page"):
        return True
    if LISTING_TYPES.intersection(facts.metadata.signals.jsonld_types):
        return True
    teasers, headline_links = count_teasers(tree)
    if facts.word_count >= TEASER_RULE_MAX_WORDS and max(teasers, headline_links) < MANY_TEASERS:
        return False
    if teasers >= MIN_TEASERS_FOR_INDEX:
        return True
    return headline_links >= MIN_HEADLINE_LINKS_FOR_INDEX and not headlines_beside_the_text(
        tree, facts.body
    )


def is_paywall_stub(tree: HtmlElement, facts: PageFacts) -> bool:
    if facts.word_count > PAYWALL_MAX_WORDS:
        return False
    if facts.metadata.signals.accessible_for_free is False:
        return True
    # Without the publisher's own flag, a paywall container alone is not enough (sites style
    # subscription promos the same way): it must also ask the reader to pay to read on.
    for element in tree.iter("div", "section", "aside", "article", "p"):
        marker = f"{element.get('class') or ''} {element.get('id') or ''}"
        if PAYWALL_MARKERS.search(marker) and PAYWALL_PROMPTS.search(element.text_content()):
            return True
    return False


def non_article_reason(
    tree: HtmlElement,
    facts: PageFacts,
    languages: Collection[str],
    min_words: int = MIN_ARTICLE_WORDS,
) -> str | None:
    """``not_article:<why>`` for a page that is not an article, else None."""
    if is_video_page(facts):
        return "not_article:video_page"
    if is_tag_page(facts):
        return "not_article:tag_page"
    if is_index_page(tree, facts):
        return "not_article:index_page"
    if is_paywall_stub(tree, facts):
        return "not_article:paywall"
    if facts.language and languages and facts.language not in languages:
        return f"not_article:language:{facts.language}"
    if facts.word_count < min_words:
        return "not_article:too_short"
    return None
