"""Real records for the UI tests: Events and manifests built with the models and
written with the pipeline's own writers, in the store layout of keys.py."""

from __future__ import annotations

from datetime import UTC, datetime

from defence_news.extract.fusion import fuse_events
from defence_news.extract.schema import EVENT_ARROW_SCHEMA, FUSED_EVENT_ARROW_SCHEMA
from defence_news.fetch.manifest import RunManifest
from defence_news.interval import Interval
from defence_news.models import (
    Actor,
    ArticleRef,
    Event,
    Evidence,
    ExtractorInfo,
    UrlOutcome,
    When,
)
from defence_news.pipeline import INGEST_DAG_ID
from defence_news.store import LocalStore, keys
from defence_news.store.records import write_parquet

MORNING = Interval(datetime(2026, 11, 28, 8, tzinfo=UTC), datetime(2026, 11, 28, 9, tzinfo=UTC))
NOON = Interval(datetime(2026, 11, 28, 12, tzinfo=UTC), datetime(2026, 11, 28, 13, tzinfo=UTC))
NEXT_DAY = Interval(datetime(2026, 11, 29, 3, tzinfo=UTC), datetime(2026, 11, 29, 4, tzinfo=UTC))
HOSTILE_SENTENCE = 'Officials said <script>alert("owned")</script> the navies will drill & train.'
HOSTILE_URL = "javascript:alert(1)"


def make_event(
    event_id: str,
    category: str,
    status: str,
    countries: tuple[str, str],
    sentence: str,
    *,
    url: str = "https://news.example/a",
    title: str = "An article",
    source_id: str = "seed",
    event_name: str | None = None,
    confidence: float = 0.8,
    start: str | None = "2026-11-20",
) -> Event:
    actors = tuple(
        Actor(name=f"{code} armed forces", country=code, sector="MIL", role=role)
        for code, role in zip(countries, ("initiator", "recipient"), strict=True)
    )
    return Event(
        event_id=event_id,
        category=category,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        actors=actors,
        evidence=Evidence(sentence=sentence, char_start=0, char_end=len(sentence)),
        article=ArticleRef(
            article_id=f"art-{event_id}",
            url=url,
            source_id=source_id,
            publisher="Example News",
            published_at="2026-11-28T07:30:00+00:00",
            title=title,
        ),
        extractor=ExtractorInfo(name="rules", version="test"),
        event_name=event_name,
        when=When(start=start, precision="day", text="last week" if start else None),
        confidence=confidence,
    )


def morning_events() -> list[Event]:
    return [
        make_event(
            "e1",
            "agreement",
            "planned",
            ("KHM", "RUS"),
            "The two land forces will sign a memorandum on cooperation in June.",
            url="https://news.example/khm-rus-mou",
            title="Land forces to sign memorandum",
            confidence=0.9,
        ),
        make_event(
            "e2",
            "exercise",
            "suspended",
            ("KHM", "USA"),
            "The joint drill has not taken place for several years.",
            event_name="Angkor Sentinel",
            source_id="other",
            confidence=0.7,
        ),
    ]


def noon_events() -> list[Event]:
    return [
        make_event(
            "e3",
            "training",
            "occurred",
            ("IND", "FRA"),
            HOSTILE_SENTENCE,
            url=HOSTILE_URL,
            title="<b>Bold</b> title",
        )
    ]


def write_events(store: LocalStore, interval: Interval, events: list[Event]) -> str:
    key = keys.events_key(interval)
    write_parquet(store, key, [event.to_dict() for event in events], EVENT_ARROW_SCHEMA)
    return key


def write_manifest(
    store: LocalStore,
    interval: Interval,
    source_id: str,
    outcomes: list[UrlOutcome],
    errors: list[str] | None = None,
) -> str:
    manifest = RunManifest(source_id, interval, outcomes, source_errors=list(errors or ()))
    manifest.check()
    key = keys.manifest_key(INGEST_DAG_ID, interval, source_id)
    store.put(key, manifest.to_json(), content_type="application/json")
    return key


def seed_outcomes() -> list[UrlOutcome]:
    return [
        UrlOutcome("https://seed.example/1", "article", status_code=200, article_id="a1"),
        UrlOutcome("https://seed.example/2", "article", status_code=200, article_id="a2"),
        UrlOutcome("https://seed.example/3", "not_modified", status_code=304),
        UrlOutcome("https://seed.example/4", "skipped", reason="robots_disallowed"),
        UrlOutcome("https://seed.example/5", "failed", reason="http_404", status_code=404),
        UrlOutcome("https://seed.example/6", "failed", reason="http_404", status_code=404),
        UrlOutcome("https://seed.example/7", "failed", reason="timeout"),
    ]


def fill_store(store: LocalStore) -> LocalStore:
    """Two days of events and manifests, one of them hostile text."""
    write_events(store, MORNING, morning_events())
    write_events(store, NOON, noon_events())
    write_events(
        store,
        NEXT_DAY,
        [make_event("e4", "visit", "occurred", ("KHM", "CHN"), "The delegation went to Beijing.")],
    )
    write_manifest(store, MORNING, "seed", seed_outcomes())
    write_manifest(store, NOON, "seed", seed_outcomes()[:2])
    write_manifest(store, NOON, "broken-feed", [], errors=["feed https://x.example/rss: http_503"])
    return store


def write_fused(store: LocalStore, interval: Interval, events: list[Event]) -> str:
    """Fuse with the pipeline's own fusion and write like ``extract_interval`` does."""
    key = keys.fused_events_key(interval)
    rows = [fused.to_dict() for fused in fuse_events(events)]
    write_parquet(store, key, rows, FUSED_EVENT_ARROW_SCHEMA)
    return key


def same_visit_twice() -> list[Event]:
    """One visit reported by two sources, and an unrelated exercise."""
    return [
        make_event(
            "v1",
            "visit",
            "occurred",
            ("KHM", "CHN"),
            "The army chief led a delegation to Beijing.",
            url="https://seed.example/visit",
            source_id="seed",
        ),
        make_event(
            "v2",
            "visit",
            "occurred",
            ("KHM", "CHN"),
            HOSTILE_SENTENCE,
            url="https://other.example/visit",
            source_id="other",
        ),
        make_event("x1", "exercise", "planned", ("IND", "FRA"), "The navies plan a drill."),
    ]
