"""The two stages as plain functions, without Airflow: what the DAG tasks call."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import defence_news.extract
from defence_news.interval import Interval
from defence_news.models import Article
from defence_news.parse.fingerprint import content_hash, simhash
from defence_news.pipeline import extract_interval, ingest_source
from defence_news.sources import seed_source
from defence_news.store import LocalStore, keys
from defence_news.store.records import read_articles, read_parquet, write_articles

INTERVAL = Interval(datetime(2024, 6, 18, 4, tzinfo=UTC), datetime(2024, 6, 18, 5, tzinfo=UTC))
SEED_TEXT = (Path(__file__).resolve().parents[2] / "seeds" / "000_daa3c69061294fcf.txt").read_text(
    encoding="utf-8"
)
OTHER_TEXT = (
    "The Philippine Navy and the Japan Maritime Self-Defense Force held a joint exercise "
    "in the South China Sea on Monday, the Armed Forces of the Philippines said. "
    "The two navies have held such drills twice this year."
)


def article(source_id: str, url: str, body: str) -> Article:
    return Article(
        article_id=Article.make_id(url),
        url=url,
        source_id=source_id,
        title="Test article",
        body=body.strip(),
        published_at=datetime(2024, 6, 18, 7, tzinfo=UTC),
        word_count=len(body.split()),
        content_hash=content_hash(body.strip()),
        simhash=simhash(body.strip()),
    )


def test_ingest_writes_articles_raw_and_a_manifest_that_adds_up(seed_site, tmp_path) -> None:
    store = LocalStore(tmp_path)
    report = ingest_source(seed_source(seed_site), INTERVAL, store)
    manifest = json.loads(store.get(report.manifest_key))
    counts = manifest["counts"]
    assert (
        counts["discovered"]
        == len(manifest["outcomes"])
        == len({o["url"] for o in manifest["outcomes"]})
    )
    assert (
        report.article_count == counts["article"] == len(read_articles(store, report.articles_key))
    )
    assert store.exists(keys.raw_key("seed", INTERVAL))
    assert report.source_errors == []


def test_extract_links_near_duplicates_across_sources_and_counts_events_once(tmp_path) -> None:
    store = LocalStore(tmp_path)
    original = article("seed", "https://a.example/cambodia-russia", SEED_TEXT)
    copy = article("wire", "https://b.example/wire/cambodia-russia", SEED_TEXT)
    write_articles(store, keys.articles_key("seed", INTERVAL), [original])
    write_articles(store, keys.articles_key("wire", INTERVAL), [copy])
    report = extract_interval(
        [keys.articles_key("seed", INTERVAL), keys.articles_key("wire", INTERVAL)], INTERVAL, store
    )
    events = read_parquet(store, report.events_key)
    assert len({e["article"]["article_id"] for e in events}) == 1
    assert report.event_count == len(events) == 4
    assert report.skipped == {"near_duplicate": 1}


def test_one_failing_article_or_missing_object_does_not_lose_the_others(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    good = article("seed", "https://a.example/phl-jpn-drill", OTHER_TEXT)
    bad = article("seed", "https://a.example/cambodia-russia", SEED_TEXT)
    write_articles(store, keys.articles_key("seed", INTERVAL), [good, bad])
    real_extract = defence_news.extract.extract_events

    def extract_or_fail(item: Article):
        if item.article_id == bad.article_id:
            raise RuntimeError("extractor bug")
        return real_extract(item)

    monkeypatch.setattr(defence_news.extract, "extract_events", extract_or_fail)
    gone = keys.articles_key("gone", INTERVAL)
    report = extract_interval([keys.articles_key("seed", INTERVAL), gone], INTERVAL, store)
    events = read_parquet(store, report.events_key)
    assert events and {e["article"]["article_id"] for e in events} == {good.article_id}
    manifest = json.loads(store.get(report.manifest_key))
    assert manifest["articles"][bad.article_id]["failed"] == "extract_error:RuntimeError"
    assert manifest["missing_keys"] == [gone]
    assert report.skipped["extract_error:RuntimeError"] == 1


# -- no record lost: writes before the seen index, and records UTF-8 cannot hold -----------

STORY_PARAGRAPHS = (
    "The navies of Indonesia and Australia opened a week of joint patrols in the Arafura "
    "Sea on Tuesday, the Indonesian Navy said in a statement released in Jakarta.",
    "Four ships and two maritime patrol aircraft take part in the patrols, which follow an "
    "agreement signed by the two defence ministers in Canberra last year.",
    "Officers from both fleets will rotate between the flagships to practise boarding, "
    "search and rescue and the exchange of tactical data, the statement added.",
    "The patrols end on Sunday with a port call in Darwin, where the crews will meet local "
    "officials and hold a reception for the families of sailors from both countries.",
)


def story_page(headline_json: str) -> bytes:
    """A news page whose JSON-LD headline is given as raw JSON text (escapes kept).

    The page shows no <h1>, so the title is the JSON-LD headline (a visible <h1>
    would be preferred to it)."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in STORY_PARAGRAPHS)
    return (
        "<!doctype html><html lang='en'><head><title>Joint patrols open</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        f'{headline_json}, "datePublished": "2024-06-18T04:30:00Z"}}</script></head>'
        f"<body><article>{body}</article>"
        "</body></html>"
    ).encode()


