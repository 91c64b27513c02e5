"""Text normalisation shared by body and metadata extraction."""

from __future__ import annotations

import html
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_inline(text: str | None) -> str:
    """NFC, invisible characters removed, runs of spaces collapsed, trimmed.

    Typographic quotes, dashes and apostrophes are kept: they are data.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(p for p in paragraphs if p)


def decode_entities(text: str) -> str:
    """HTML entities decoded until none is left: pages escape some twice (``&amp;#8217;``)."""
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def clean_field(text: str | None) -> str:
    """A metadata value (meta content, JSON-LD string): entities decoded, then clean_inline.

    Body text comes decoded from the HTML parser; metadata strings often carry entities
    their CMS escaped a second time, or that JSON-LD keeps as written.
    """
    return clean_inline(decode_entities(text)) if text else ""
