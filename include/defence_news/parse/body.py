"""Body extraction: trafilatura plus what news pages need.

Steps, each cheap:
1. page preparation (``pagetree.py``): embedded social posts removed, site
   rules from the source registry applied (drop containers, or narrow the page
   to the article container);
2. trafilatura in precision mode, fast (fewer related-story blocks and teasers);
3. a balanced-mode retry when the precise result is too short to be the article,
   or a small share of the page's prose (precision mode drops whole containers
   for a styled border or a "bottom" class), then recall mode if still too short;
4. continuation containers added when the template splits the story into
   several same-class blocks (``continuation.py``);
5. the headline and standfirst dropped from the start, news boilerplate lines
   (share prompts, "read more", credits, newsletter calls) removed;
6. paragraphs NFC-normalised and separated by blank lines.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from lxml.html import HtmlElement

from defence_news.parse.boilerplate import compile_patterns, drop_boilerplate_lines
from defence_news.parse.continuation import with_continuations
from defence_news.parse.extractor import trafilatura_text
from defence_news.parse.htmltree import load_page
from defence_news.parse.pagetree import prepare_tree
from defence_news.parse.text import clean_inline, join_paragraphs

# Below this many characters the precise extraction probably lost the article
# (a news story is rarely under ~500 characters), so the recall mode is tried.
MIN_PRECISE_CHARS = 500
# A retry's result replaces the precise one only when clearly longer; a little
# more text is more likely boilerplate than lost article.
RECALL_GAIN_RATIO = 1.5
# The precise result is suspect when it holds less than this share of the page's
# prose: the text of its paragraphs long enough to be reporting.
LOST_PROSE_SHARE = 0.5
PROSE_PARAGRAPH_CHARS = 80
# A retry is taken only if this share of its characters is in lines of at least
# PROSE_LINE_WORDS words.
PROSE_LINE_WORDS = 8
PROSE_TEXT_SHARE = 0.5
# Pages with several <h1> use the first ones for the headline; later ones are widgets.
MAX_H1 = 3
WORD = re.compile(r"\w+")
LOGGER = logging.getLogger(__name__)


def extract_body(html: str | bytes | None, url: str) -> str:
    """The article text of a page, paragraphs separated by blank lines ("" if none).

    Never raises on bad input: a value that is not page text (a number, a list) gives ""
    and its reason, ``unparseable:not_text``, in the log (the result is only the text)."""
    if html is not None and not isinstance(html, (str, bytes)):
        LOGGER.warning("unparseable:not_text (%s) for %s", type(html).__name__, url)
        return ""
    page = load_page(html)
    if page.tree is None:
        return ""
    return extract_body_from_tree(page.tree, url)


def extract_body_from_tree(
    tree: HtmlElement,
    url: str | None,
    rules: Mapping[str, Any] | None = None,
    headings: Iterable[str | None] = (),
) -> str:
    """Body text; ``headings`` (title, standfirst) are dropped where the text starts with them."""
    rules = rules or {}
    work = prepare_tree(tree, rules)
    text = trafilatura_text(work, url, favor_precision=True)
    if len(text) < MIN_PRECISE_CHARS or len(text) < LOST_PROSE_SHARE * prose_chars(work):
        # balanced before recall: recall also brings breadcrumbs and "End of Article"
        text = _longer(text, trafilatura_text(work, url))
    if len(text) < MIN_PRECISE_CHARS:
        text = _longer(text, trafilatura_text(work, url, favor_recall=True))
    text = with_continuations(work, url, text)
    site_patterns = compile_patterns(rules.get("drop_line_patterns") or ())
    lines = [clean_inline(line) for line in text.splitlines()]
    lines = drop_leading_headings(lines, [*headings, *page_headings(tree)])
    return join_paragraphs(drop_boilerplate_lines(lines, site_patterns))


def _longer(text: str, retry: str) -> str:
    """The retry when it is clearly longer and reads as running text, not a menu."""
    if len(retry) > RECALL_GAIN_RATIO * len(text) and reads_as_prose(retry):
        return retry
    return text


def reads_as_prose(text: str) -> bool:
    """Most of the text is in sentence-long lines (a site menu is one- and two-word lines)."""
    lines = text.splitlines()
    long_chars = sum(len(line) for line in lines if len(line.split()) >= PROSE_LINE_WORDS)
    return long_chars >= PROSE_TEXT_SHARE * sum(map(len, lines))


def prose_chars(tree: HtmlElement) -> int:
    """Characters in the page's paragraphs long enough to be reporting."""
    total = 0
    for paragraph in tree.iter("p"):
        length = len(" ".join(paragraph.text_content().split()))
        if length >= PROSE_PARAGRAPH_CHARS:
            total += length
    return total


def _heading_key(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def page_headings(tree: HtmlElement) -> list[str]:
    """The page's headline as its <h1>, og:title and <title> give it."""
    found = [h1.text_content() for h1 in tree.iterfind(".//h1")][:MAX_H1]
    found += tree.xpath(".//meta[@property='og:title']/@content")[:1]
    title = tree.find(".//title")
    if title is not None and title.text:
        found.append(title.text)
        found.extend(re.split(r"\s+[|–—-]\s+", title.text)[:1])
    return found


def drop_leading_headings(lines: list[str], headings: Iterable[str | None]) -> list[str]:
    """trafilatura keeps the headline (and standfirst) when they sit inside the article
    container; they are fields of their own, not the body's first paragraphs."""
    keys = {_heading_key(h) for h in headings if h}
    keys.discard("")
    start = 0
    while start < len(lines) and (not lines[start] or _heading_key(lines[start]) in keys):
        start += 1
    return lines[start:]
