"""Both DAGs, run for real with ``dag.test()``, over the seed site served on HTTP,
writing to the local folder store and to an S3 API server (moto, own process).
The objects are read back and checked as an analyst would."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from defence_news.adapters.runner import run_dag_in_process
from defence_news.interval import Interval
from defence_news.store import LocalStore, ObjectStore, S3Store, keys
from defence_news.store.records import read_parquet

pytestmark = pytest.mark.integration

INTERVAL = Interval(datetime(2026, 11, 29, 4, tzinfo=UTC), datetime(2026, 11, 29, 5, tzinfo=UTC))
CONF = {"interval_start": INTERVAL.start.isoformat(), "interval_end": INTERVAL.end.isoformat()}
SEED_TITLE_WORD = "Cambodia"
SEED_SENTENCE_START = "Military drills with the US"
SEED_TEXT = Path(__file__).resolve().parents[2] / "seeds" / "000_daa3c69061294fcf.txt"


def run_both(dags: dict, events_conf: dict | None = CONF) -> None:
    assert run_dag_in_process(dags["defence_news_ingest"], CONF) == "success"
    assert run_dag_in_process(dags["defence_news_events"], events_conf) == "success"


def assert_outputs(store: ObjectStore) -> None:
    manifest = json.loads(store.get(keys.manifest_key("defence_news_ingest", INTERVAL, "seed")))
    counts = manifest["counts"]
    outcomes = manifest["outcomes"]
    assert len({o["url"] for o in outcomes}) == len(outcomes) == counts["discovered"]
    assert sum(counts.get(k, 0) for k in ("article", "not_modified", "skipped", "failed")) == len(
        outcomes
    )

    articles = read_parquet(store, keys.articles_key("seed", INTERVAL))
    assert len(articles) == counts["article"] >= 8
    skipped_reasons = {o["reason"] for o in outcomes if o["outcome"] == "skipped"}
    assert any(reason and reason.startswith("not_article:") for reason in skipped_reasons)

    seed = _seed_article(articles)
    expected = SEED_TEXT.read_text(encoding="utf-8").strip()
    assert seed["body"] == expected
    assert seed["published_at"].startswith("2024-06-18")

    assert store.exists(keys.raw_key("seed", INTERVAL))
    assert store.get(keys.raw_key("seed", INTERVAL))[:2] == b"\x1f\x8b"  # gzip (WARC)

    events = read_parquet(store, keys.events_key(INTERVAL))
    seed_events = [e for e in events if e["article"]["article_id"] == seed["article_id"]]
    summary = sorted(
        (e["category"], e["status"], tuple(sorted({a["country"] for a in e["actors"]})))
        for e in seed_events
    )
    assert [s[0] for s in summary] == ["agreement", "exercise", "visit", "visit"]
    assert ("exercise", "suspended", ("KHM", "USA")) in summary
    assert ("agreement", "planned", ("KHM", "RUS")) in summary
    assert ("visit", "occurred", ("CHN", "KHM")) in summary
    assert all(e["evidence"]["sentence"] in seed["body"] for e in seed_events)
    assert all(e["article"]["url"] == seed["url"] for e in seed_events)
    assert store.exists(keys.fused_events_key(INTERVAL))


def _seed_article(articles: list[dict]) -> dict:
    (seed,) = [a for a in articles if a["body"].startswith("The commander of the Cambodian army")]
    assert SEED_TITLE_WORD in seed["title"]
    return seed


def test_dags_write_to_the_local_folder_store(dags, pipeline_env, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path / "store"))
    run_both(dags)
    store = LocalStore(tmp_path / "store")
    assert_outputs(store)

    # A rerun of the same interval replaces objects: same keys, no duplicated rows.
    before = sorted(store.list())
    n_events = len(read_parquet(store, keys.events_key(INTERVAL)))
    run_both(dags)
    assert sorted(store.list()) == before
    assert len(read_parquet(store, keys.events_key(INTERVAL))) == n_events


def test_dags_write_to_s3_through_the_airflow_connection(
    dags, pipeline_env, monkeypatch, s3_endpoint: str
) -> None:
    bucket = f"news-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    monkeypatch.setenv("DEFENCE_NEWS_STORE", "s3")
    monkeypatch.setenv("DEFENCE_NEWS_S3_BUCKET", bucket)
    monkeypatch.setenv("DEFENCE_NEWS_AWS_CONN_ID", "news_s3")
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_NEWS_S3", json.dumps(connection))
    run_both(dags)
    assert_outputs(S3Store.from_params(bucket, endpoint_url=s3_endpoint))


def test_events_dag_finds_its_articles_through_the_asset_event(
    dags, pipeline_env, monkeypatch, tmp_path
) -> None:
    """Without Params, the events run takes the batch announced by the articles asset."""
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path / "store"))
    run_both(dags, events_conf=None)
    events = read_parquet(LocalStore(tmp_path / "store"), keys.events_key(INTERVAL))
    assert any(e["evidence"]["sentence"].startswith(SEED_SENTENCE_START) for e in events)


def test_dry_run_param_writes_nothing_to_the_store(dags, pipeline_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path / "store"))
    monkeypatch.setenv("DEFENCE_NEWS_SOURCES", "registry")  # the Param below must win
    conf = {**CONF, "dry_run": True, "sources": ["seed"]}
    assert run_dag_in_process(dags["defence_news_ingest"], conf) == "success"
    assert list(LocalStore(tmp_path / "store").list()) == []


def test_a_source_that_cannot_be_read_fails_its_own_task_and_is_announced(
    dags, pipeline_env, monkeypatch, tmp_path
) -> None:
    """Red in the grid: the source's mapped task fails after writing its manifest, while
    ``publish_articles`` still runs and names it in the articles announcement."""
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path / "store"))
    monkeypatch.setenv("DEFENCE_NEWS_SEED_URL", "http://127.0.0.1:9")  # nothing listens
    dag = dags["defence_news_ingest"]
    # Explicit: dag.test() keeps an earlier test's Params (a dry run) on the DAG object.
    assert run_dag_in_process(dag, {**CONF, "dry_run": False}) == "failed"
    states = _task_states(dag)
    assert states[("ingest", 0)] == "failed"
    assert states[("publish_articles", -1)] == "success"
    assert states[("check_sources", -1)] == "failed"
    store = LocalStore(tmp_path / "store")
    manifest = json.loads(store.get(keys.manifest_key("defence_news_ingest", INTERVAL, "seed")))
    assert "could be read" in manifest["failure"]
    announced = _announced_extra(dag)
    assert announced["sources_failed"] == ["seed"]
    assert announced["sources"]["seed"]["errors"] == manifest["source_errors"]


def _task_states(dag) -> dict[tuple[str, int], str]:  # type: ignore[no-untyped-def]
    from airflow.models import DagRun, TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        run = (
            session.query(DagRun)
            .filter(DagRun.dag_id == dag.dag_id)
            .order_by(DagRun.id.desc())
            .first()
        )
        instances = session.query(TaskInstance).filter(
            TaskInstance.dag_id == dag.dag_id, TaskInstance.run_id == run.run_id
        )
        return {(ti.task_id, ti.map_index): str(ti.state) for ti in instances}


def _announced_extra(dag) -> dict:  # type: ignore[no-untyped-def]
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        event = (
            session.query(AssetEvent)
            .filter(AssetEvent.source_dag_id == dag.dag_id)
            .order_by(AssetEvent.id.desc())
            .first()
        )
        return dict(event.extra)
