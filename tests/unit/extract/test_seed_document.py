"""Acceptance: the seed document yields exactly its four events (DESIGN.md, issue 2 and 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from defence_news.extract import extract_events, extract_from_text
from defence_news.models import Article, Event

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_daa3c69061294fcf.txt"
PUBLISHED = date(2024, 6, 18)


@pytest.fixture(scope="module")
def events() -> list[Event]:
    result = extract_from_text(SEED.read_text("utf-8"), doc_id="seed-000", published=PUBLISHED)
    assert result.reason is None
    return result.events


def _one(events: list[Event], category: str, countries: set[str]) -> Event:
    found = [e for e in events if e.category == category and set(e.countries) == countries]
    assert len(found) == 1, [(e.category, e.countries) for e in events]
    return found[0]


def _people(event: Event) -> dict[str, str | None]:
    return {p.name: p.country for p in event.people}


def test_exactly_four_events(events: list[Event]) -> None:
    kinds = sorted((e.category, tuple(sorted(e.countries))) for e in events)
    assert kinds == [
        ("agreement", ("KHM", "RUS")),
        ("exercise", ("KHM", "USA")),
        ("visit", ("CHN", "KHM")),
        ("visit", ("KHM", "RUS")),
    ]


def test_planned_army_mou_with_russia(events: list[Event]) -> None:
    mou = _one(events, "agreement", {"KHM", "RUS"})
    assert mou.status == "planned"
    assert mou.cameo_code == "0312" and mou.quad_class == 1
    assert {(a.country, a.sector, a.branch) for a in mou.actors} == {
        ("KHM", "MIL", "army"),
        ("RUS", "MIL", "army"),
    }
    assert _people(mou) == {"Mao Sophan": "KHM", "Oleg Salyukov": "RUS"}
    assert (mou.when.start, mou.when.end, mou.when.precision) == ("2024-06-18", "2024-06-20", "day")
    assert mou.where.country == "RUS"
    assert "memorandum of understanding" in mou.evidence.triggers
    assert mou.attribution and "Royal Cambodian Army" in mou.attribution


def test_visit_to_russia_june_18_to_20(events: list[Event]) -> None:
    visit = _one(events, "visit", {"KHM", "RUS"})
    assert visit.status in ("planned", "ongoing")
    roles = {a.country: a.role for a in visit.actors}
    assert roles == {"KHM": "initiator", "RUS": "recipient"}
    assert _people(visit) == {"Mao Sophan": "KHM", "Oleg Salyukov": "RUS"}
    assert (visit.when.start, visit.when.end, visit.when.precision) == (
        "2024-06-18",
        "2024-06-20",
        "day",
    )
    sophan = next(p for p in visit.people if p.name == "Mao Sophan")
    assert sophan.title == "General"
    assert sophan.organisation == "Cambodian Army"


def test_march_visit_to_china(events: list[Event]) -> None:
    visit = _one(events, "visit", {"KHM", "CHN"})
    assert visit.status == "occurred"
    assert (visit.when.start, visit.when.end, visit.when.precision) == (
        "2024-03-01",
        "2024-03-31",
        "month",
    )
    assert _people(visit) == {"Mao Sophan": "KHM", "Li Qiaoming": "CHN"}
    li = next(p for p in visit.people if p.name == "Li Qiaoming")
    assert li.organisation == "PLA Army"
    china = next(a for a in visit.actors if a.country == "CHN")
    assert (china.sector, china.branch, china.role) == ("MIL", "army", "recipient")


def test_angkor_sentinel_suspended_since_2016(events: list[Event]) -> None:
    drills = _one(events, "exercise", {"KHM", "USA"})
    assert drills.status == "suspended"
    assert drills.event_name == "Angkor Sentinel"
    assert (drills.when.start, drills.when.precision, drills.when.text) == (
        "2016-01-01",
        "year",
        "since 2016",
    )
    assert drills.people == ()  # the analyst who comments is the source, not a party
    assert drills.attribution is not None and "Kin Phea" in drills.attribution


def test_event_ids_are_stable_and_distinct(events: list[Event]) -> None:
    again = extract_from_text(SEED.read_text("utf-8"), doc_id="seed-000", published=PUBLISHED)
    assert [e.event_id for e in again.events] == [e.event_id for e in events]
    assert len({e.event_id for e in events}) == 4
    other = extract_from_text(SEED.read_text("utf-8"), doc_id="seed-001", published=PUBLISHED)
    assert not {e.event_id for e in other.events} & {e.event_id for e in events}


def test_extract_events_from_article_fills_the_reference() -> None:
    article = Article(
        article_id="a1",
        url="https://example.test/cambodia-russia",
        source_id="example",
        title="Cambodia, Russia armies to ink MoU",
        body=SEED.read_text("utf-8"),
        publisher="Example Post",
        published_at=datetime(2024, 6, 18, 9, 30, tzinfo=UTC),
    )
    result = extract_events(article)
    assert len(result.events) == 4
    ref = result.events[0].article
    assert (ref.article_id, ref.url, ref.source_id, ref.title) == (
        "a1",
        "https://example.test/cambodia-russia",
        "example",
        "Cambodia, Russia armies to ink MoU",
    )
    assert ref.published_at == "2024-06-18T09:30:00+00:00"
    round_trip = [Event.from_dict(e.to_dict()) for e in result.events]
    assert round_trip == result.events
