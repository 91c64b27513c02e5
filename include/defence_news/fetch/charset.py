"""Bytes to text for pages whose declared charset may be wrong or missing.

Order of evidence, most to least reliable: a byte-order mark; the HTTP
header, if the bytes actually decode with it; the document's own
``<meta charset>`` or XML declaration, under the same condition; strict
UTF-8; statistical detection (charset-normalizer); UTF-8 with replacement
characters as the last resort, so decoding never fails.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# A document declares its charset near the top; looking further costs time for nothing.
DECLARATION_SCAN_BYTES = 4096
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings in which NUL bytes are ordinary text: "has NUL bytes" means binary only outside
# them (codecs.lookup names).
WIDE_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
# A bare "utf-16" label without a BOM: WHATWG reads it as little-endian, and so does
# ``bytes.decode("utf-16")`` on the little-endian machines this runs on.
UNMARKED_BYTE_ORDER = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}
PREFERRED_ON_TIE = "cp1252"
# Latin-1 decodes any byte sequence, so "it decoded" proves nothing for these: servers
# often send them by default for pages that are really UTF-8.
PERMISSIVE_CODECS = frozenset({"latin_1", "iso8859-1", "cp1252", "ascii"})


def header_charset(content_type: str | None) -> str | None:
    match = HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def wide_encoding(head: bytes, content_type: str | None = None) -> str | None:
    """The UTF-16 or UTF-32 encoding the start of a body is in, by its byte-order mark or,
    without one, by the declared charset; None if neither, or if ``head`` does not read
    as text in it (it must decode and hold no NUL character: binary rarely does both)."""
    marked = next((name for bom, name in BOMS if head.startswith(bom)), None)
    encoding = marked or _codec_name(header_charset(content_type))
    if encoding not in WIDE_CODECS:
        return None
    probe = encoding if marked else UNMARKED_BYTE_ORDER.get(encoding, encoding)
    try:  # incremental: the head may end inside a character
        text = codecs.getincrementaldecoder(probe)().decode(head, final=False)
    except UnicodeError:
        return None
    return encoding if "\x00" not in text else None


def _codec_name(label: str | None) -> str | None:
    try:
        return codecs.lookup(label).name if label else None
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, encoding used)`` for a response body."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace"), encoding
    head = body[:DECLARATION_SCAN_BYTES]
    declared = [header_charset(content_type), *_document_declarations(head)]
    for candidate in filter(None, declared):
        decoded = _try_decode(body, candidate)
        if decoded is not None:
            return decoded
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detect(body)
    if detected is not None:
        return detected
    return body.decode("utf-8", errors="replace"), "utf-8"


def _detect(body: bytes) -> tuple[str, str] | None:
    results = from_bytes(body)
    best = results.best()
    if best is None or not best.encoding:
        return None
    # Single-byte code pages often tie (cp1250 and cp1252 read French equally well); on a
    # tie prefer windows-1252, the legacy encoding WHATWG assumes for unlabelled pages.
    tied = [m for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    chosen = next((m for m in tied if m.encoding == PREFERRED_ON_TIE), best)
    return str(chosen), chosen.encoding


def _document_declarations(head: bytes) -> list[str]:
    found = []
    for pattern in (XML_ENCODING, META_CHARSET):
        match = pattern.search(head)
        if match:
            found.append(match.group(1).decode("ascii", errors="ignore"))
    return found


def _try_decode(body: bytes, label: str) -> tuple[str, str] | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None  # a made-up charset name: ignore it, use the other evidence
    if name in PERMISSIVE_CODECS and _is_non_ascii_utf8(body):
        return body.decode("utf-8"), "utf-8"
    try:
        return body.decode(name), name
    except UnicodeDecodeError:
        return None


def _is_non_ascii_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
