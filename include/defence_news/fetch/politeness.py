"""Per-host politeness: request spacing, a concurrency cap, robots.txt rules (RFC 9309).

Requests to one host go through a send gate one at a time: a thread waits at
the gate until the host's next free time, sends its request while holding the
gate, and the next free time is set from the moment the request is on the
wire. A thread that stalls under load (a late wake-up, a slow connect) holds
the gate while it stalls, so it cannot bunch up with the request after it:
the rate holds at the moment the server sees the requests, however many
threads share the host. The concurrency cap is a separate semaphore held for
the whole exchange. A ``Retry-After`` pushes the next free time for every
thread, not just the one that got the answer.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from protego import Protego

# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; the rest is ignored.
ROBOTS_MAX_BYTES = 500 * 1024
# RFC 9309 2.2.1: a product token is made of letters, underscores and hyphens.
PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")


class BudgetExceeded(Exception):
    """Waiting for the host would pass the URL's deadline."""


@dataclass
class HostState:
    delay: float  # seconds between request starts
    concurrency: int
    next_start: float = 0.0
    consecutive_failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards the fields
    gate: threading.Lock = field(default_factory=threading.Lock)  # one waiter at a time
    semaphore: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self.semaphore = threading.BoundedSemaphore(self.concurrency)

    def push_back(self, until: float) -> None:
        """No request to this host starts before ``until`` (monotonic seconds)."""
        with self.lock:
            self.next_start = max(self.next_start, until)

    def record(self, healthy: bool) -> None:
        """Count an attempt that says the host is in trouble; a healthy answer resets."""
        with self.lock:
            self.consecutive_failures = 0 if healthy else self.consecutive_failures + 1

    def breaker_open(self, limit: int) -> bool:
        with self.lock:
            return self.consecutive_failures >= limit

    def raise_delay(self, delay: float) -> None:
        with self.lock:
            self.delay = max(self.delay, delay)

    @contextmanager
    def slot(self, deadline: float) -> Iterator[None]:
        """Hold one of the host's connections (the concurrency cap) for one exchange."""
        if not self.semaphore.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise BudgetExceeded("waited too long for a free connection to the host")
        try:
            yield
        finally:
            self.semaphore.release()

    @contextmanager
    def send_gate(self, deadline: float) -> Iterator[None]:
        """Wait for the host's next free time, then send (inside the block) holding the gate."""
        if not self.gate.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise BudgetExceeded("waited too long for the host's next request slot")
        try:
            self._wait_for_next_start(deadline)
            yield
        finally:
            with self.lock:
                self.next_start = max(self.next_start, time.monotonic() + self.delay)
            self.gate.release()

    def _wait_for_next_start(self, deadline: float) -> None:
        while True:  # re-read after each sleep: a Retry-After may have pushed the time
            with self.lock:
                wait = self.next_start - time.monotonic()
            if wait <= 0:
                return
            if time.monotonic() + wait > deadline:
                raise BudgetExceeded(f"host rate limit leaves no time (next slot in {wait:.1f}s)")
            time.sleep(wait)


class HostTable:
    """HostState per ``host:port``, created on first use."""

    def __init__(self, delay: float, concurrency: int) -> None:
        self.delay = delay
        self.concurrency = concurrency
        self._hosts: dict[str, HostState] = {}
        self._lock = threading.Lock()

    def get(self, host: str) -> HostState:
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = self._hosts[host] = HostState(self.delay, self.concurrency)
            return state


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says, read as RFC 9309 reads it (by protego): ``*``
    and ``$`` in rules, the longest matching rule wins (Allow on a tie), and the group
    naming our product token replaces the ``*`` group."""

    # "parsed"; "absent" (4xx: crawl freely); "unreachable" (5xx or no answer: crawl nothing)
    status: str
    parser: Protego | None = None
    fetched_at: float = 0.0  # wall-clock seconds, for the cache TTL
    detail: str | None = None
    # Why robots.txt could not be read when no HTTP answer came at all (dns_error,
    # connection_refused, blocked_address...): the host itself is unreachable then.
    network_reason: str | None = None
    text: str | None = None  # kept so the rules can be cached between runs

    @classmethod
    def from_text(cls, text: str, fetched_at: float) -> RobotsRules:
        # A BOM would make the first line an unknown directive; lone surrogates (possible
        # in a JSON-cached text) would make protego's percent-encoding raise.
        clean = text.removeprefix("\ufeff").encode("utf-8", "replace").decode("utf-8")
        return cls("parsed", Protego.parse(clean), fetched_at, text=clean)

    def to_record(self) -> dict[str, object] | None:
        """A JSON-able form for the state between runs; None for rules not worth keeping
        (an unreachable robots.txt is asked again next run, not remembered for a day)."""
        if self.status == "parsed":
            return {"status": "parsed", "text": self.text, "fetched_at": self.fetched_at}
        if self.status == "absent":
            return {"status": "absent", "fetched_at": self.fetched_at}
        return None

    @classmethod
    def from_record(cls, record: dict[str, object]) -> RobotsRules | None:
        """Rules from ``to_record``'s form (the same form the parser before protego wrote:
        the text is kept, not the parse, so old records load with today's semantics)."""
        fetched_at = record.get("fetched_at")
        if not isinstance(fetched_at, int | float):
            return None
        if record.get("status") == "parsed" and isinstance(record.get("text"), str):
            return cls.from_text(str(record["text"]), float(fetched_at))
        if record.get("status") == "absent":
            return cls("absent", fetched_at=float(fetched_at))
        return None

    @property
    def sitemaps(self) -> tuple[str, ...]:
        """The ``Sitemap:`` lines, as written (relative, repeated or not http(s) included)."""
        return tuple(self.parser.sitemaps) if self.parser is not None else ()

    def allows(self, user_agent: str, url: str) -> bool:
        if self.status == "absent":
            return True
        if self.status == "unreachable" or self.parser is None:
            return False
        return self.parser.can_fetch(url, self._agent(user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests our group asks for (else the ``*`` group's): the longer
        of Crawl-delay and Request-rate's seconds per request; None if it asks neither."""
        if self.parser is None:
            return None
        token = self._agent(user_agent)
        delay = self.parser.crawl_delay(token)
        rate = self.parser.request_rate(token)
        spacing = rate.seconds / rate.requests if rate is not None else None
        asked = [value for value in (delay, spacing) if value is not None]
        return max(asked) if asked else None

    def _agent(self, user_agent: str) -> str:
        """The name to ask protego about: our product token if a group names it, else
        "*". Given our token, protego would also apply a group named after a prefix of
        it ("defence" for "defencenewsbot"); RFC 9309 2.2.1 matches the token exactly."""
        token = product_token(user_agent)
        groups = getattr(self.parser, "_user_agents", None)  # protego's groups by name
        if groups is None or token.lower() in groups:
            return token
        return "*"


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against (RFC 9309 2.2.1): the leading
    letters, "_" and "-" of the User-Agent, "DefenceNewsBot" of "DefenceNewsBot/0.1 (+...)".
    Matching the whole header would let a group named after a word of the comment
    ("crawler", "github") apply to us."""
    match = PRODUCT_TOKEN.match(user_agent.strip())
    return match.group(0) if match else user_agent.strip()
