"""Fixtures for running the real DAGs with ``dag.test()``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"


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
