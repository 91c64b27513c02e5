"""DAG integrity: the DAG files import cleanly, cheaply, and carry what operators need."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"
DAG_IDS = {
    "defence_news_ingest",
    "defence_news_events",
    "defence_news_fuse",
    "defence_news_reextract",
}


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_no_import_errors(dag_bag) -> None:
    assert dag_bag.import_errors == {}
    assert set(dag_bag.dag_ids) == DAG_IDS


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_every_dag_has_docs_tags_and_retries(dag_bag, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]
    assert dag.doc_md and len(dag.doc_md) > 200, "operators need a real doc_md"
    assert "defence-news" in dag.tags
    assert dag.deadline, "a deadline alert tells operators about stuck runs"
    for task in dag.tasks:
        assert task.retries >= 2, f"{dag_id}.{task.task_id} retries {task.retries}"
        assert task.retry_exponential_backoff
        assert task.on_failure_callback, f"{dag_id}.{task.task_id} has no failure callback"
        doc = task.doc_md or getattr(task, "partial_kwargs", {}).get("doc_md")
        assert doc, f"{dag_id}.{task.task_id} has no documentation"


def test_ingest_is_hourly_on_data_intervals_and_maps_one_task_per_source(dag_bag) -> None:
    from airflow.sdk import CronDataIntervalTimetable

    dag = dag_bag.dags["defence_news_ingest"]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "0 * * * *"
    ingest = dag.get_task("ingest")
    assert ingest.pool == "defence_news_http"
    assert ingest.map_index_template == "{{ source_id }}"
    assert dag.get_task("publish_articles").trigger_rule == "all_done"
    assert [o.name for o in dag.get_task("publish_articles").outlets] == ["defence_news_articles"]
    assert set(dag.params) == {"sources", "interval_start", "interval_end", "limit", "dry_run"}


def test_events_dag_is_scheduled_on_the_articles_asset(dag_bag) -> None:
    dag = dag_bag.dags["defence_news_events"]
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == [
        "defence_news_articles"
    ]
    assert [o.name for o in dag.get_task("extract_events").outlets] == ["defence_news_events"]


def test_fuse_dag_runs_daily_and_on_new_events(dag_bag) -> None:
    from airflow.sdk import AssetOrTimeSchedule

    dag = dag_bag.dags["defence_news_fuse"]
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    assert dag.timetable.timetable.expression == "15 0 * * *"
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == [
        "defence_news_events"
    ]
    assert dag.params["window_days"] == 30
    assert [o.name for o in dag.get_task("fuse").outlets] == ["defence_news_fused"]


def test_reextract_dag_is_manual_maps_days_and_defaults_to_a_dry_run(dag_bag) -> None:
    dag = dag_bag.dags["defence_news_reextract"]
    assert type(dag.timetable).__name__ == "NullTimetable"  # manual runs only
    assert set(dag.params) == {"start", "end", "dry_run"}
    assert dag.params["dry_run"] is True
    assert dag.get_task("reextract").map_index_template == "{{ day }}"
    assert [o.name for o in dag.get_task("announce").outlets] == ["defence_news_events"]


@pytest.mark.parametrize("dag_file", sorted(p.name for p in DAGS_FOLDER.glob("*.py")))
def test_dag_files_import_no_heavy_modules_and_open_no_sockets(dag_file: str) -> None:
    """Parsing a DAG file must not pull the pipeline's heavy libraries or touch the network."""
    probe = f"""
import socket, sys, runpy
def refuse(*args, **kwargs):
    raise AssertionError("network access at DAG import time")
socket.socket.connect = refuse
socket.create_connection = refuse
runpy.run_path({str(DAGS_FOLDER / dag_file)!r})
heavy = sorted(m for m in ("trafilatura", "pyarrow", "boto3", "bs4", "lxml.html", "warcio",
                           "defence_news.pipeline", "defence_news.extract", "defence_news.parse",
                           "defence_news.fetch") if m in sys.modules)
print(heavy)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_retry_delays_grow_but_stay_bounded(dag_bag) -> None:
    for dag_id in DAG_IDS:
        for task in dag_bag.dags[dag_id].tasks:
            assert task.max_retry_delay <= timedelta(minutes=30)
