"""The polite HTTP client: one ``fetch`` call per URL, one recorded result each.

Built on requests with redirects followed by hand, so that every hop passes
robots.txt, the host's rate limit and the address guard. ``fetch`` never
raises for network or content problems, nor for a URL no request can be made to:
it returns a ``FetchResult`` whose ``reason`` says what went wrong (``http_404``,
``read_timeout``, ``too_large``, ``invalid_url``...).
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError

from defence_news.fetch.canonical import ascii_host, url_problem
from defence_news.fetch.charset import wide_encoding
from defence_news.fetch.guard import (
    ACTIVE_ATTEMPT,
    AddressBlocked,
    GuardPolicy,
    guarded_pool_classes,
)
from defence_news.fetch.politeness import (
    ROBOTS_MAX_BYTES,
    BudgetExceeded,
    HostState,
    HostTable,
    RobotsRules,
)
from defence_news.fetch.settings import FetchSettings

Kind = Literal["page", "feed", "robots"]
# Read in 64 KiB pieces: small enough that the size cap bites early, large enough to be cheap.
CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 429 and these 5xx are worth another try later; 501 (not implemented) never changes.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": (
        "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
    ),
    "robots": "text/plain,*/*;q=0.1",
}
# Media types that are never an article, recognised before the body is read.
NON_DOCUMENT_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Magic numbers of binary formats that servers mislabel as text/html.
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
# How much of a hostile URL a failure's detail quotes.
QUOTED_URL_CHARS = 200
# Reasons that mean "we chose not to fetch", as opposed to "fetching went wrong".
SKIP_REASONS = frozenset(
    {
        "robots_disallowed",
        "robots_unreachable",
        "crawl_delay_too_long",
        "host_unavailable",
        "binary_body",
    }
)
SKIP_PREFIXES = ("content_type:",)


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response to it, as archived in the WARC file."""

    url: str
    method: str
    request_headers: Mapping[str, str]
    status_code: int
    reason_phrase: str
    http_version: str
    response_headers: Mapping[str, str]
    body: bytes  # decoded (Content-Encoding removed); cut at the size cap if `truncated`
    truncated: bool
    fetched_at: datetime
    peer: str | None = None


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    reason: str | None = None  # None when fetched (2xx) or not modified (304)
    detail: str | None = None
    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    attempts: int = 0
    exchanges: tuple[Exchange, ...] = ()
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        return (
            self.reason is None and self.status_code is not None and 200 <= self.status_code < 300
        )

    @property
    def not_modified(self) -> bool:
        return self.reason is None and self.status_code == 304

    @property
    def outcome(self) -> Literal["fetched", "not_modified", "skipped", "failed"]:
        if self.ok:
            return "fetched"
        if self.not_modified:
            return "not_modified"
        if self.reason in SKIP_REASONS or (self.reason or "").startswith(SKIP_PREFIXES):
            return "skipped"
        return "failed"

    @property
    def content_type(self) -> str:
        return header(self.headers, "content-type") or ""


def header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