@pytest.fixture
def two_story_source():  # type: ignore[no-untyped-def]
    from tests.unit.fetch.faulty_server import FaultyServer, text_route
    from tests.unit.fetch.feed_builders import rss

    with FaultyServer() as server:
        good = server.route(
            "/news/good", text_route(story_page('"Joint patrols open"'), "text/html")
        )
        odd = server.route(
            "/news/odd", text_route(story_page('"Joint patrols \\ud800 open"'), "text/html")
        )
        published = datetime(2024, 6, 18, 4, 30, tzinfo=UTC)
        feed = server.route(
            "/feed.xml",
            text_route(rss([(good, published), (odd, published)]), "application/rss+xml"),
        )
        from defence_news.sources import Source

        yield (
            Source(
                id="wire",
                name="Wire",
                publisher="T",
                homepage=server.url("/"),
                feeds=(feed,),
                allow_private=True,
            ),
            (good, odd),
        )


def _fetch_settings():  # type: ignore[no-untyped-def]
    from tests.unit.fetch.conftest import FAST_SETTINGS

    return FAST_SETTINGS


def test_a_lone_surrogate_in_a_headline_does_not_lose_the_source(
    two_story_source, tmp_path
) -> None:
    source, (good, odd) = two_story_source
    store = LocalStore(tmp_path)
    report = ingest_source(source, INTERVAL, store, fetch_settings=_fetch_settings())
    stored = {a.url: a for a in read_articles(store, report.articles_key)}
    assert set(stored) == {good, odd}
    assert "\ufffd" in stored[odd].title and stored[good].title == "Joint patrols open"
    assert report.failure is None


class ArticlesWriteFails(LocalStore):
    """A store whose disk refuses the articles objects (a full volume, an outage)."""

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        if key.startswith("articles/"):
            raise OSError("no space left on device")
        super().put(key, data, content_type=content_type)


def test_a_failed_write_leaves_the_seen_index_so_the_retry_writes_the_articles(
    two_story_source, tmp_path
) -> None:
    from defence_news.fetch.state import load_state

    source, (good, odd) = two_story_source
    with pytest.raises(OSError, match="no space left"):
        ingest_source(
            source, INTERVAL, ArticlesWriteFails(tmp_path), fetch_settings=_fetch_settings()
        )
    assert load_state(LocalStore(tmp_path), "wire").urls == {}, "seen before it was written"
    retry = ingest_source(source, INTERVAL, LocalStore(tmp_path), fetch_settings=_fetch_settings())
    assert {a.url for a in read_articles(LocalStore(tmp_path), retry.articles_key)} == {good, odd}
    assert len(load_state(LocalStore(tmp_path), "wire").urls) == 2


def test_a_source_that_cannot_be_read_reports_its_failure_after_writing_its_manifest(
    tmp_path,
) -> None:
    from defence_news.sources import Source

    source = Source(
        id="offline",
        name="Offline",
        publisher="T",
        homepage="http://127.0.0.1:9/",
        feeds=("http://127.0.0.1:9/feed.xml",),
        allow_private=True,
    )
    store = LocalStore(tmp_path)
    report = ingest_source(source, INTERVAL, store, fetch_settings=_fetch_settings())
    assert report.failure and "could be read" in report.failure
    manifest = json.loads(store.get(report.manifest_key))
    assert manifest["source_errors"] and manifest["counts"]["discovered"] == 0
