"""The address guard: private, loopback and link-local targets are refused unless allowed."""

from __future__ import annotations

import dataclasses

import pytest

from defence_news.fetch import FetchSettings, GuardPolicy, PoliteClient, collect_source
from defence_news.fetch.guard import AddressBlocked
from defence_news.sources import Source
from tests.unit.fetch.faulty_server import page_route, redirect_route, text_route
from tests.unit.fetch.feed_builders import IN_INTERVAL, rss

ADDRESSES = {
    "public.example": ["93.184.215.14"],
    "rebind.example": ["93.184.215.14", "10.0.0.7"],  # one bad address spoils the name
    "metadata.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:127.0.0.1"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    return ADDRESSES.get(host, [host])


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("public.example", True),
        ("rebind.example", False),
        ("metadata.example", False),
        ("mapped.example", False),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.10", False),
        ("172.16.5.4", False),
        ("::1", False),
        ("fe80::1", False),
        ("0.0.0.0", False),
        ("fc00::5", False),
    ],
)
def test_default_policy(host, allowed):
    policy = GuardPolicy(resolver=fake_resolver)
    if allowed:
        assert policy.resolve_checked(host, 80) == ADDRESSES[host]
    else:
        with pytest.raises(AddressBlocked):
            policy.resolve_checked(host, 80)


def test_private_allowance_is_per_origin_and_never_covers_link_local():
    policy = GuardPolicy(private_origins=frozenset({"127.0.0.1:8000"}), resolver=fake_resolver)
    assert policy.resolve_checked("127.0.0.1", 8000) == ["127.0.0.1"]
    with pytest.raises(AddressBlocked):
        policy.resolve_checked("127.0.0.1", 8001)
    everywhere = GuardPolicy(allow_private=True, resolver=fake_resolver)
    assert everywhere.resolve_checked("10.1.2.3", 80) == ["10.1.2.3"]
    with pytest.raises(AddressBlocked):
        everywhere.resolve_checked("metadata.example", 80)


def test_client_refuses_loopback_without_touching_it(server):
    url = server.route("/page", page_route("Internal"))
    with PoliteClient(FetchSettings(retries=0)) as client:  # production defaults: no private
        result = client.fetch(url)
    assert (result.outcome, result.reason) == ("failed", "blocked_address")
    assert server.log.requests == []  # refused before any connection, robots.txt included


def test_source_without_allowance_is_refused_for_loopback(server, store, settings, interval):
    feed_url = server.route("/feed.xml", text_route(rss([]), "application/rss+xml"))
    source = Source(
        id="public", name="P", publisher="T", homepage=server.url("/"), feeds=(feed_url,)
    )
    strict = dataclasses.replace(settings, allow_private=False)
    collection = collect_source(source, interval, store, settings=strict)
    assert len(collection.source_errors) == 1
    assert collection.source_errors[0].startswith(f"feed {feed_url} unreachable: blocked_address")
    assert server.log.requests == []


def test_seed_style_source_may_not_redirect_to_another_private_origin(
    make_server, store, settings, interval
):
    seed, internal = make_server(), make_server()
    internal.route("/admin", page_route("Internal admin"))
    sneaky = seed.route("/sneaky", redirect_route(internal.url("/admin")))
    fine = seed.route("/fine", page_route("Fine", "Allowed page."))
    feed_url = seed.route(
        "/feed.xml", text_route(rss([(sneaky, IN_INTERVAL), (fine, IN_INTERVAL)]), "text/xml")
    )
    source = Source(
        id="seedlike",
        name="Seed-like",
        publisher="T",
        homepage=seed.url("/"),
        feeds=(feed_url,),
        allow_private=True,  # covers the source's own origin only
    )
    strict = dataclasses.replace(settings, allow_private=False)
    collection = collect_source(source, interval, store, settings=strict)
    assert [page.url for page in collection.pages] == [fine]
    [outcome] = collection.outcomes
    assert (outcome.url, outcome.outcome, outcome.reason) == (sneaky, "failed", "blocked_address")
    assert internal.log.requests == []
