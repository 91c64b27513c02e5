from __future__ import annotations

from datetime import UTC, datetime

from defence_news.interval import Interval
from defence_news.models import Article
from defence_news.store import LocalStore, keys
from defence_news.store.records import read_articles, read_json, write_articles, write_json

INTERVAL = Interval(datetime(2024, 6, 18, 4, tzinfo=UTC), datetime(2024, 6, 18, 5, tzinfo=UTC))


def test_keys_follow_the_design_layout() -> None:
    slug = "20240618T0400Z--20240618T0500Z"
    assert keys.raw_key("seed", INTERVAL) == f"raw/source=seed/dt=2024-06-18/{slug}.warc.gz"
    assert keys.articles_key("seed", INTERVAL) == (
        f"articles/dt=2024-06-18/source=seed/{slug}.parquet"
    )
    assert keys.events_key(INTERVAL) == f"events/dt=2024-06-18/{slug}.parquet"
    assert keys.manifest_key("defence_news_ingest", INTERVAL, "seed") == (
        f"manifests/defence_news_ingest/dt=2024-06-18/{slug}/source=seed.json"
    )


def test_articles_roundtrip_through_parquet(tmp_path) -> None:
    article = Article(
        article_id=Article.make_id("https://example.org/a"),
        url="https://example.org/a?utm_source=x",
        canonical_url="https://example.org/a",
        source_id="seed",
        title="Cambodian and Russian armies plan MoU",
        body="First paragraph.\n\n“Quoted” second paragraph.",
        authors=("A. Writer", "B. Reporter"),
        published_at=datetime(2024, 6, 18, 9, 30, tzinfo=UTC),
        tags=("Cambodia", "Russia"),
        word_count=6,
    )
    store = LocalStore(tmp_path)
    write_articles(store, "articles/a.parquet", [article])
    assert read_articles(store, "articles/a.parquet") == [article]


def test_json_is_written_sorted_and_readable(tmp_path) -> None:
    store = LocalStore(tmp_path)
    write_json(store, "m.json", {"b": 1, "a": "Sihanoukville–Ream"})
    assert store.get("m.json").decode().index('"a"') < store.get("m.json").decode().index('"b"')
    assert read_json(store, "m.json") == {"a": "Sihanoukville–Ream", "b": 1}
