"""Every discovery fixture: the URLs, dates and titles a reader finds in it, or the
problem it records (the expectations are in discovery_cases.py)."""

from __future__ import annotations

import pytest

from defence_news.fetch import parse_discovery_document
from tests.unit.fetch.discovery_cases import BASE, CASES, Case


def _seconds(moment):  # type: ignore[no-untyped-def]
    return moment.replace(microsecond=0) if moment else None


@pytest.mark.parametrize("case", CASES, ids=[case.fixture for case in CASES])
def test_fixture(case: Case) -> None:
    discovery = parse_discovery_document(case.body(), BASE)
    found = [(i.url, _seconds(i.published_at), i.title) for i in discovery.items]
    assert found == list(case.items), case.why
    assert [(url, _seconds(when)) for url, when in discovery.children] == list(case.children)
    assert discovery.kind == case.kind
    if case.problem is None:
        assert discovery.problem is None, case.why
    else:
        assert (discovery.problem or "").startswith(case.problem), discovery.problem
    assert all(item.found_in == BASE for item in discovery.items)
