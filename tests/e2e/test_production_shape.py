"""End to end in Airflow's production shape, with real processes.

Postgres metadata database, CeleryExecutor with a Redis broker, and separate
api-server, scheduler, dag-processor, triggerer and Celery worker processes.
The ingest DAG's own schedule starts a run over the seed site; its articles
asset must then trigger the events DAG, whose events are read back.

Skips (with the reason) where Postgres, Redis or the Celery provider is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from defence_news.store import LocalStore
from defence_news.store.records import read_parquet
from tests.support.celery_deployment import celery_unavailable, fresh_postgres_database
from tests.support.servers import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 420.0  # seconds for both DAG runs; generous for a loaded 2-core machine
PROCESSES = (
    ("api-server", ["api-server", "--port", "{api_port}"]),
    ("scheduler", ["scheduler"]),
    ("dag-processor", ["dag-processor"]),
    ("triggerer", ["triggerer"]),
    ("worker", ["celery", "worker", "--queues", "{queue}", "--concurrency", "2"]),
)


@pytest.fixture
def production_env(tmp_path: Path, seed_site: str) -> Iterator[dict[str, str]]:
    reason = celery_unavailable()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database("defence_news_e2e") as database:
        api_port, queue = free_port(), f"e2e-{uuid.uuid4().hex[:8]}"
        yield {
            **os.environ,
            **database.celery_settings(),
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "DEFENCE_NEWS_SOURCES": "seed",
            "DEFENCE_NEWS_SEED_URL": seed_site,
            "DEFENCE_NEWS_STORE": "local",
            "DEFENCE_NEWS_LOCAL_ROOT": str(tmp_path / "store"),
            "api_port": str(api_port),
            "queue": queue,
        }


def _airflow(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "airflow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, f"airflow {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


def _start_processes(env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    processes = []
    for name, args in PROCESSES:
        argv = [arg.format(**env) for arg in args]
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "airflow", *argv],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=PROJECT_ROOT,
            )
        )
    return processes


def _runs(env: dict[str, str], dag_id: str) -> list[dict]:
    """The DAG's runs; none while the dag-processor has not yet parsed it."""
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "list-runs", dag_id, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    if "does not exist in 'dag' table" in result.stderr:
        return []
    assert result.returncode == 0, result.stderr[-3000:]
    # Log lines may precede the JSON; the listing is the line that parses as a list.
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("[") and line.rstrip().endswith("]"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return []


def _wait_for_success(env: dict[str, str], dag_id: str, deadline: float) -> dict:
    while time.monotonic() < deadline:
        runs = _runs(env, dag_id)
        if any(run["state"] == "failed" for run in runs):
            raise AssertionError(f"{dag_id} run failed: {runs}")
        done = [run for run in runs if run["state"] == "success"]
        if done:
            return done[0]
        time.sleep(3)
    raise AssertionError(f"{dag_id}: no successful run within {RUN_TIMEOUT}s")


def test_scheduled_ingest_triggers_events_through_the_asset(production_env, tmp_path) -> None:
    env = production_env
    _airflow(env, "db", "migrate")
    _airflow(env, "pools", "set", "defence_news_http", "4", "e2e")
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = _start_processes(env, logs)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        ingest = _wait_for_success(env, "defence_news_ingest", deadline)
        events = _wait_for_success(env, "defence_news_events", deadline)
    except AssertionError:
        for log in sorted(logs.iterdir()):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        raise
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert ingest["run_id"].startswith("scheduled__")
    assert events["run_id"].startswith("asset_triggered__")
    store = LocalStore(Path(env["DEFENCE_NEWS_LOCAL_ROOT"]))
    event_keys = list(store.list("events/"))
    assert len(event_keys) == 1
    rows = read_parquet(store, event_keys[0])
    assert any(
        row["category"] == "exercise" and row["event_name"] == "Angkor Sentinel" for row in rows
    )
