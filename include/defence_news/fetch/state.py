"""What the fetcher remembers about a source between runs, kept in the object store.

One JSON object per source at ``keys.state_key("fetch", <source id>)``:

- ``urls``: the seen-URL index, keyed by ``url_key``: when first seen and by
  which interval, the ETag / Last-Modified validators and the body hash of
  the last fetch (so a URL is fetched once unless its content changed);
- ``feeds``: validators for each feed and sitemap (conditional GET);
- ``pending``: URLs discovered but left for a later run by the per-run cap;
- ``robots``: each origin's robots.txt, reused for up to 24 hours (RFC 9309).

A state object that cannot be read is reported and replaced, never fatal:
the cost is one run that refetches, not a stuck source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from defence_news.store import keys
from defence_news.store.base import ObjectNotFound, ObjectStore

STATE_VERSION = 1
STATE_KIND = "fetch"


@dataclass
class SourceState:
    urls: dict[str, dict[str, Any]] = field(default_factory=dict)
    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    robots: dict[str, dict[str, Any]] = field(default_factory=dict)  # origin -> cached rules
    problem: str | None = None  # set when the stored state could not be read

    def seen(self, key: str) -> dict[str, Any] | None:
        return self.urls.get(key)

    def validators(self, key: str) -> dict[str, str]:
        entry = self.urls.get(key) or {}
        return {name: entry[name] for name in ("etag", "last_modified") if entry.get(name)}

    def remember(
        self,
        key: str,
        *,
        url: str,
        interval_slug: str,
        now: datetime,
        headers: dict[str, str] | None = None,
        content_hash: str | None = None,
    ) -> None:
        entry = self.urls.setdefault(
            key, {"url": url, "first_seen": now.isoformat(), "first_interval": interval_slug}
        )
        entry["last_fetched"] = now.isoformat()
        if headers is not None:
            # A 304 may omit the validators: keep the old ones then. A 200 replaces them.
            lowered = {name.lower(): value for name, value in headers.items()}
            if content_hash is not None or lowered.get("etag") or lowered.get("last-modified"):
                entry["etag"] = lowered.get("etag")
                entry["last_modified"] = lowered.get("last-modified")
        if content_hash is not None:
            entry["content_hash"] = content_hash
        self.pending.pop(key, None)

    def prune(self, now: datetime, retention_days: int) -> None:
        cutoff = (now - timedelta(days=retention_days)).isoformat()
        self.urls = {
            key: entry
            for key, entry in self.urls.items()
            if (entry.get("last_fetched") or entry.get("first_seen") or "") >= cutoff
        }
        self.pending = {
            key: entry
            for key, entry in self.pending.items()
            if entry.get("discovered", "") >= cutoff
        }

    def to_json(self) -> bytes:
        document = {
            "version": STATE_VERSION,
            "saved_at": datetime.now(UTC).isoformat(),
            "urls": self.urls,
            "feeds": self.feeds,
            "pending": self.pending,
            "robots": self.robots,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def state_key(source_id: str) -> str:
    return keys.state_key(STATE_KIND, source_id)


def load_state(store: ObjectStore, source_id: str) -> SourceState:
    try:
        raw = store.get(state_key(source_id))
    except ObjectNotFound:
        return SourceState()
    try:
        document = json.loads(raw)
        if document.get("version") != STATE_VERSION:
            raise ValueError(f"unknown state version {document.get('version')!r}")
        return SourceState(
            urls=dict(document["urls"]),
            feeds=dict(document["feeds"]),
            pending=dict(document.get("pending") or {}),
            robots=dict(document.get("robots") or {}),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return SourceState(problem=f"fetch state {state_key(source_id)} unreadable, reset: {error}")


def save_state(store: ObjectStore, source_id: str, state: SourceState) -> None:
    store.put(state_key(source_id), state.to_json(), content_type="application/json")
