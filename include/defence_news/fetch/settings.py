"""Every limit the fetcher applies, named, with production defaults.

Defaults are tuned for hourly runs against real news sites. Any field can be
overridden with an environment variable ``DEFENCE_NEWS_FETCH_<FIELD>`` (read
when ``from_env`` is called, never at import time), or in code with
``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "DEFENCE_NEWS_FETCH_"
MIB = 1024 * 1024


@dataclass(frozen=True)
class FetchSettings:
    # Sites identify crawlers by this; the URL tells an operator who we are and how to reach us.
    user_agent: str = (
        "DefenceNewsBot/0.1 (+https://github.com/defence-news/pipeline; defence-news crawler)"
    )
    # A healthy server accepts a TCP connection in well under a second; 10 s covers slow links.
    connect_timeout: float = 10.0
    # Longest silence between two reads of a response before we give up on it.
    read_timeout: float = 20.0
    # Wall-clock cap on one URL, retries and waits included: a slow drip cannot pin a worker.
    total_timeout: float = 60.0
    # News pages are 50 KB-3 MB of HTML; 10 MiB (after decompression) stops bombs and junk.
    max_bytes: int = 10 * MIB
    # Feeds and sitemaps can be larger than pages (a news sitemap holds up to 1,000 URLs).
    max_feed_bytes: int = 20 * MIB
    # Five hops covers http->https->www->canonical; longer chains are loops or traps.
    max_redirects: int = 5
    # Retries after the first attempt, for connection errors, 429 and 5xx.
    retries: int = 3
    # Exponential backoff: base * 2**attempt seconds plus up to `backoff_jitter` of that.
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    backoff_jitter: float = 0.5
    # A Retry-After longer than this is not waited for: the URL fails as rate limited and
    # the next run tries again, rather than holding a worker for minutes.
    max_retry_after: float = 60.0
    # Requests per second to one host. One every 2 s is a conventional polite crawl rate.
    per_host_rate: float = 0.5
    # Simultaneous connections to one host; browsers use 6, a polite crawler far fewer.
    per_host_concurrency: int = 2
    # Worker threads for one collection (several hosts may be fetched at once).
    max_workers: int = 8
    # robots.txt crawl-delay is honoured up to this; beyond it the source is too slow to
    # crawl hourly and its URLs are skipped with a reason rather than crawled impolitely.
    max_crawl_delay: float = 60.0
    # RFC 9309: a crawler should not use a cached robots.txt for more than 24 hours.
    robots_ttl: float = 24 * 3600.0
    # Allow private and loopback addresses for every host (tests, intranet deployments).
    # Link-local (cloud metadata) stays refused regardless.
    allow_private: bool = False
    # A CA bundle (PEM path) to trust instead of the default roots: for intranet mirrors and
    # tests. Certificates are always verified; there is deliberately no switch to turn it off.
    ca_bundle: str = ""
    # Discovery limits: items read from one feed and child sitemaps followed from an index.
    max_feed_items: int = 1000
    max_child_sitemaps: int = 10
    # Seen-URL entries older than this are forgotten, so the index stays small.
    seen_retention_days: int = 90
    # After this many failed attempts in a row (5xx, 429, timeouts, resets) on one host in a
    # run, stop sending it requests: a struggling site gets no retry storm from us.
    host_failure_limit: int = 10

    def __post_init__(self) -> None:
        positive = (
            "connect_timeout",
            "read_timeout",
            "total_timeout",
            "max_bytes",
            "max_feed_bytes",
            "per_host_rate",
            "per_host_concurrency",
            "max_workers",
            "host_failure_limit",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"fetch setting {name} must be > 0, got {getattr(self, name)!r}")
        for name in ("max_redirects", "retries", "backoff_base", "backoff_max", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"fetch setting {name} must be >= 0, got {getattr(self, name)!r}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> FetchSettings:
        """Defaults overridden by ``DEFENCE_NEWS_FETCH_<FIELD>`` variables, read now."""
        env = os.environ if environ is None else environ
        overrides: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + item.name.upper())
            if raw is not None:
                overrides[item.name] = _convert(item.name, raw, type(item.default))
        return cls(**overrides)


def _convert(name: str, raw: str, kind: type) -> Any:
    try:
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return lowered in ("1", "true", "yes")
        return kind(raw)
    except ValueError:
        raise ValueError(
            f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}"
        ) from None
