"""Fixtures for running the real DAGs with ``dag.test()``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from defence_news.interval import Interval
from tests.support.ui import be_patient

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(autouse=True)
def patient_ui_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    be_patient(monkeypatch)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated metadata database in the tests' own Airflow home (SQLite)."""
    airflow = [sys.executable, "-m", "airflow"]
    subprocess.run([*airflow, "db", "migrate"], check=True, capture_output=True, timeout=300)
    subprocess.run(
        [*airflow, "pools", "set", "defence_news_http", "4", "tests"],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def dags(airflow_db: None) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    assert bag.import_errors == {}
    return bag.dags


@pytest.fixture
def pipeline_env(monkeypatch: pytest.MonkeyPatch, seed_site: str) -> Iterator[None]:
    """The seed site as the only source; each test then picks its store."""
    monkeypatch.setenv("DEFENCE_NEWS_SOURCES", "seed")
    monkeypatch.setenv("DEFENCE_NEWS_SEED_URL", seed_site)
    for name in ("DEFENCE_NEWS_STORE", "DEFENCE_NEWS_S3_BUCKET", "DEFENCE_NEWS_LOCAL_ROOT"):
        monkeypatch.delenv(name, raising=False)
    yield


# Two real ingest runs for the UI tests (test_ui_plugin.py, test_ui_browser.py).
HEALTHY = Interval(datetime(2026, 11, 30, 4, tzinfo=UTC), datetime(2026, 11, 30, 5, tzinfo=UTC))
UNREACHABLE = Interval(HEALTHY.end, HEALTHY.end + timedelta(hours=1))
NOTHING_LISTENS = "http://127.0.0.1:9"


def _conf(interval: Interval) -> dict:
    return {
        "interval_start": interval.start.isoformat(),
        "interval_end": interval.end.isoformat(),
        "dry_run": False,  # dag.test() keeps an earlier test's Params on the DAG object
    }


@pytest.fixture(scope="session")
def ingested_store(dags: dict, seed_site: str, tmp_path_factory: pytest.TempPathFactory):
    """Two real ingest runs of the seed source: one healthy, then one while its site is
    unreachable; plus the UI's fixture events and fused events (a LocalStore)."""
    from defence_news.adapters.runner import run_dag_in_process
    from defence_news.store import LocalStore
    from tests.unit.ui.fixtures import MORNING, fill_store, same_visit_twice, write_fused

    root = tmp_path_factory.mktemp("ingested") / "store"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DEFENCE_NEWS_SOURCES", "seed")
        env.setenv("DEFENCE_NEWS_STORE", "local")
        env.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(root))
        env.setenv("DEFENCE_NEWS_SEED_URL", seed_site)
        assert run_dag_in_process(dags["defence_news_ingest"], _conf(HEALTHY)) == "success"
        env.setenv("DEFENCE_NEWS_SEED_URL", NOTHING_LISTENS)
        assert run_dag_in_process(dags["defence_news_ingest"], _conf(UNREACHABLE)) == "failed"
    store = fill_store(LocalStore(root))
    write_fused(store, MORNING, same_visit_twice())
    return store