class _Failure(Exception):
    """Internal: ends a fetch with a reason (never leaves this module)."""

    def __init__(
        self,
        reason: str,
        detail: str,
        status: int | None = None,
        exchange: Exchange | None = None,  # what was received before giving up, if anything
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.status = reason, detail, status
        self.exchange = exchange


@dataclass
class _Attempt:
    exchange: Exchange | None = None
    failure: _Failure | None = None
    retry_after: float | None = None


class Watchdog:
    """One thread that shuts sockets whose fetch passed its deadline.

    A server that drips a byte every few seconds never trips the read timeout;
    shutting the socket from outside is the only way to bound the total time.
    The thread exits when no alarm is armed and starts again with the next one.
    """

    def __init__(self) -> None:
        self._alarms: list[tuple[float, int, Callable[[], None]]] = []
        self._armed: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, action: Callable[[], None]) -> int:
        with self._cond:
            alarm_id = next(self._ids)
            heapq.heappush(self._alarms, (deadline, alarm_id, action))
            self._armed.add(alarm_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return alarm_id

    def disarm(self, alarm_id: int) -> None:
        with self._cond:
            self._armed.discard(alarm_id)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                action = self._wait_for_due()
                if action is None:
                    self._thread = None
                    return
            action()  # outside the lock: it may take other locks

    def _wait_for_due(self) -> Callable[[], None] | None:
        """The next due action, waiting for it; None when nothing is armed (lock held)."""
        while self._alarms:
            deadline, alarm_id, action = self._alarms[0]
            if alarm_id not in self._armed:
                heapq.heappop(self._alarms)
                continue
            wait = deadline - time.monotonic()
            if wait > 0:
                self._cond.wait(wait)
                continue
            heapq.heappop(self._alarms)
            self._armed.discard(alarm_id)
            return action
        return None


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: GuardPolicy, pool_size: int) -> None:
        self._policy = policy
        super().__init__(pool_connections=16, pool_maxsize=pool_size, max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = guarded_pool_classes(self._policy)


class _HandRedirectSession(requests.Session):
    def resolve_redirects(self, *args: object, **kwargs: object) -> Iterator[requests.Response]:
        """Nothing: redirects are followed by hand, so that every hop passes robots.txt, the
        rate limit and the guard. requests would still parse the Location here, for
        ``Response.next``, and raise on a malformed one, losing the answer it came with."""
        return iter(())


class PoliteClient:
    """Fetches URLs the way a well-behaved crawler should (see module docstring)."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        policy: GuardPolicy | None = None,
        min_delay: float | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
        robots_cache: Mapping[str, dict[str, object]] | None = None,
    ) -> None:
        """``min_delay`` replaces the default spacing ``1 / per_host_rate`` (a source's own
        crawl_delay); robots.txt crawl-delay still applies on top. ``on_exchange`` sees every
        HTTP exchange, robots.txt and redirects included (the WARC archive). ``robots_cache``
        holds robots.txt rules kept from earlier runs (``robots_records``), used until
        ``robots_ttl`` runs out."""
        self.on_exchange = on_exchange
        self.settings = settings or FetchSettings()
        self.policy = policy or GuardPolicy(allow_private=self.settings.allow_private)
        delay = min_delay if min_delay is not None else 1.0 / self.settings.per_host_rate
        self.hosts = HostTable(delay, self.settings.per_host_concurrency)
        self.watchdog = Watchdog()
        self._robots: dict[str, RobotsRules] = _load_robots(robots_cache or {})
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    # -- public -------------------------------------------------------------------------

    def fetch(
        self, url: str, kind: Kind = "page", validators: Mapping[str, str] | None = None
    ) -> FetchResult:
        """Fetch ``url`` following redirects; conditional if ``validators`` (etag,
        last_modified) are given. Never raises for network or content problems, nor for
        a malformed URL (``invalid_url``, or ``bad_redirect`` for a malformed Location)."""
        deadline = time.monotonic() + self.settings.total_timeout
        exchanges: list[Exchange] = []
        attempts = 0
        current, visited = url, {url}
        try:
            _check_url(url)
            for _hop in range(self.settings.max_redirects + 1):
                if kind != "robots":
                    self._check_robots(current)
                host = self._host_state(current)
                exchange, tries = self._with_retries(current, kind, validators, deadline, host)
                attempts += tries
                exchanges.append(exchange)
                target = self._redirect_target(exchange)
                if target is None:
                    return self._finish(url, exchange, kind, exchanges, attempts)
                if target in visited:
                    raise _Failure("redirect_loop", f"{current} redirects back to {target}")
                visited.add(target)
                current = target
                validators = None  # validators belong to the first URL only
            raise _Failure(
                "too_many_redirects", f"more than {self.settings.max_redirects} redirects"
            )
        except _Failure as failure:
            return FetchResult(
                url=url,
                final_url=current,
                reason=failure.reason,
                detail=failure.detail,
                status_code=failure.status,
                attempts=attempts,
                exchanges=tuple(exchanges),
            )

    def robots_for(self, url: str) -> RobotsRules:
        """The (cached) robots.txt rules of the URL's origin."""
        origin = origin_url(url)
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch per origin even when many threads ask at once
            cached = self._robots.get(origin)
            if cached is not None and self._fresh(cached):
                return cached
            rules = self._fetch_robots(origin)
            self._robots[origin] = rules
            return rules

    def robots_sitemaps(self, url: str) -> list[str]:
        """The sitemaps the robots.txt of ``url``'s origin lists, for discovery: resolved
        against robots.txt, http(s) only, each once, in the order listed; empty when
        robots.txt is absent or unreachable, or ``url`` is malformed."""
        if url_problem(url) is not None:
            return []
        robots_url = origin_url(url) + "/robots.txt"
        found: list[str] = []
        for line in self.robots_for(url).sitemaps:
            try:
                sitemap = urljoin(robots_url, line)
            except ValueError:  # "http://[::1/x": a line no URL can be made of
                continue
            if url_problem(sitemap) is None and sitemap not in found:
                found.append(sitemap)
        return found

    def known_refusal(self, url: str) -> str | None:
        """Why robots.txt forbids ``url``, if the rules of its origin are already known
        (read this run or cached); None otherwise. Never fetches: a planner asks this of
        every discovered URL, and a feed may link to a thousand hosts."""
        if url_problem(url) is not None:
            return None
        origin = origin_url(url)
        with self._lock:
            rules = self._robots.get(origin)
        if rules is None or rules.status != "parsed" or not self._fresh(rules):
            return None
        if rules.allows(self.settings.user_agent, url):
            return None
        return f"robots.txt of {origin} disallows it"

    def robots_records(self) -> dict[str, dict[str, object]]:
        """Fresh robots.txt rules in a JSON-able form, to pass as ``robots_cache`` next run."""
        with self._lock:
            rules = dict(self._robots)
        records = {origin: rule.to_record() for origin, rule in rules.items() if self._fresh(rule)}
        return {origin: record for origin, record in records.items() if record is not None}

    def _fresh(self, rules: RobotsRules) -> bool:
        return time.time() - rules.fetched_at < self.settings.robots_ttl

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- robots -------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        rules = self.robots_for(url)
        if rules.status == "unreachable":
            reason = rules.network_reason or "robots_unreachable"
            raise _Failure(reason, rules.detail or "robots.txt unreachable")
        if not rules.allows(self.settings.user_agent, url):
            raise _Failure("robots_disallowed", f"robots.txt of {origin_url(url)} disallows it")
        # Crawl-delay or Request-rate, whichever is slower.
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay is not None:
            if delay > self.settings.max_crawl_delay:
                raise _Failure(
                    "crawl_delay_too_long",
                    f"robots.txt asks {delay:g}s between requests "
                    f"(limit {self.settings.max_crawl_delay:g}s)",
                )
            self._host_state(url).raise_delay(delay)

    def _fetch_robots(self, origin: str) -> RobotsRules:
        result = self.fetch(origin + "/robots.txt", kind="robots")
        now = time.time()
        if result.ok:
            truncated = bool(result.exchanges) and result.exchanges[-1].truncated
            return RobotsRules.from_text(robots_text(result.body, truncated), now)
        status = result.status_code
        # RFC 9309 2.3.1.3: a 4xx means no rules, crawl freely; but a 429 asks us to slow
        # down, not to crawl everything (read as unreachable, as the large crawlers do).
        if status is not None and 400 <= status < 500 and status != 429:
            return RobotsRules("absent", fetched_at=now)
        if status is None:  # no HTTP answer: the host is unreachable, say how
            return RobotsRules(
                "unreachable", fetched_at=now, detail=result.detail, network_reason=result.reason
            )
        detail = f"robots.txt of {origin}: {result.reason} ({result.detail})"
        return RobotsRules("unreachable", fetched_at=now, detail=detail)  # RFC 9309 2.3.1.4

    # -- one URL, retried ---------------------------------------------------------------

    def _with_retries(
        self,
        url: str,
        kind: Kind,
        validators: Mapping[str, str] | None,
        deadline: float,
        host: HostState,
    ) -> tuple[Exchange, int]:
        last: _Failure | None = None
        attempts = 0
        for attempt in range(self.settings.retries + 1):
            outcome = self._attempt_in_slot(url, kind, validators, deadline, host, last)
            attempts += 1
            if outcome.failure is None and outcome.exchange is not None:
                return outcome.exchange, attempts
            last = outcome.failure
            assert last is not None
            if not _retryable(last) or attempt == self.settings.retries:
                break
            wait = self._wait_before_retry(attempt, outcome.retry_after, last)
            if time.monotonic() + wait > deadline:
                last.detail += (
                    f"; retry in {wait:.1f}s would pass the {self.settings.total_timeout:g}s cap"
                )
                break
            host.push_back(time.monotonic() + wait)
            time.sleep(wait)
        assert last is not None
        last.detail += f" (after {attempts} attempt(s))"
        raise last

    def _attempt_in_slot(
        self,
        url: str,
        kind: Kind,
        validators: Mapping[str, str] | None,
        deadline: float,
        host: HostState,
        previous: _Failure | None,
    ) -> _Attempt:
        """One attempt within the host's limits, unless the host's breaker is open."""
        limit = self.settings.host_failure_limit
        try:
            with host.slot(deadline):
                if host.breaker_open(limit):
                    if previous is not None:
                        previous.detail += "; host left alone after repeated failures"
                        raise previous
                    raise _Failure(
                        "host_unavailable",
                        f"{host_key(url)} failed {limit} times in a row this run; left alone",
                    )
                began = time.monotonic()
                outcome = self._attempt(url, kind, validators, deadline, host)
                host.record(not self._host_to_blame(outcome.failure, time.monotonic() - began))
            if outcome.exchange is not None and self.on_exchange is not None:
                self.on_exchange(outcome.exchange)  # every response, failed attempts included
            return outcome
        except BudgetExceeded as error:
            raise _Failure("total_timeout", str(error)) from None

    def _host_to_blame(self, failure: _Failure | None, seconds: float) -> bool:
        """Whether a failed attempt says the host is in trouble (the per-host breaker)."""
        if failure is None:
            return False
        if failure.reason == "total_timeout":
            # The host's doing (a drip, headers that never end) if it had at least a read
            # timeout to answer; an attempt begun just before the URL's deadline, after
            # waiting for our own connection cap, says nothing about the host.
            return seconds >= self.settings.read_timeout
        return _counts_against_host(failure)

    def _wait_before_retry(
        self, attempt: int, retry_after: float | None, failure: _Failure
    ) -> float:
        if retry_after is not None:
            if retry_after > self.settings.max_retry_after:
                failure.detail += (
                    f"; Retry-After {retry_after:g}s exceeds {self.settings.max_retry_after:g}s"
                )
                raise failure
            return retry_after
        backoff = min(self.settings.backoff_max, self.settings.backoff_base * 2**attempt)
        return backoff * (1 + random.uniform(0, self.settings.backoff_jitter))

    def _attempt(
        self,
        url: str,
        kind: Kind,
        validators: Mapping[str, str] | None,
        deadline: float,
        host: HostState,
    ) -> _Attempt:
        headers = self._request_headers(kind, validators)
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        started = datetime.now(UTC)
        cutoff = _Cutoff()
        alarm = self.watchdog.arm(deadline, cutoff.fire)
        try:
            ACTIVE_ATTEMPT.connections = cutoff.connections  # the guard registers them
            ACTIVE_ATTEMPT.gate = functools.partial(host.send_gate, deadline)
            try:
                response = self._session().get(
                    url, headers=headers, stream=True, allow_redirects=False, timeout=timeout
                )
            except AddressBlocked as error:
                return _Attempt(failure=_Failure("blocked_address", str(error)))
            except requests.RequestException as error:
                return _Attempt(failure=self._cut_short(cutoff, error, "no complete answer"))
            except ValueError as error:  # a URL a lower layer refuses (http.client, idna)
                return _Attempt(failure=_Failure("invalid_url", f"{_quoted(url)}: {error}"))
            finally:
                ACTIVE_ATTEMPT.connections = None
                ACTIVE_ATTEMPT.gate = None
            cutoff.attach(response)
            with response:
                try:
                    return self._read_response(response, kind, cutoff, started)
                except _Failure as failure:
                    failure.exchange = failure.exchange or _exchange(
                        response, b"", True, started, cutoff.peer
                    )
                    return _Attempt(exchange=failure.exchange, failure=failure)
        finally:
            self.watchdog.disarm(alarm)

    def _cut_short(self, cutoff: _Cutoff, error: requests.RequestException, what: str) -> _Failure:
        if cutoff.fired.is_set():
            return _Failure("total_timeout", f"{what} within {self.settings.total_timeout:g}s")
        return _network_failure(error)

    def _read_response(
        self, response: requests.Response, kind: Kind, cutoff: _Cutoff, started: datetime
    ) -> _Attempt:
        status = response.status_code
        if status in REDIRECT_STATUSES or status == 304:
            return _Attempt(exchange=_exchange(response, b"", False, started, cutoff.peer))
        self._check_declared_type(response, kind)
        limit = self._size_limit(kind)
        body, truncated = self._read_body(response, limit, cutoff, cut=kind == "robots")
        exchange = _exchange(response, body, truncated, started, cutoff.peer)
        if status in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            failure = _Failure(f"http_{status}", f"server answered {status}", status)
            return _Attempt(exchange=exchange, failure=failure, retry_after=retry_after)
        return _Attempt(exchange=exchange)

    def _check_declared_type(self, response: requests.Response, kind: Kind) -> None:
        declared = response.headers.get("Content-Length")
        limit = self._size_limit(kind)
        if kind != "robots" and declared and declared.isdigit() and int(declared) > limit:
            raise _Failure(
                "too_large",
                f"Content-Length {declared} exceeds {limit} bytes",
                response.status_code,
            )
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if (
            kind == "page"
            and 200 <= response.status_code < 300
            and media.startswith(NON_DOCUMENT_TYPES)
        ):
            raise _Failure(f"content_type:{media}", "not an HTML document", response.status_code)

    def _size_limit(self, kind: Kind) -> int:
        if kind == "robots":
            return ROBOTS_MAX_BYTES
        return self.settings.max_bytes if kind != "feed" else self.settings.max_feed_bytes

    def _read_body(
        self, response: requests.Response, limit: int, cutoff: _Cutoff, cut: bool = False
    ) -> tuple[bytes, bool]:
        """The decoded body, read under the size cap and the URL's deadline, and whether
        it was cut there: with ``cut`` (robots.txt) a body over the cap is read up to it,
        otherwise it fails as ``too_large``."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > limit and cut:
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    return b"".join(chunks), True
                if size > limit:
                    encoding = response.headers.get("Content-Encoding") or "identity"
                    raise _Failure(
                        "too_large",
                        f"body exceeds {limit} bytes (content-encoding {encoding}); "
                        "cut while streaming",
                        response.status_code,
                    )
                chunks.append(chunk)
                if cutoff.fired.is_set():
                    break
        except requests.RequestException as error:
            raise self._cut_short(cutoff, error, f"body not complete ({size} bytes)") from None
        if cutoff.fired.is_set():
            raise _Failure(
                "total_timeout",
                f"body not complete within {self.settings.total_timeout:g}s ({size} bytes read)",
                response.status_code,
            )
        return b"".join(chunks), False

    # -- plumbing -----------------------------------------------------------------------

    def _finish(
        self, url: str, exchange: Exchange, kind: Kind, exchanges: list[Exchange], attempts: int
    ) -> FetchResult:
        status = exchange.status_code
        reason = None
        detail = None
        if status >= 400 or (300 <= status < 400 and status != 304):
            reason, detail = f"http_{status}", f"server answered {status} {exchange.reason_phrase}"
        elif kind == "page" and 200 <= status < 300:
            reason, detail = _page_content_problem(exchange)
        return FetchResult(
            url=url,
            final_url=exchange.url,
            reason=reason,
            detail=detail,
            status_code=status,
            headers=exchange.response_headers,
            body=exchange.body,
            attempts=attempts,
            exchanges=tuple(exchanges),
            fetched_at=exchange.fetched_at,
        )

    def _redirect_target(self, exchange: Exchange) -> str | None:
        if exchange.status_code not in REDIRECT_STATUSES:
            return None
        location = header(exchange.response_headers, "location")
        if not location:
            return None
        try:  # urljoin splits both URLs: a Location of "http://[::1/x" raises
            target = urljoin(exchange.url, location.strip())
            scheme = urlsplit(target).scheme
        except ValueError as error:
            detail = f"redirect to a malformed URL {_quoted(location)}: {error}"
            raise _Failure("bad_redirect", detail) from None
        if scheme not in ("http", "https"):
            raise _Failure("bad_redirect", f"redirect to a non-HTTP URL {target!r}")
        problem = url_problem(target)
        if problem is not None:
            detail = f"redirect to a malformed URL {_quoted(target)}: {problem}"
            raise _Failure("bad_redirect", detail)
        return target

    def _request_headers(self, kind: Kind, validators: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"User-Agent": self.settings.user_agent, "Accept": ACCEPT[kind]}
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        return headers

    def _host_state(self, url: str) -> HostState:
        return self.hosts.get(host_key(url))

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = _HandRedirectSession()
            session.trust_env = False  # no proxy from the environment: the guard checks the peer
            session.verify = self.settings.ca_bundle or True
            adapter = _GuardedAdapter(self.policy, pool_size=self.settings.per_host_concurrency)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session


def _load_robots(records: Mapping[str, dict[str, object]]) -> dict[str, RobotsRules]:
    loaded = {origin: RobotsRules.from_record(record) for origin, record in records.items()}
    return {origin: rules for origin, rules in loaded.items() if rules is not None}


def robots_text(body: bytes, truncated: bool) -> str:
    """robots.txt as text (UTF-8, RFC 9309 2.3). A body cut at ``ROBOTS_MAX_BYTES`` loses
    its last, partial line too: half of "Disallow: /news/" is "Disallow: /n", a rule
    the site never wrote."""
    if truncated:
        body = body[: max(body.rfind(b"\n"), body.rfind(b"\r")) + 1]
    return body.decode("utf-8", errors="replace")


def host_key(url: str) -> str:
    """``host:port`` whose limits a URL's requests count against; the host in its ASCII
    form, so the Unicode and punycode spellings of a name share one rate and breaker.
    A URL without a readable host gets ":0" (``fetch`` refuses it before any request)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ":0"
    return f"{ascii_host(parts.hostname or '')}:{port}"


def _check_url(url: str) -> None:
    problem = url_problem(url)
    if problem is not None:
        raise _Failure("invalid_url", f"{_quoted(url)}: {problem}")


def _quoted(url: str) -> str:
    text = repr(url)
    return text if len(text) <= QUOTED_URL_CHARS else text[:QUOTED_URL_CHARS] + "..."


def origin_url(url: str) -> str:
    """``scheme://host[:port]`` of a URL, the host in its ASCII (IDNA) form, without
    userinfo or a default port: every spelling of one origin shares one robots.txt."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # fetch refuses such a URL before asking for its origin
        return f"{parts.scheme}://{parts.netloc}"
    host = ascii_host(parts.hostname or "")
    literal = f"[{host}]" if ":" in host else host
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{literal}" + (f":{port}" if port and port != default else "")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _retryable(failure: _Failure) -> bool:
    if failure.status is not None:
        return failure.status in RETRYABLE_STATUSES
    return failure.reason in {
        "connect_timeout",
        "read_timeout",
        "connection_reset",
        "connection_error",
    }


def _counts_against_host(failure: _Failure) -> bool:
    # Only failures that say the host is in trouble; a 404 is a fine answer from a healthy host.
    # (A total timeout may be too: ``PoliteClient._host_to_blame`` decides.)
    return failure.status in RETRYABLE_STATUSES or failure.reason in {
        "connect_timeout",
        "read_timeout",
        "connection_reset",
        "connection_error",
        "connection_refused",
    }


def _network_failure(error: requests.RequestException) -> _Failure:
    text = str(error)
    if isinstance(error, requests.exceptions.InvalidURL):  # requests' own URL checks
        return _Failure("invalid_url", text)
    if isinstance(error, requests.ConnectTimeout):
        return _Failure("connect_timeout", text)
    if isinstance(error, requests.ReadTimeout) or "Read timed out" in text:
        return _Failure("read_timeout", text)
    if isinstance(error, requests.exceptions.SSLError):
        return _Failure("tls_error", text)
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return _Failure("bad_encoding", f"content-encoding could not be decoded: {text}")
    if _caused_by(error, NameResolutionError) or "Name or service not known" in text:
        return _Failure("dns_error", "name resolution failed")
    if _caused_by(error, ConnectionRefusedError) or "Connection refused" in text:
        return _Failure("connection_refused", text)
    if _caused_by(error, ConnectionResetError) or "Connection reset" in text or "aborted" in text:
        return _Failure("connection_reset", text)
    return _Failure("connection_error", text)


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        nested += [arg for arg in current.args if isinstance(arg, BaseException)]
        stack.extend(item for item in nested if isinstance(item, BaseException))
    return False


def _page_content_problem(exchange: Exchange) -> tuple[str | None, str | None]:
    content_type = header(exchange.response_headers, "content-type")
    media = (content_type or "").split(";")[0].strip().lower()
    head = exchange.body[:1024]
    # NUL bytes mean binary, except in UTF-16 and UTF-32 text (a BOM or the charset says so).
    nul_is_binary = b"\x00" in head and wide_encoding(head, content_type) is None
    if head.startswith(BINARY_MAGIC) or nul_is_binary:
        return "binary_body", f"binary content served as {media or 'no content type'}"
    if media and media not in HTML_TYPES and not media.startswith("text/"):
        return f"content_type:{media}", "not an HTML document"
    return None, None


class _Cutoff:
    """Shuts the sockets of one attempt when its deadline passes: the connections the
    guard saw it use (header phase) and the response being read (body phase)."""

    def __init__(self) -> None:
        self.fired = threading.Event()
        self.connections: list[object] = []
        self._response: requests.Response | None = None
        self._lock = threading.Lock()
        self.peer: str | None = None  # the address answered from, for WARC-IP-Address

    def attach(self, response: requests.Response) -> None:
        sock = _socket_of(response)
        with contextlib.suppress(OSError):
            self.peer = str(sock.getpeername()[0]) if sock is not None else None
        with self._lock:
            self._response = response
            late = self.fired.is_set()
        if late:
            _shutdown(_socket_of(response))

    def fire(self) -> None:
        with self._lock:
            self.fired.set()
            sockets = [getattr(connection, "sock", None) for connection in self.connections]
            if self._response is not None:
                sockets.append(_socket_of(self._response))
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to interrupt
            sock.shutdown(socket.SHUT_RDWR)


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket a streamed response reads from. http.client drops the connection's
    reference when the server says ``Connection: close``, so fall back to the reader's."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        return sock
    reader = getattr(getattr(response.raw, "_fp", None), "fp", None)
    return getattr(getattr(reader, "raw", None), "_sock", None)


def _exchange(
    response: requests.Response,
    body: bytes,
    truncated: bool,
    started: datetime,
    peer: str | None,
) -> Exchange:
    version = {10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(
        getattr(response.raw, "version", 11), "HTTP/1.1"
    )
    request_headers = dict(response.request.headers) if response.request is not None else {}
    request_headers.setdefault("Host", urlsplit(response.url).netloc)
    return Exchange(
        url=response.url,
        method="GET",
        request_headers=request_headers,
        status_code=response.status_code,
        reason_phrase=response.reason or "",
        http_version=version,
        response_headers=dict(response.headers),
        body=body,
        truncated=truncated,
        fetched_at=started,
        peer=peer,
    )


def iter_results(
    client: PoliteClient, urls: list[str], kind: Kind = "page"
) -> Iterator[FetchResult]:
    """Fetch ``urls`` concurrently (within the client's per-host limits), in completion order.

    URLs are handed to the workers round-robin across hosts: in the order given, a run of
    URLs from one host would tie every worker to that host's limit while others sit idle.
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=client.settings.max_workers) as pool:
        futures = [pool.submit(client.fetch, url, kind) for url in interleave_by_host(urls)]
        for future in as_completed(futures):
            yield future.result()


def interleave_by_host(urls: list[str]) -> list[str]:
    """One URL per host in turn, keeping each host's own order."""
    queues: dict[str, list[str]] = {}
    for url in urls:
        queues.setdefault(host_key(url), []).append(url)
    ordered: list[str] = []
    for round_ in itertools.zip_longest(*queues.values()):
        ordered.extend(url for url in round_ if url is not None)
    return ordered
