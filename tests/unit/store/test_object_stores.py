"""One contract, two stores: the local folder and S3 (moto's server over HTTP)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest

from defence_news.store import LocalStore, ObjectNotFound, ObjectStore, S3Store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[ObjectStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    yield S3Store.from_params(bucket, prefix="pipeline", endpoint_url=endpoint)


def test_put_get_roundtrip_and_replace(store: ObjectStore) -> None:
    store.put("articles/dt=2024-06-18/a.parquet", b"first")
    store.put("articles/dt=2024-06-18/a.parquet", b"second")
    assert store.get("articles/dt=2024-06-18/a.parquet") == b"second"


def test_missing_object_raises_object_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound):
        store.get("nothing/here.json")
    assert not store.exists("nothing/here.json")


def test_list_is_sorted_and_limited_to_prefix(store: ObjectStore) -> None:
    for key in ("events/b.json", "articles/z.json", "articles/a.json", "articlesX/c.json"):
        store.put(key, b"{}")
    assert list(store.list("articles/")) == ["articles/a.json", "articles/z.json"]
    assert len(list(store.list())) == 4


def test_delete_removes_and_tolerates_missing(store: ObjectStore) -> None:
    store.put("state/seen/x.json", b"[]")
    store.delete("state/seen/x.json")
    store.delete("state/seen/x.json")
    assert not store.exists("state/seen/x.json")


def test_put_new_writes_only_where_no_object_is(store: ObjectStore) -> None:
    assert store.put_new("state/lease/wire.json", b"first") is True
    assert store.put_new("state/lease/wire.json", b"second") is False
    assert store.get("state/lease/wire.json") == b"first"
    store.delete("state/lease/wire.json")
    assert store.put_new("state/lease/wire.json", b"third") is True
    assert store.get("state/lease/wire.json") == b"third"


def test_put_new_lets_one_of_many_at_once_win(store: ObjectStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda n: store.put_new("state/lease/x.json", b"%d" % n), range(8)))
    assert won.count(True) == 1
    assert store.get("state/lease/x.json") == b"%d" % won.index(True)


def test_local_store_refuses_keys_outside_its_root(tmp_path) -> None:
    with pytest.raises(ValueError, match="escapes"):
        LocalStore(tmp_path).put("../outside.txt", b"x")


def test_s3_prefix_is_applied_to_real_keys(s3_endpoint: str) -> None:
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="prefixed")
    S3Store(client, "prefixed", prefix="/team/pipeline/").put("events/e.json", b"{}")
    listed = client.list_objects_v2(Bucket="prefixed")["Contents"]
    assert [item["Key"] for item in listed] == ["team/pipeline/events/e.json"]
