"""A small CSS-selector subset compiled to XPath, for site rules.

Site rules in the source registry name containers with simple CSS
(``div.article-body``, ``#story p``, ``aside.related, div[data-ad]``). lxml's
own ``cssselect`` needs an extra package; this subset covers what site rules
use: type, ``.class``, ``#id``, ``[attr]``, ``[attr=value]``, ``[attr*=value]``,
``[attr^=value]``, descendant and child combinators, and comma lists.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.etree import XPath, XPathSyntaxError

_SIMPLE = re.compile(
    r"""(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:[.#][\w-]+|\[[^\]]+\])*)$""",
)
_PART = re.compile(
    r"([.#])([\w-]+)"  # .class or #id
    r"|\[\s*([\w:-]+)\s*(?:([*^$~]?=)\s*['\"]?([^'\"\]]*)['\"]?)?\s*\]"  # [attr op value]
)


class SelectorError(ValueError):
    """A selector outside the supported subset."""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "") + "'"


def _simple_to_xpath(simple: str) -> str:
    match = _SIMPLE.match(simple)
    if not match or not simple:
        raise SelectorError(f"unsupported selector part: {simple!r}")
    conditions = []
    for part in _PART.finditer(match.group("rest") or ""):
        kind, name, attr, op, value = part.groups()
        if kind == ".":
            conditions.append(
                f"contains(concat(' ', normalize-space(@class), ' '), {_literal(' ' + name + ' ')})"
            )
        elif kind == "#":
            conditions.append(f"@id={_literal(name)}")
        elif op is None:
            conditions.append(f"@{attr}")
        elif op == "=":
            conditions.append(f"@{attr}={_literal(value)}")
        elif op == "*=":
            conditions.append(f"contains(@{attr}, {_literal(value)})")
        elif op == "^=":
            conditions.append(f"starts-with(@{attr}, {_literal(value)})")
        else:
            padded = _literal(" " + value + " ")
            conditions.append(f"contains(concat(' ', normalize-space(@{attr}), ' '), {padded})")
    tag = match.group("tag") or "*"
    return tag + "".join(f"[{condition}]" for condition in conditions)


def css_to_xpath(selector: str) -> str:
    """``div.a > p, #b`` -> ``.//div[...]/p | .//*[@id='b']``."""
    alternatives = []
    for alternative in selector.split(","):
        tokens = alternative.replace(">", " > ").split()
        if not tokens:
            raise SelectorError(f"empty selector in {selector!r}")
        path, axis = ".", "//"
        for token in tokens:
            if token == ">":
                axis = "/"
                continue
            path += axis + _simple_to_xpath(token)
            axis = "//"
        alternatives.append(path)
    return " | ".join(alternatives)


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> XPath:
    """Compiled XPath for a CSS selector; SelectorError when it is not supported."""
    try:
        return XPath(css_to_xpath(selector))
    except XPathSyntaxError as error:
        raise SelectorError(f"{selector!r}: {error}") from error
