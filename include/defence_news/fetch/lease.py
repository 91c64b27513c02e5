"""One ingest of a source at a time, whatever the interval: a lease in the store.

The seen index decides which interval an article belongs to: the first run that
fetches a URL claims it. Two intervals of one source ingested at once (a backfill
runs beside the schedule and its runs beside each other; Airflow's max_active_runs
does not hold them back) would both read the index before either saved it, both
take every new URL as theirs, and store each article, and its events, twice.

So a run holds its source's lease from reading the index until it has saved it:

- taken by creating ``state/source=<id>/lease.json`` only if no object has that key
  (``ObjectStore.put_new``, atomic in S3 and on disk);
- held by an interval: a retry or rerun of the same interval takes it over (its
  earlier try may have been killed before it could let go);
- a run of another interval waits for it, up to ``wait`` seconds, then raises
  ``SourceBusy`` (the task fails with that reason and Airflow retries it later);
- a lease older than ``ttl`` was left by a run that died: it is broken.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from defence_news.interval import Interval
from defence_news.store import ObjectNotFound, ObjectStore, keys

log = logging.getLogger(__name__)

LEASE_KIND = "lease"
# How often a waiting run looks again: a source's ingest takes seconds to minutes.
POLL_SECONDS = 2.0


class SourceBusy(RuntimeError):
    """Another interval of the source is being ingested and did not finish in time."""


@dataclass(frozen=True)
class Lease:
    interval: str  # slug of the interval holding it
    token: str  # this holder's own mark, so that it lets go of its own lease only
    taken_at: datetime

    def to_json(self) -> bytes:
        document = {
            "interval": self.interval,
            "token": self.token,
            "taken_at": self.taken_at.isoformat(),
        }
        return json.dumps(document).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Lease | None:
        """The lease, or None when the object is not one (broken on sight)."""
        try:
            document = json.loads(raw)
            taken = datetime.fromisoformat(document["taken_at"])
            return cls(str(document["interval"]), str(document["token"]), taken)
        except (ValueError, KeyError, TypeError):
            return None


def lease_key(source_id: str) -> str:
    return keys.state_key(LEASE_KIND, source_id)


@contextmanager
def source_lease(
    store: ObjectStore,
    source_id: str,
    interval: Interval,
    *,
    wait: float,
    ttl: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Iterator[Lease]:
    """Hold ``source_id``'s lease for ``interval`` while the block runs (module doc)."""
    lease = _acquire(store, source_id, interval, wait, ttl, clock)
    try:
        yield lease
    finally:
        _release(store, source_id, lease)


def _acquire(
    store: ObjectStore,
    source_id: str,
    interval: Interval,
    wait: float,
    ttl: float,
    clock: Callable[[], datetime],
) -> Lease:
    key = lease_key(source_id)
    deadline = time.monotonic() + wait
    while True:
        mine = Lease(interval.slug, uuid.uuid4().hex, clock())
        if store.put_new(key, mine.to_json(), content_type="application/json"):
            return mine
        try:
            held = Lease.from_json(store.get(key))
        except ObjectNotFound:
            continue  # let go of between the two calls: try to take it again
        if held is None or _stale(held, ttl, clock()) or held.interval == interval.slug:
            # Unreadable, left by a run that died, or an earlier try of this same
            # interval: take it over.
            log.warning("source %s: taking over the lease %s", source_id, _describe(held))
            store.put(key, mine.to_json(), content_type="application/json")
            return mine
        if time.monotonic() >= deadline:
            raise SourceBusy(
                f"source {source_id} is being ingested for interval {held.interval} "
                f"(since {held.taken_at.isoformat(timespec='seconds')}); "
                f"waited {wait:g}s for it, interval {interval.slug} will be retried"
            )
        log.info("source %s: waiting for its ingest of %s to finish", source_id, held.interval)
        time.sleep(POLL_SECONDS)


def _release(store: ObjectStore, source_id: str, lease: Lease) -> None:
    key = lease_key(source_id)
    held = _read(store, key)
    if held is not None and held.token == lease.token:
        store.delete(key)
    else:  # taken over while this run went on: the new holder lets go of it
        log.warning("source %s: lease no longer held at release (%s)", source_id, _describe(held))


def _read(store: ObjectStore, key: str) -> Lease | None:
    try:
        return Lease.from_json(store.get(key))
    except ObjectNotFound:
        return None


def _stale(lease: Lease, ttl: float, now: datetime) -> bool:
    taken = lease.taken_at if lease.taken_at.tzinfo else lease.taken_at.replace(tzinfo=UTC)
    return now - taken > timedelta(seconds=ttl)


def _describe(lease: Lease | None) -> str:
    if lease is None:
        return "(unreadable)"
    return f"of interval {lease.interval} taken {lease.taken_at.isoformat(timespec='seconds')}"
