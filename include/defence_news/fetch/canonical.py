"""URL canonicalisation: one article, one URL, whatever decorations a link carries.

``canonicalize_url`` gives the URL the fetcher requests: tracking parameters,
fragments, default ports, AMP and print variants removed, the query sorted.
``url_key`` goes further (no ``www.``, no trailing slash) and is only an
identity for deduplication: it is never fetched, because some sites answer
only on ``www.`` or only with the slash.

Contract for hostile input: ``is_http_url`` says whether a request can be made to a
URL at all (http or https, a readable host, a port from 1 to 65535); it never raises.
For every URL it accepts, ``canonicalize_url`` and ``url_key`` return a value (and the
canonical URL is accepted too); for anything else they raise ``InvalidUrl``, a
ValueError, and never any other exception.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import idna
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
# The host and port of a netloc (userinfo removed): a bracketed IP literal or a name, then
# an optional port of ASCII digits. urllib reads "[::1]junk" or "host:80:81" silently.
HOST_AND_PORT = re.compile(r"(\[[^\[\]]*\]|[^\[\]:]*)(?::([0-9]*))?")
# A DNS label as requests sends it: letters, digits, hyphens, and the underscores some
# sites really use in sub-domains.
HOST_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
# RFC 1035's limit on a name; checked before IDNA, whose punycode step is quadratic.
MAX_HOST_CHARS = 253
MAX_PORT = 65535
# How much of a hostile URL an error message quotes.
QUOTED_CHARS = 120


class InvalidUrl(ValueError):
    """No HTTP request can be made to this URL: it is not a string, not http(s), or its
    host or port is unreadable ("http://host:99999/x", "http://[::1/x", "http:///x").

    The only exception ``canonicalize_url`` and ``url_key`` raise; ``is_http_url`` says
    beforehand whether they will.
    """


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The fetchable canonical form of ``url`` (resolved against ``base`` if relative).

    Returns a URL ``is_http_url`` accepts for every URL (once resolved) it accepts;
    raises ``InvalidUrl``, and nothing else, for any other input."""
    absolute = _resolve(url, base)
    problem = url_problem(absolute)
    if problem is not None:
        raise InvalidUrl(f"{_quoted(absolute)}: {problem}")
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    netloc = _netloc(host, None if port == DEFAULT_PORTS.get(scheme) else port)
    path = _clean_path(parts.path)
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """Identity of a URL for deduplication: canonical, without ``www.`` or trailing slash,
    the host in its ASCII (punycode) form so that both spellings of a name are one key.

    Raises ``InvalidUrl`` exactly when ``canonicalize_url`` does."""
    parts = urlsplit(canonicalize_url(url))
    host = ascii_host(parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", _netloc(host, parts.port), path, parts.query, ""))[2:]  # no "//"


def is_http_url(url: str) -> bool:
    """True if an HTTP request can be made to ``url``; never raises (see ``url_problem``)."""
    return url_problem(url) is None


def url_problem(url: object) -> str | None:
    """Why no HTTP request can be made to ``url``, or None if one can: an http(s) URL
    whose host is a valid name or IP literal and whose port, if any, is 1 to 65535."""
    if not isinstance(url, str):
        return f"not a string but {type(url).__name__}"
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # "http://[::1/x", "http://[zz::1]/x"
        return f"unreadable ({error})"
    if parts.scheme not in DEFAULT_PORTS:
        return "not an http(s) URL"
    match = HOST_AND_PORT.fullmatch(parts.netloc.rpartition("@")[2])
    if match is None:
        return f"unreadable host and port {_quoted(parts.netloc)}"
    host, port = match.groups()
    if port and not 1 <= int(port) <= MAX_PORT:
        return f"port {port} is not between 1 and {MAX_PORT}"
    return _host_problem(host)


def ascii_host(host: str) -> str:
    """``host`` lower-cased and, if written in Unicode, in its IDNA (punycode) form: how
    DNS and the Host header spell it, so ``bücher.example`` equals ``xn--bcher-kva.example``.
    A name IDNA refuses comes back lower-cased as given (no request can be made to it)."""
    lowered = host.lower()
    if lowered.isascii() or len(lowered) > MAX_HOST_CHARS:
        return lowered
    try:
        return idna.encode(lowered, uts46=True).decode("ascii")  # as requests encodes it
    except ValueError:  # idna.IDNAError is a UnicodeError, a ValueError
        return lowered


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{_quoted(host)} is not an IPv6 address"
        return None
    if len(host) > MAX_HOST_CHARS:
        return f"host name longer than {MAX_HOST_CHARS} characters"
    name = ascii_host(host).removesuffix(".")  # one trailing dot: the DNS root
    if not name:
        return "no host"
    if len(name) > MAX_HOST_CHARS or not all(map(HOST_LABEL.fullmatch, name.split("."))):
        return f"{_quoted(host)} is not a valid host name"
    return None


def _resolve(url: object, base: object) -> str:
    if not isinstance(url, str) or not isinstance(base, str | None):
        raise InvalidUrl(f"not a string: {_quoted(url)}")
    if not base:
        return url.strip()
    try:
        return urljoin(base, url.strip())
    except ValueError as error:  # urljoin splits both: a malformed base or link
        raise InvalidUrl(f"{_quoted(url)} against {_quoted(base)}: {error}") from None


def _netloc(host: str, port: int | None) -> str:
    literal = f"[{host}]" if ":" in host else host  # IPv6 keeps its brackets
    return literal if port is None else f"{literal}:{port}"


def _quoted(value: object) -> str:
    text = repr(value)
    return text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "..."


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
        try:
            canonical = canonicalize_url(candidate, base=page_url)
        except InvalidUrl:
            continue  # a malformed link in the head must not cost the page its record
        if same_site(canonical, page_url):
            return canonical
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
    """Same host, ignoring ``www.``, port and how the name is spelled (Unicode or
    punycode); False if either URL has no readable host."""
    first_site, second_site = _site(first), _site(second)
    return first_site is not None and first_site == second_site


def _site(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return ascii_host(host.rstrip(".")).removeprefix("www.") if host else None
