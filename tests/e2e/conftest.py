"""A real Airflow deployment for fault tests: its processes, its store and its database.

``deployment`` starts the api-server, scheduler, dag-processor and triggerer (and a
Celery worker for the Celery variant) as separate processes, over the seed site
and an S3 API (moto's server mode) reached through an ``Outage`` front that a test
can take down and bring back on the same port. The test then breaks something,
waits for the runs to settle and checks the store with the project's own audit.

Two executors, one fixture parameter: LocalExecutor on SQLite, and CeleryExecutor
on PostgreSQL (127.0.0.1:5432, trust auth) with a Redis broker (127.0.0.1:6379);
the Celery variant skips, with the reason, where those are absent.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

from tests.support.celery_deployment import celery_unavailable, fresh_postgres_database
from tests.support.servers import Outage, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUCKET = "defence-news-e2e"
INGEST, EVENTS = "defence_news_ingest", "defence_news_events"
# Generous for a loaded 2-core machine; a timeout is a failure with the logs printed,
# never a figure the tests assert.
SETTLE_TIMEOUT = 600.0
POLL_SECONDS = 1.0
FINISHED = frozenset({"success", "failed"})

# Short retries and quick detection of dead tasks, so that a fault costs seconds of
# waiting: the DAGs back off exponentially, and max_task_retry_delay caps that backoff.
FAST_RECOVERY = {
    "AIRFLOW__CORE__MAX_TASK_RETRY_DELAY": "3",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "15",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "15",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
    # One worker try of S3 (boto's retries) stays short while the store is down.
    "AWS_MAX_ATTEMPTS": "3",
    "AWS_RETRY_MODE": "standard",
    # Pages time out fast; the seed site answers at once, the hostile one does not.
    "DEFENCE_NEWS_FETCH_CONNECT_TIMEOUT": "3",
    "DEFENCE_NEWS_FETCH_READ_TIMEOUT": "2",
    "DEFENCE_NEWS_FETCH_TOTAL_TIMEOUT": "4",
    "DEFENCE_NEWS_FETCH_RETRIES": "1",
    "DEFENCE_NEWS_FETCH_BACKOFF_BASE": "0.2",
    # Enough connections to the loopback sites that a slow page never makes another wait.
    "DEFENCE_NEWS_FETCH_PER_HOST_CONCURRENCY": "8",
}


# -- the metadata database, read directly (the CLI takes seconds per call) ----------------


class MetadataDb:
    """Reads Airflow's run and task-instance tables: SQLite file or PostgreSQL."""

    def __init__(self, connect: Callable[[], Any], placeholder: str) -> None:
        self._connect = connect
        self._mark = placeholder

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        sql = sql.replace("?", self._mark)
        for attempt in range(10):
            try:
                connection = self._connect()
                try:
                    cursor = connection.cursor()
                    cursor.execute(sql, params)
                    names = [column[0] for column in cursor.description]
                    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
                finally:
                    connection.close()
            except Exception as error:  # "database is locked", tables not migrated yet
                if attempt == 9:
                    raise
                if "no such table" in str(error) or "does not exist" in str(error):
                    return []
                time.sleep(0.5)
        return []

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT run_id, state, run_type, data_interval_start, data_interval_end,"
            " backfill_id FROM dag_run WHERE dag_id = ? ORDER BY id",
            dag_id,
        )

    def task_instances(self, dag_id: str, run_id: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT run_id, task_id, map_index, state, try_number, pid, hostname,"
            " start_date, end_date"
            " FROM task_instance WHERE dag_id = ?"
        )
        if run_id is None:
            return self.rows(sql, dag_id)
        return self.rows(sql + " AND run_id = ?", dag_id, run_id)


# -- the deployment ------------------------------------------------------------------------


