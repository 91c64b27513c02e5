"""Every limit the fetcher applies, named, with production defaults.

Defaults are tuned for hourly runs against real news sites. Any field can be
overridden with an environment variable ``DEFENCE_NEWS_FETCH_<FIELD>`` (read
when ``from_env`` is called, never at import time), or in code with
``dataclasses.replace``. Either way an out-of-range value is a ``SettingsError``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defence_news.settings import SettingsError, env_value, invalid

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
    # Wall-clock seconds one source may spend fetching pages in a run; the URLs whose turn
    # comes later are deferred to the next run. Well inside the tasks' execution_timeout.
    source_budget: float = 600.0
    # One ingest of a source at a time (fetch/lease.py): a run of another interval waits
    # this long for the source's lease, then fails to be retried; within the tasks'
    # 30-minute execution_timeout, with room for its own work.
    lease_wait: float = 900.0
    # A lease older than this was left by a run that died (past any execution_timeout).
    lease_ttl: float = 2400.0

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if (bound := _range_broken(item.name, value)) is not None:
                raise SettingsError(f"fetch setting {item.name} must be {bound}, got {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FetchSettings:
        """Defaults overridden by ``DEFENCE_NEWS_FETCH_<FIELD>`` variables, read now.

        A blank variable keeps the default; a bad one raises ``SettingsError``
        naming the variable, its value and what the field accepts.
        """
        env = os.environ if environ is None else environ
        overrides: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            variable = ENV_PREFIX + item.name.upper()
            raw = env_value(env, variable)
            if raw is not None:
                overrides[item.name] = _from_text(item.name, variable, raw, item.default)
        return cls(**overrides)


# Fields that must be > 0, and those for which 0 is meaningful ("none", "off", "at once").
POSITIVE = frozenset(
    {
        "connect_timeout",
        "read_timeout",
        "total_timeout",
        "max_bytes",
        "max_feed_bytes",
        "per_host_rate",
        "per_host_concurrency",
        "max_workers",
        "host_failure_limit",
        "seen_retention_days",  # 0 would forget every URL each run and refetch it all
        "source_budget",  # 0 would defer every page of every source to the next run
        "lease_ttl",  # 0 would break every lease at once
    }
)
NON_NEGATIVE = frozenset(
    {
        "max_redirects",
        "retries",
        "backoff_base",
        "backoff_max",
        "backoff_jitter",
        "max_retry_after",
        "max_crawl_delay",
        "robots_ttl",
        "max_feed_items",
        "max_child_sitemaps",
        "lease_wait",
    }
)
BOOLEAN_WORDS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _range_broken(name: str, value: Any) -> str | None:
    """The bound ``value`` breaks ("> 0", ">= 0"), or None when it is within range.

    Written as ``not value > 0`` so that NaN, which compares false to everything,
    is out of range too.
    """
    if name in POSITIVE and not value > 0:
        return "> 0"
    if name in NON_NEGATIVE and not value >= 0:
        return ">= 0"
    return None


def _from_text(name: str, variable: str, raw: str, default: Any) -> Any:
    """``raw`` as the type of ``default``, within the field's range, or a SettingsError."""
    try:
        value = _parse(raw, default)
    except ValueError:
        expected = " ".join(filter(None, (_kind_words(default), _bound_words(name))))
        raise invalid(variable, raw, f"{name} must be {expected} (default {default!r})") from None
    if (broken := _range_broken(name, value)) is not None:
        raise invalid(variable, raw, f"{name} must be {broken} (default {default!r})")
    # Checked here rather than at the first HTTPS request, where every URL would fail.
    if name == "ca_bundle" and not Path(value).is_file():
        raise invalid(variable, raw, "ca_bundle must be the path of a PEM file (no such file)")
    return value


def _parse(raw: str, default: Any) -> Any:
    """``raw`` as the type of ``default``; ValueError when it is not one."""
    if isinstance(default, bool):  # before int: bool is an int subclass
        if raw.lower() not in BOOLEAN_WORDS:
            raise ValueError(raw)
        return BOOLEAN_WORDS[raw.lower()]
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        value = float(raw)
        if not math.isfinite(value):  # "nan" and "inf" parse, but bound nothing
            raise ValueError(raw)
        return value
    return raw


def _kind_words(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false, 1 or 0, yes or no"
    if isinstance(default, int):
        return "an integer"
    return "a finite number" if isinstance(default, float) else "text"


def _bound_words(name: str) -> str:
    if name in POSITIVE:
        return "> 0"
    return ">= 0" if name in NON_NEGATIVE else ""
