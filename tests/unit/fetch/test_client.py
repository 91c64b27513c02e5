"""The polite client: rate, concurrency, headers, settings."""

from __future__ import annotations

import bisect
import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from defence_news.fetch import FetchSettings, PoliteClient
from defence_news.fetch.client import iter_results, parse_retry_after
from defence_news.fetch.politeness import RobotsRules
from tests.unit.fetch.faulty_server import page_route, slow_route


def test_user_agent_names_the_bot_and_a_contact_url(server):
    url = server.route("/page", page_route("Hello"))
    with PoliteClient(FetchSettings(allow_private=True, per_host_rate=100.0)) as client:
        result = client.fetch(url)
    assert result.ok
    agent = server.log.requests[-1].headers["user-agent"]
    assert agent.startswith("DefenceNewsBot/") and "+https://" in agent
    assert server.log.paths() == ["/robots.txt", "/page"]


def test_per_host_rate_is_held_across_threads(server, settings):
    urls = [server.route(f"/r/{n}", page_route(f"P{n}")) for n in range(12)]
    paced = dataclasses.replace(settings, per_host_rate=20.0, per_host_concurrency=4, max_workers=8)
    with PoliteClient(paced) as client:
        results = list(iter_results(client, urls))
    assert all(result.ok for result in results)
    times = sorted(server.log.times("/r/"))
    # At 20 req/s any closed 0.25 s window holds at most 0.25 * 20 + 1 arrivals; arrival
    # jitter shorter than one 50 ms gap cannot add another.
    busiest = max(bisect.bisect_right(times, start + 0.25) - i for i, start in enumerate(times))
    assert busiest <= 6
    assert times[-1] - times[0] >= 11 * 0.05 - 0.02


def test_per_host_concurrency_is_capped(server, settings):
    urls = [server.route(f"/slow/{n}", slow_route(0.2, page_route("Slow"))) for n in range(6)]
    capped = dataclasses.replace(settings, per_host_concurrency=2, max_workers=6)
    with PoliteClient(capped) as client:
        results = list(iter_results(client, urls))
    assert all(result.ok for result in results)
    assert server.log.max_in_flight == 2  # parallel, but never more than two at once


def test_retry_after_http_date():
    moment = datetime.now(UTC) + timedelta(seconds=30)
    assert 28 <= (parse_retry_after(format_datetime(moment, usegmt=True)) or 0) <= 31
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("soon") is None


def test_robots_crawl_delay_with_fractions_and_agent_groups():
    text = "User-agent: *\nCrawl-delay: 10\n\nUser-agent: DefenceNewsBot\nCrawl-delay: 2.5\n"
    rules = RobotsRules.from_text(text, 0.0)
    assert rules.crawl_delay("DefenceNewsBot/0.1 (+https://x)") == 2.5
    assert rules.crawl_delay("OtherBot/1.0") == 10.0


def test_settings_from_env_overrides_and_rejects_bad_values():
    settings = FetchSettings.from_env(
        {"DEFENCE_NEWS_FETCH_PER_HOST_RATE": "2", "DEFENCE_NEWS_FETCH_ALLOW_PRIVATE": "true"}
    )
    assert settings.per_host_rate == 2.0 and settings.allow_private is True
    assert settings.max_bytes == FetchSettings().max_bytes
    with pytest.raises(ValueError, match="DEFENCE_NEWS_FETCH_RETRIES"):
        FetchSettings.from_env({"DEFENCE_NEWS_FETCH_RETRIES": "many"})
    with pytest.raises(ValueError, match="per_host_rate must be > 0"):
        FetchSettings.from_env({"DEFENCE_NEWS_FETCH_PER_HOST_RATE": "0"})


def test_production_defaults_are_polite():
    defaults = FetchSettings()
    assert defaults.per_host_rate <= 1.0 and defaults.per_host_concurrency <= 2
    assert defaults.allow_private is False
    assert defaults.total_timeout > defaults.read_timeout > 0
