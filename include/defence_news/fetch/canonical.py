"""URL canonicalisation: one article, one URL, whatever decorations a link carries.

``canonicalize_url`` gives the URL the fetcher requests: tracking parameters,
fragments, default ports, AMP and print variants removed, the query sorted.
``url_key`` goes further (no ``www.``, no trailing slash) and is only an
identity for deduplication: it is never fetched, because some sites answer
only on ``www.`` or only with the slash.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

# Query parameters that identify a campaign or click, never the content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "ref",
        "ref_src",
        "referrer",
        "cmpid",
        "ocid",
        "ncid",
        "smid",
        "sr_share",
        "share",
        "socialshare",
        "spm",
        "at_medium",
        "at_campaign",
        "ito",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "outputtype",  # Arc Publishing's ?outputType=amp
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_")
# Parameters that only switch to an AMP or print rendering of the same article.
VARIANT_PARAMS = frozenset({"amp", "print", "view", "output", "printable"})
VARIANT_VALUES = frozenset({"", "1", "true", "amp", "print", "printable", "yes"})
# Path endings and segments of AMP and print renderings: /amp, /amp/, /print/, .amp.html
VARIANT_SEGMENTS = frozenset({"amp", "print", "printable"})
AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$)")
PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
DEFAULT_PORTS = {"http": 80, "https": 443}
# The head of a news page fits in well under this; the rest is never the head.
HEAD_SCAN_CHARS = 200_000
HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.I)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The fetchable canonical form of ``url`` (resolved against ``base`` if relative)."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = _clean_path(parts.path)
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """Identity of a URL for deduplication: canonical, without ``www.`` or trailing slash."""
    parts = urlsplit(canonicalize_url(url))
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))[2:]  # drop the leading "//"


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _clean_path(path: str) -> str:
    path = _normalize_escapes(path or "/")
    normalized = posixpath.normpath(path) if path != "/" else "/"
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    normalized = "/" + normalized.lstrip("/")
    return AMP_SUFFIX.sub("", _drop_variant_segments(normalized)) or "/"


def _normalize_escapes(path: str) -> str:
    """RFC 3986 6.2.2: unreserved characters unescaped, other escapes upper-case, and
    characters that must be escaped (spaces, non-ASCII) escaped. %2F stays %2F."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in UNRESERVED else "%" + match.group(1).upper()

    return quote(PERCENT_ESCAPE.sub(fix, path), safe="/:@!$&'()*+,;=-._~%")


def _drop_variant_segments(path: str) -> str:
    """``/story/amp/`` and ``/amp/story`` -> ``/story/``: AMP and print renderings are
    marked by the first or last path segment; a segment in the middle is a real section."""
    segments = path.split("/")  # ["", first, ..., last] or [..., last, ""] with a slash
    inner = [index for index, segment in enumerate(segments) if segment]
    if not inner:
        return path
    ends = {inner[0], inner[-1]} if len(inner) > 1 else set()
    dropped = {index for index in ends if segments[index].lower() in VARIANT_SEGMENTS}
    if not dropped:
        return path
    kept = [segment for index, segment in enumerate(segments) if index not in dropped]
    cleaned = "/".join(kept)
    return cleaned if cleaned.endswith("/") else cleaned + "/"


def _clean_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not _is_decoration(name, value)]
    return urlencode(sorted(kept), doseq=True)


def _is_decoration(name: str, value: str) -> bool:
    lowered = name.lower()
    if lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES):
        return True
    return lowered in VARIANT_PARAMS and value.lower() in VARIANT_VALUES


def declared_canonical(html: str, page_url: str) -> str | None:
    """The page's own ``<link rel=canonical>`` (or ``og:url``), canonicalised, if it is
    an http(s) URL on the same site; a page cannot claim another site's identity."""
    for candidate in _canonical_candidates(_head_of(html)):
        absolute = urljoin(page_url, candidate.strip())
        if is_http_url(absolute) and same_site(absolute, page_url):
            return canonicalize_url(absolute)
    return None


def _head_of(html: str) -> str:
    # Only the head declares the canonical URL: parse that, not a 3 MB body, per page.
    end = HEAD_END.search(html, 0, HEAD_SCAN_CHARS)
    return html[: end.start()] if end else html[:HEAD_SCAN_CHARS]


def _canonical_candidates(head: str) -> list[str]:
    if not head.strip():
        return []
    try:
        root = lxml.html.fromstring(head)
    except (etree.ParserError, ValueError):
        return []
    links = [
        link.get("href") or ""
        for link in root.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    og = [
        meta.get("content") or "" for meta in root.iter("meta") if meta.get("property") == "og:url"
    ]
    return [value for value in links + og if value.strip()]


def same_site(first: str, second: str) -> bool:
    """Same host, ignoring ``www.`` and port."""

    def host(url: str) -> str:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")

    return host(first) == host(second)
