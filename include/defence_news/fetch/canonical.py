"""URL canonicalisation: one article, one URL, whatever decorations a link carries.

``canonicalize_url`` gives the URL the fetcher requests. w3lib does the URL work
(percent-encoding made safe and normalised, dot segments resolved, the query
sorted, the fragment dropped); courlan's list of tracking parameters, with the
project's own, says which query parameters go; this module puts the host in the
IDNA form requests sends (``ascii_host``), drops userinfo and default ports, and
adds what is particular to news sites (AMP and print renderings, session ids).
``url_key`` goes further (no ``www.``, no trailing slash) and is only an identity
for deduplication: it is never fetched, because some sites answer only on ``www.``
or only with the slash.

``same_site`` compares registrable domains by the public suffix list (the copy
that ships inside the ``tld`` package courlan uses; nothing is downloaded).

Contract for hostile input: ``is_http_url`` says whether a request can be made to a
URL at all (http or https, a readable host, a port from 1 to 65535); it never raises.
For every URL it accepts, ``canonicalize_url`` and ``url_key`` return a value (and the
canonical URL is accepted too); for anything else they raise ``InvalidUrl``, a
ValueError, and never any other exception.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import courlan
import idna
import lxml.html
import w3lib.url
from courlan.clean import TRACKERS_RE
from lxml import etree

# Query parameters that identify a campaign or click, never the content: courlan's list
# (TRACKERS_RE) and these, which it does not name.
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
# A Java servlet's session id in the path (";jsessionid=..."): a visitor, not the content.
SESSION_PARAM = re.compile(r";jsessionid=[^/?#]*", re.I)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Rounds of cleaning a URL takes to settle: three at most in every case seen, the cap a bound.
MAX_ROUNDS = 4
# The head of a news page fits in well under this; the rest is never the head.
HEAD_SCAN_CHARS = 200_000
HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.I)
# The host and port of a netloc (userinfo removed): a bracketed IP literal or a name, then
# an optional port of ASCII digits. urllib reads "[::1]junk" or "host:80:81" silently.
HOST_AND_PORT = re.compile(r"(\[[^\[\]]*\]|[^\[\]:]*)(?::([0-9]*))?")
# RFC 3986 3.2.1: what may come before "@" in an authority. It is dropped from the canonical
# URL, but one with "[", "@" or spaces is read differently by different parsers (w3lib and
# urllib disagree on the host of "http://a[::1]@@b/"), and a link carrying it is junk.
USERINFO = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=:]*")
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
    parts = urlsplit(absolute.strip())  # readable: url_problem said so
    host = ascii_host(parts.hostname or "").rstrip(".")  # IDNA may map a last label away
    port = parts.port
    netloc = _netloc(host, None if port == DEFAULT_PORTS[parts.scheme] else port)
    # The host goes to w3lib already in ASCII: w3lib encodes with IDNA 2003 ("ß" -> "ss"),
    # requests and browsers with IDNA 2008 ("ß" -> "xn--zca"), and the canonical URL must
    # name the host that is really asked.
    canonical = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    try:
        # Until nothing changes: w3lib quotes ";params" of a last segment unlike the rest of
        # the path, so dropping an AMP segment after it can leave work for another round.
        for _round in range(MAX_ROUNDS):
            previous, canonical = canonical, _cleaned(canonical)
            if canonical == previous:
                break
    except ValueError as error:  # UnicodeError too; url_problem should have caught it
        raise InvalidUrl(f"{_quoted(absolute)}: {error}") from None
    return canonical


def _cleaned(url: str) -> str:
    """One round: w3lib's canonical form, without tracking parameters and renderings."""
    parts = urlsplit(w3lib.url.canonicalize_url(url, keep_blank_values=True))
    path = _clean_path(parts.path)
    query = _clean_query(parts.query)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


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
    if not url.isascii():
        try:  # a lone surrogate (text decoded with "surrogateescape") cannot go on the wire
            url.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"not valid Unicode text ({error.reason} at {error.start})"
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # "http://[::1/x", "http://[zz::1]/x"
        return f"unreadable ({error})"
    if parts.scheme not in DEFAULT_PORTS:
        return "not an http(s) URL"
    userinfo, at, host_and_port = parts.netloc.rpartition("@")
    if at and not USERINFO.fullmatch(userinfo):
        return f"unreadable userinfo before the host in {_quoted(parts.netloc)}"
    match = HOST_AND_PORT.fullmatch(host_and_port)
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
    """The path without a session id or the marks of an AMP or print rendering (w3lib has
    already normalised its escapes and resolved its dot segments)."""
    path = SESSION_PARAM.sub("", path) or "/"
    return AMP_SUFFIX.sub("", _drop_variant_segments(path)) or "/"


