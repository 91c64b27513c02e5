"""Fixtures for the fetcher's tests: faulty loopback servers, a store, fast settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from defence_news.fetch import FetchSettings
from defence_news.interval import Interval
from defence_news.store import LocalStore
from tests.unit.fetch.faulty_server import FaultyServer
from tests.unit.fetch.feed_builders import INTERVAL_END, INTERVAL_START

# Small limits so every fault resolves in well under a second or two; the private
# address allowance is what lets these tests reach 127.0.0.1 at all.
FAST_SETTINGS = FetchSettings(
    connect_timeout=1.0,
    read_timeout=0.5,
    total_timeout=2.0,
    max_bytes=1024 * 1024,
    max_feed_bytes=1024 * 1024,
    max_redirects=4,
    retries=2,
    backoff_base=0.01,
    backoff_max=0.05,
    max_retry_after=2.0,
    per_host_rate=1000.0,
    per_host_concurrency=4,
    max_workers=4,
    allow_private=True,
)


@pytest.fixture
def settings() -> FetchSettings:
    return FAST_SETTINGS


@pytest.fixture
def interval() -> Interval:
    return Interval(INTERVAL_START, INTERVAL_END)


@pytest.fixture
def store(tmp_path) -> LocalStore:  # type: ignore[no-untyped-def]
    return LocalStore(tmp_path / "store")


@pytest.fixture
def make_server() -> Iterator[Callable[[], FaultyServer]]:
    servers: list[FaultyServer] = []

    def factory() -> FaultyServer:
        server = FaultyServer()
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()


@pytest.fixture
def server(make_server: Callable[[], FaultyServer]) -> FaultyServer:
    return make_server()
