"""Reading the layout back: parse_key and the listing helpers, on both stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from defence_news.interval import Interval
from defence_news.store import LocalStore, ObjectStore, S3Store, keys
from defence_news.store.keys import MAX_DAYS_LISTED_ONE_BY_ONE, StoreKey

INGEST, EVENTS = "defence_news_ingest", "defence_news_events"
LATE = Interval(datetime(2024, 6, 18, 23, tzinfo=UTC), datetime(2024, 6, 19, 0, tzinfo=UTC))
MIDNIGHT = Interval(datetime(2024, 6, 19, 0, tzinfo=UTC), datetime(2024, 6, 19, 1, tzinfo=UTC))
EARLY = Interval(datetime(2024, 6, 19, 1, tzinfo=UTC), datetime(2024, 6, 19, 2, tzinfo=UTC))
# A backfill over two hours starts with MIDNIGHT but is another interval.
TWO_HOURS = Interval(MIDNIGHT.start, MIDNIGHT.start + timedelta(hours=2))


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[ObjectStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"keys-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    yield S3Store.from_params(bucket, prefix="pipeline", endpoint_url=endpoint)


@pytest.mark.parametrize(
    ("key", "kind", "source_id", "dag_id"),
    [
        (keys.raw_key("seed", MIDNIGHT), "raw", "seed", None),
        (keys.articles_key("seed", MIDNIGHT), "articles", "seed", None),
        (keys.events_key(MIDNIGHT), "events", None, None),
        (keys.fused_events_key(MIDNIGHT), "events_fused", None, None),
        (keys.manifest_key(INGEST, MIDNIGHT, "seed"), "manifest", "seed", INGEST),
        (keys.manifest_key(EVENTS, MIDNIGHT), "manifest", None, EVENTS),
    ],
)
def test_every_key_a_builder_makes_parses_back_into_its_parts(
    key: str, kind: str, source_id: str | None, dag_id: str | None
) -> None:
    assert keys.parse_key(key) == StoreKey(key, kind, MIDNIGHT, source_id, dag_id)  # type: ignore[arg-type]
    parsed = keys.parse_key(key)
    assert parsed is not None and (parsed.date, parsed.slug) == ("2024-06-19", MIDNIGHT.slug)


@pytest.mark.parametrize(
    "key",
    [
        keys.state_key("fetch", "seed"),  # state belongs to no interval
        "events/readme.txt",
        f"events/dt=2024-06-19/.tmp-{MIDNIGHT.slug}.parquet",
        f"events/dt=2024-06-18/{MIDNIGHT.slug}.parquet",  # dt= is not the slug's start date
        "events/dt=2024-06-19/20240619T0000Z--20240619T9900Z.parquet",  # no such time
        "events/dt=2024-06-19/20240619T0100Z--20240619T0000Z.parquet",  # ends before it starts
        f"events/dt=2024-06-19/{MIDNIGHT.slug}.json",
        f"articles/dt=2024-06-19/{MIDNIGHT.slug}.parquet",  # no source partition
        f"team/events/dt=2024-06-19/{MIDNIGHT.slug}.parquet",
    ],
)
def test_foreign_keys_parse_to_none(key: str) -> None:
    assert keys.parse_key(key) is None


def test_a_slug_names_its_interval_and_nothing_else_does() -> None:
    assert keys.interval_from_slug(MIDNIGHT.slug) == MIDNIGHT
    assert keys.interval_from_slug("20240619T0000Z") is None
    assert keys.interval_from_slug(f"{MIDNIGHT.slug} ") is None


def test_partition_date_is_read_from_any_partitioned_key() -> None:
    assert keys.partition_date("events/dt=2026-11-28/anything.parquet") == "2026-11-28"
    assert keys.partition_date("events/readme.txt") is None


def test_article_keys_for_an_interval_are_one_per_source(store: ObjectStore) -> None:
    wanted = [keys.articles_key("nato", MIDNIGHT), keys.articles_key("seed", MIDNIGHT)]
    for key in (
        *wanted,
        keys.articles_key("seed", EARLY),  # same day, another interval
        keys.articles_key("seed", TWO_HOURS),  # same start, another interval
        keys.events_key(MIDNIGHT),
        f"articles/dt={MIDNIGHT.date}/source=seed/notes.txt",
    ):
        store.put(key, b"x")
    assert keys.article_keys_for(store, MIDNIGHT) == wanted


def test_manifest_keys_for_an_interval_cover_both_dags(store: ObjectStore) -> None:
    ingest = [keys.manifest_key(INGEST, MIDNIGHT, s) for s in ("nato", "seed")]
    for key in (*ingest, keys.manifest_key(INGEST, TWO_HOURS, "seed")):
        store.put(key, b"{}")
    store.put(keys.manifest_key(EVENTS, MIDNIGHT), b"{}")
    assert keys.manifest_keys_for(store, INGEST, MIDNIGHT) == ingest
    assert keys.manifest_keys_for(store, EVENTS, MIDNIGHT) == [keys.manifest_key(EVENTS, MIDNIGHT)]


def test_manifests_of_a_range_are_those_of_intervals_starting_in_it(store: ObjectStore) -> None:
    for interval in (LATE, MIDNIGHT, EARLY):
        store.put(keys.manifest_key(INGEST, interval, "seed"), b"{}")
    store.put(keys.manifest_key(EVENTS, MIDNIGHT), b"{}")

    def slugs(start: datetime | None, end: datetime | None) -> list[str]:
        return [key.slug for key in keys.manifests_between(store, INGEST, start, end)]

    assert slugs(LATE.start, EARLY.start) == [LATE.slug, MIDNIGHT.slug]  # across midnight
    assert slugs(MIDNIGHT.start, None) == [MIDNIGHT.slug, EARLY.slug]
    assert slugs(None, MIDNIGHT.start) == [LATE.slug]
    assert slugs(None, None) == [LATE.slug, MIDNIGHT.slug, EARLY.slug]
    # A range too long to list day by day lists everything once: the same answer.
    far = LATE.start - timedelta(days=MAX_DAYS_LISTED_ONE_BY_ONE + 1)
    assert slugs(far, EARLY.start) == [LATE.slug, MIDNIGHT.slug]
    assert slugs(EARLY.end, EARLY.end + timedelta(days=1)) == []
    events = keys.manifests_between(store, EVENTS, LATE.start, EARLY.end)
    assert [(key.dag_id, key.source_id, key.slug) for key in events] == [
        (EVENTS, None, MIDNIGHT.slug)
    ]


def test_list_keys_of_one_kind_skips_foreign_objects(store: ObjectStore) -> None:
    store.put(keys.events_key(MIDNIGHT), b"x")
    store.put(keys.fused_events_key(MIDNIGHT), b"x")
    store.put("events/readme.txt", b"x")
    assert [key.key for key in keys.list_keys(store, "events")] == [keys.events_key(MIDNIGHT)]
    assert keys.list_keys(store, "events", day=LATE.date) == []
