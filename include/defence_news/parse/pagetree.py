"""Preparing the page tree before extraction: embeds out, site rules applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import deepcopy
from typing import Any

from lxml.etree import XPath, XPathError
from lxml.html import Element, HtmlElement

from defence_news.parse.selectors import SelectorError, compile_selector

# Embedded posts (tweets, Instagram, TikTok...) quote a third party's feed; they
# are not the article's reporting and their timestamps and handles read as noise.
SOCIAL_EMBED_CLASSES = (
    "twitter-tweet",
    "twitter-timeline",
    "instagram-media",
    "tiktok-embed",
    "fb-post",
    "bluesky-embed",
    "threads-embed",
)
_SOCIAL_EMBED_XPATH = XPath(
    "//blockquote["
    + " or ".join(f"contains(@class, '{name}')" for name in SOCIAL_EMBED_CLASSES)
    + "] | //div["
    + " or ".join(f"contains(@class, '{name}')" for name in SOCIAL_EMBED_CLASSES)
    + "]"
)


def prepare_tree(tree: HtmlElement, rules: Mapping[str, Any]) -> HtmlElement:
    """The tree without social embeds and with site rules applied; the caller's is untouched."""
    embeds = _SOCIAL_EMBED_XPATH(tree)
    if not embeds and not rules:
        return tree  # nothing to change: spare the copy (trafilatura copies anyway)
    work = deepcopy(tree)
    for element in _SOCIAL_EMBED_XPATH(work):
        if element.getparent() is not None:
            element.drop_tree()
    return apply_site_rules(work, rules)


def _select(tree: HtmlElement, selectors: Sequence[str] | str) -> list[HtmlElement]:
    if isinstance(selectors, str):
        selectors = [selectors]
    found: list[HtmlElement] = []
    for selector in selectors:
        try:
            found.extend(compile_selector(selector)(tree))
        except (SelectorError, XPathError):
            continue  # a rule the subset cannot read is ignored, never fatal
    return found


def apply_site_rules(tree: HtmlElement, rules: Mapping[str, Any]) -> HtmlElement:
    """Drop ``drop_selectors`` and narrow to ``body_selector`` (when it matches)."""
    for element in _select(tree, rules.get("drop_selectors") or ()):
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()
    body_selector = rules.get("body_selector")
    if body_selector:
        containers = _select(tree, body_selector)
        if containers:
            return page_of(tree, containers)
    return tree


def page_of(tree: HtmlElement, containers: list[HtmlElement]) -> HtmlElement:
    """A minimal page holding only the given containers (and the original head)."""
    page = Element("html")
    head = tree.find("head")
    if head is not None:
        page.append(deepcopy(head))
    body = Element("body")
    article = Element("article")
    for container in containers:
        article.append(deepcopy(container))
    body.append(article)
    page.append(body)
    return page