def _drop_variant_segments(path: str) -> str:
    """``/story/amp/`` and ``/amp/story`` -> ``/story/``: AMP and print renderings are
    marked by the first or last path segments; a segment in the middle is a real section,
    and a path of one segment ("/amp") is a page of its own."""
    segments = path.split("/")  # ["", first, ..., last] or [..., last, ""] with a slash
    inner = [index for index, segment in enumerate(segments) if segment]
    dropped: set[int] = set()
    while len(inner) > 1:
        if segments[inner[0]].lower() in VARIANT_SEGMENTS:
            dropped.add(inner.pop(0))
        elif segments[inner[-1]].lower() in VARIANT_SEGMENTS:
            dropped.add(inner.pop())
        else:
            break
    if not dropped:
        return path
    kept = [segment for index, segment in enumerate(segments) if index not in dropped]
    cleaned = "/".join(kept)
    return cleaned if cleaned.endswith("/") else cleaned + "/"


def _clean_query(query: str) -> str:
    """The (sorted, normalised) query without tracking and rendering parameters; the
    pairs kept are kept exactly as w3lib spelled them."""
    kept = [pair for pair in query.split("&") if pair and not _is_decoration(pair)]
    return "&".join(kept)


def _is_decoration(pair: str) -> bool:
    name, _, value = (unquote_plus(part).lower() for part in pair.partition("="))
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES) or _courlan_tracker(name):
        return True
    return name in VARIANT_PARAMS and value in VARIANT_VALUES


def _courlan_tracker(name: str) -> bool:
    """Whether courlan's tracker list names ``name``, as a whole word: its patterns match
    anywhere in a name ("ga" is Google Analytics' and the start of "gallery"), so a
    match must end the name or a part of it ("utm_source", "ref_src", not "refresh")."""
    return any(
        match.end() == len(name) or name[match.end()] == "_" or match.group().endswith("_")
        for match in TRACKERS_RE.finditer(name)
    )


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
    """Same registrable domain ("news.wire.co.uk" and "www.wire.co.uk"; not two blogs on
    one hosting suffix), ignoring port and how the name is spelled (Unicode or punycode);
    False if either URL has no readable host."""
    first_site, second_site = _site(first), _site(second)
    return first_site is not None and first_site == second_site


def _site(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except (AttributeError, ValueError):  # not a string, or unreadable
        return None
    if not host or len(host) > MAX_HOST_CHARS:  # no request can be made to either
        return None
    return registrable_domain(host)


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The part of ``host`` one owner registered, by the public suffix list: "bbc.co.uk" of
    "www.news.bbc.co.uk", "foo.blogspot.com" of "foo.blogspot.com" (a private suffix). A
    name under a suffix the list does not know ("wire.example") gets the list's default
    rule, its last two labels; an IP address is its own site. In ASCII (IDNA) form."""
    name = ascii_host(host.strip("[]")).rstrip(".")  # IDNA maps "．" to "." too
    if not name:
        return name
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(name))  # one spelling: "0:0::1" is "::1"
    found = courlan.extract_domain("http://" + _unicode_host(name))  # the list is in Unicode
    return ascii_host(found) if found else ".".join(name.split(".")[-2:])


def _unicode_host(name: str) -> str:
    try:
        return idna.decode(name)
    except ValueError:  # a label like "xn--zz" that is not valid punycode: as written
        return name
