"""Turning raw page text into an lxml tree without ever raising.

Pages arrive as ``str`` (already decoded by the fetcher) or ``bytes`` (straight
from a WARC record). trafilatura's loader guesses encodings and repairs common
breakage; this module adds the size limit and the reasons the parse stage
records when a page cannot be read at all.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement, HTMLParser, fromstring
from trafilatura.utils import decode_file, repair_faulty_html

# Pages beyond this are not news articles (a long feature is ~200 kB of HTML);
# parsing them would only slow the run. 5 MB pages still parse; 30 MB do not.
MAX_HTML_CHARS = 20_000_000
# libxml2 gives up on a document nested deeper than 256 levels (everything after
# the deep part is lost) unless told the tree may be huge. Broken templates that
# never close a <div> reach such depths; so the parser allows them, and subtrees
# below this depth are then flattened to their text, which keeps the recursive
# tree walkers (ours, trafilatura's) far from Python's recursion limit.
MAX_TREE_DEPTH = 200
_AT_MAX_DEPTH = XPath("/*" * MAX_TREE_DEPTH)  # the elements exactly that deep (cheap:
# the location path dies out at the page's real depth, ~30 on news pages)
# Tags kept when a too-deep page is re-read: those that carry text structure, the
# head, and script/style (whose content must stay out of the text).
_KEPT_TAGS = (
    "html|head|title|meta|link|body|p|h[1-6]|ul|ol|li|blockquote|table|thead|tbody|tr|td|th"
    "|br|script|style|noscript|time|a|article|main"
)
_LAYOUT_TAGS = re.compile(rf"</?(?!(?:{_KEPT_TAGS})\b)[a-zA-Z][\w:-]*\b[^>]*>", re.IGNORECASE)
HTML_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)

# Browsers look for the charset declaration in the first 1024 bytes; pages with
# long inline scripts in <head> push it further, so a little more is read.
DECLARATION_SEARCH_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


@dataclass(frozen=True)
class LoadedPage:
    tree: HtmlElement | None
    reason: str | None = None  # "unparseable:<why>" when tree is None


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in its first bytes (<meta charset> or http-equiv)."""
    match = _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def to_text(html: str | bytes) -> str:
    """Decode bytes: valid UTF-8, else the declared charset (keeping what decodes), else a guess.

    A page that declares UTF-8 but carries a few broken bytes keeps all its other
    text: the broken bytes become U+FFFD instead of the whole page being re-read
    in a guessed charset.
    """
    if isinstance(html, str):
        return html
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = declared_charset(html[:DECLARATION_SEARCH_BYTES])
    if charset is not None:
        return html.decode(charset, errors="replace")
    return decode_file(html)  # charset detection (charset_normalizer), then lossy UTF-8


def load_page(html: str | bytes | None) -> LoadedPage:
    """Parse HTML into a tree, or say why not (``unparseable:empty``, ``...:too_large``...)."""
    if html is None:
        return LoadedPage(None, "unparseable:empty")
    text = to_text(html)
    if not text.strip():
        return LoadedPage(None, "unparseable:empty")
    if len(text) > MAX_HTML_CHARS:
        return LoadedPage(None, "unparseable:too_large")
    try:
        tree = parse_html(text)
    except Exception as error:  # lxml raises many types on hostile input
        return LoadedPage(None, f"unparseable:{type(error).__name__}")
    if tree is None or not len(tree):
        return LoadedPage(None, "unparseable:not_html")
    flatten_deep_nesting(tree)
    return LoadedPage(tree)


def parse_html(text: str) -> HtmlElement | None:
    """lxml tree of a page, after trafilatura's repairs for libxml2's known troubles."""
    beginning = text[:50].lower()
    text = repair_faulty_html(_XML_DECLARATION.sub("", text, count=1), beginning)
    tree = fromstring(text.encode("utf-8", "surrogatepass"), parser=HTML_PARSER)
    if _hit_depth_limit():
        # Deeper than even the huge-tree limit: whatever follows the deep part is lost.
        # Runaway nesting is made of layout containers; without them the page reads.
        # (Nesting of kept tags, such as <article> in <article>, stays lost.)
        text = _LAYOUT_TAGS.sub(" ", text)
        tree = fromstring(text.encode("utf-8", "surrogatepass"), parser=HTML_PARSER)
    # Plain text parses into a single <p>: that is not a page.
    if "html" not in beginning and len(tree) < 2 and tree.find(".//p") is tree.find(".//*"):
        return None
    return tree


def _hit_depth_limit() -> bool:
    return any("Excessive depth" in entry.message for entry in HTML_PARSER.error_log)


def flatten_deep_nesting(tree: HtmlElement) -> None:
    """Replace each subtree below MAX_TREE_DEPTH by its text."""
    for element in _AT_MAX_DEPTH(tree):
        if len(element):
            text = " ".join(element.itertext())
            for child in list(element):
                element.remove(child)
            element.text = text