@dataclass
class Deployment:
    executor: str  # "local" or "celery"
    env: dict[str, str]
    db: MetadataDb
    logs: Path
    s3: Outage
    commands: dict[str, list[str]]
    processes: dict[str, psutil.Popen] = field(default_factory=dict)
    strays: list[psutil.Process] = field(default_factory=list)
    restarts: int = 0
    failed: bool = False  # set when the test failed: the teardown prints the logs

    # -- processes

    def airflow(self, *args: str, timeout: float = 300) -> str:
        """Run an Airflow command; its output. SQLite allows one writer at a time, so a
        command that found the database locked (and rolled back) is run again."""
        for attempt in range(5):
            result = subprocess.run(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=PROJECT_ROOT,
            )
            if (
                attempt
                and args[:2] == ("backfill", "create")
                and ("AlreadyRunningBackfill" in result.stderr)
            ):
                # The locked attempt had committed the backfill before it failed: the
                # backfill asked for exists, which is what the command is for.
                return result.stdout
            if result.returncode == 0 or "database is locked" not in result.stderr:
                break
        assert result.returncode == 0, f"airflow {' '.join(args)}:\n{result.stderr[-3000:]}"
        return result.stdout

    def start(self, name: str) -> None:
        log_name = f"{name}.log" if not self.restarts else f"{name}.{self.restarts}.log"
        log = open(self.logs / log_name, "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = psutil.Popen(
            [sys.executable, "-m", "airflow", *self.commands[name]],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            start_new_session=True,  # its own group: signals from the test reach only it
        )

    def start_all(self) -> None:
        for name in self.commands:
            self.start(name)

    def kill(self, name: str, *, tree: bool) -> list[int]:
        """SIGKILL a process (and everything under it when ``tree``); the pids killed.
        Children left behind when ``tree`` is false are killed at teardown."""
        process = self.processes.pop(name)
        below = _descendants(process)
        targets = [process, *below] if tree else [process]
        if not tree:
            self.strays += below
        for target in targets:
            _signal(target, signal.SIGKILL)
        psutil.wait_procs(targets, timeout=30)
        return [target.pid for target in targets]

    def restart(self, name: str) -> None:
        self.restarts += 1
        self.start(name)

    def stop_all(self) -> None:
        everything = [p for process in self.processes.values() for p in _tree(process)]
        for process in self.processes.values():
            _signal(process, signal.SIGTERM)
        _, alive = psutil.wait_procs(list(self.processes.values()), timeout=30)
        everything += self.strays
        for process in [*alive, *everything]:
            _signal(process, signal.SIGKILL)
        psutil.wait_procs(everything, timeout=10)
        self.processes.clear()

    def kill_task_worker(self, ti: dict[str, Any]) -> list[int]:
        """SIGKILL the worker running a task instance, with the task's own process.

        Celery: the whole worker (every process under ``celery worker``), restarted
        after. LocalExecutor: the executor's worker process that supervises the task
        (the task's parent) and the task; the scheduler goes on and forks new ones."""
        task = psutil.Process(int(ti["pid"]))
        if self.executor == "celery":
            killed = self.kill("worker", tree=True)
            assert task.pid in killed, "the task did not run under the Celery worker"
            self.restart("worker")
            return killed
        supervisor = task.parent()
        assert supervisor is not None and "LocalExecutor" in " ".join(supervisor.cmdline())
        targets = [supervisor, *_descendants(supervisor)]
        for target in targets:
            _signal(target, signal.SIGKILL)
        psutil.wait_procs(targets, timeout=30)
        return [target.pid for target in targets]

    # -- runs

    def wait_until(self, what: str, check: Callable[[], Any], timeout: float = SETTLE_TIMEOUT):
        """Poll ``check`` until it returns something truthy; that value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_alive()
            if value := check():
                return value
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"timed out waiting for {what}")

    def assert_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        assert not dead, f"Airflow processes exited: {dead}"

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.db.runs(dag_id)

    def first_run(self, dag_id: str) -> dict[str, Any]:
        return self.wait_until(f"a {dag_id} run", lambda: (self.runs(dag_id) or [None])[0])

    def settled(self, dag_id: str, count: int = 1) -> list[dict[str, Any]]:
        """Wait until ``dag_id`` has at least ``count`` runs and all of them finished."""

        def done() -> list[dict[str, Any]] | None:
            runs = self.runs(dag_id)
            ready = len(runs) >= count and all(run["state"] in FINISHED for run in runs)
            return runs if ready else None

        return self.wait_until(f"{count} finished {dag_id} run(s)", done)

    def running_ingest(self, source_id: str) -> dict[str, Any]:
        """The ingest task instance of ``source_id`` once it runs, with its process id."""

        def running() -> dict[str, Any] | None:
            return next(
                (
                    ti
                    for ti in self.db.task_instances(INGEST)
                    if ti["task_id"] == "ingest"
                    and ti["state"] == "running"
                    and ti["pid"]
                    and self.source_of(ti) == source_id
                ),
                None,
            )

        return self.wait_until(f"the ingest task of {source_id} running", running)

    def source_of(self, ti: dict[str, Any]) -> str | None:
        """The source a mapped ingest task instance covers (its rendered map index)."""
        rows = self.db.rows(
            "SELECT rendered_map_index FROM task_instance WHERE dag_id = ? AND run_id = ?"
            " AND task_id = ? AND map_index = ?",
            INGEST,
            ti["run_id"],
            ti["task_id"],
            ti["map_index"],
        )
        if rows and rows[0]["rendered_map_index"]:
            return rows[0]["rendered_map_index"]
        sources = self.env["DEFENCE_NEWS_SOURCES"].split(",")
        return sources[ti["map_index"]] if 0 <= ti["map_index"] < len(sources) else None

    # -- the store

    def store(self):  # -> S3Store
        from defence_news.store import S3Store

        return S3Store.from_params(BUCKET, endpoint_url=self.s3.endpoint)

    def audit(self, *args: str) -> tuple[int, dict[str, Any]]:
        """``python -m defence_news audit --json`` over the S3 store; exit code, report."""
        result = subprocess.run(
            [sys.executable, "-m", "defence_news", "audit", "--json", *args],
            env={**self.env, **self.store_env()},
            capture_output=True,
            text=True,
            timeout=300,
            cwd=PROJECT_ROOT,
        )
        report = json.loads(result.stdout) if result.stdout.strip() else {}
        return result.returncode, report | {"stderr": result.stderr[-2000:]}

    def store_env(self) -> dict[str, str]:
        return {
            "DEFENCE_NEWS_STORE": "s3",
            "DEFENCE_NEWS_S3_BUCKET": BUCKET,
            "DEFENCE_NEWS_S3_ENDPOINT_URL": self.s3.endpoint,
        }

    def print_logs(self) -> None:
        for log in sorted(self.logs.iterdir()):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}")
        for dag_id in (INGEST, EVENTS):
            print(f"--- {dag_id} runs: {self.runs(dag_id)}")
            print(f"--- {dag_id} task instances: {self.db.task_instances(dag_id)}")


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _tree(process: psutil.Process) -> list[psutil.Process]:
    return [process, *_descendants(process)]


def _signal(process: psutil.Process, signum: int) -> None:
    with suppress(psutil.NoSuchProcess):
        process.send_signal(signum)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def s3_front(s3_endpoint: str) -> Iterator[Outage]:
    """The S3 API behind an ``Outage`` front, with an empty bucket for this test."""
    import boto3

    target = urlsplit(s3_endpoint)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    bucket = client.create_bucket(Bucket=BUCKET)
    assert bucket["ResponseMetadata"]["HTTPStatusCode"] == 200
    with Outage((target.hostname or "127.0.0.1", target.port or 80)) as front:
        yield front
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents") or []
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture(params=["local", "celery"])
def executor(request: pytest.FixtureRequest) -> str:
    """Both executors for the faults that depend on one (a worker or the scheduler dying,
    marked ``both_executors``); LocalExecutor alone for the others, unless
    DEFENCE_NEWS_E2E_ALL_EXECUTORS=1 (each Celery run costs minutes in CI)."""
    wanted_everywhere = os.environ.get("DEFENCE_NEWS_E2E_ALL_EXECUTORS") == "1"
    if (
        request.param == "celery"
        and not wanted_everywhere
        and request.node.get_closest_marker("both_executors") is None
    ):
        pytest.skip(
            "executor-independent fault: Celery variant with DEFENCE_NEWS_E2E_ALL_EXECUTORS=1"
        )
    return request.param


@pytest.fixture
def sources() -> dict[str, str]:
    """Extra settings for the sources: the seed site alone unless a test says more."""
    return {"DEFENCE_NEWS_SOURCES": "seed"}


@pytest.fixture
def airflow_settings() -> dict[str, str]:
    """Airflow settings a test changes (by overriding this fixture)."""
    return {}


@pytest.fixture
def deployment(
    executor: str,
    tmp_path: Path,
    seed_site: str,
    s3_front: Outage,
    sources: dict[str, str],
    airflow_settings: dict[str, str],
) -> Iterator[Deployment]:
    """Airflow's processes over the seed site and the S3 API, started and migrated."""
    api_port = free_port()
    home = tmp_path / "airflow"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {"endpoint_url": s3_front.endpoint, "region_name": "us-east-1"},
            }
        ),
        "DEFENCE_NEWS_SEED_URL": seed_site,
        "DEFENCE_NEWS_STORE": "s3",
        "DEFENCE_NEWS_S3_BUCKET": BUCKET,
        **FAST_RECOVERY,
        **sources,
        **airflow_settings,
    }
    commands = {
        "api-server": ["api-server", "--port", str(api_port)],
        "scheduler": ["scheduler"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer"],
    }
    with _metadata_database(executor, home, env) as db:
        if executor == "celery":
            queue = f"e2e-{uuid.uuid4().hex[:8]}"
            env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] = queue
            commands["worker"] = ["celery", "worker", "--queues", queue, "--concurrency", "2"]
        logs = tmp_path / "logs"
        logs.mkdir()
        deployment = Deployment(executor, env, db, logs, s3_front, commands)
        deployment.airflow("db", "migrate")
        deployment.airflow("pools", "set", "defence_news_http", "4", "e2e")
        deployment.start_all()
        try:
            yield deployment
        finally:
            deployment.stop_all()
            if deployment.failed:
                deployment.print_logs()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Mark a failed test's deployment, so that its teardown prints the processes' logs."""
    report = yield
    if report.when == "call" and report.failed:
        deployment = item.funcargs.get("deployment") if hasattr(item, "funcargs") else None
        if deployment is not None:
            deployment.failed = True
    return report


def _metadata_database(executor: str, home: Path, env: dict[str, str]):
    """A context manager: the executor's metadata database, configured in ``env``."""

    @contextmanager
    def sqlite() -> Iterator[MetadataDb]:
        home.mkdir(parents=True, exist_ok=True)
        path = home / "airflow.db"
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{path}"
        env["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
        env["AIRFLOW__CORE__PARALLELISM"] = "4"
        uri = f"file:{path}?mode=ro"  # read only: the test never writes Airflow's tables
        yield MetadataDb(lambda: sqlite3.connect(uri, uri=True, timeout=10), "?")

    @contextmanager
    def postgres() -> Iterator[MetadataDb]:
        if reason := celery_unavailable():
            pytest.skip(reason)
        with fresh_postgres_database("defence_news_faults") as database:
            env.update(database.celery_settings())
            yield MetadataDb(database.connect, "%s")

    return sqlite() if executor == "local" else postgres()


def aware(value: Any) -> datetime:
    """A timestamp column as an aware datetime (SQLite returns text, Postgres datetimes)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
