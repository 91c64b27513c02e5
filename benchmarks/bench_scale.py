"""Scale benchmark: what the pipeline costs at thousands of articles, Airflow beside the CLI.

A synthetic site (``scale_site.py``: ARTICLES generated pages over 20 hosts on
loopback, a known share reporting cooperation events) is ingested, extracted and fused

- by the **CLI**, one process: each source's ``ingest_source`` in turn, then
  ``extract_interval``, ``fuse_window`` and ``reextract_day``, at 1,000 and at ARTICLES
  articles (how fusion and reprocessing grow);
- by **Airflow**, real processes: api-server, scheduler, dag-processor, once per
  executor, each with its own metadata database and store: LocalExecutor on SQLite, and
  CeleryExecutor (with a ``celery worker`` of concurrency 4 on a queue of its own) on a
  fresh PostgreSQL database with a Redis broker, where those are reachable on
  127.0.0.1:5432 and :6379 (else one line says why it is skipped); parallelism 4, 4
  pool slots. ``defence_news_ingest`` runs for the interval, then ``defence_news_events``
  on the articles asset and ``defence_news_fuse`` on the events asset, as in production.

Politeness delays are excluded on loopback by settings (per-host rate 1,000/s), and
said so in the output: otherwise both runs would measure the rate limit, not the work.
Printed side by side: articles per minute, the Airflow/CLI time ratio, peak RSS per
task (logged by each task, read from the task logs), XCom bytes per task (from the
metadata database), objects per layer per 1,000 articles, the audit's verdict, fusion
of 30 days of ARTICLES articles a day, and each DAG file's parse time; one Airflow
column per executor.

    python benchmarks/bench_scale.py [--articles 5000] [--small 1000]
        [--executors local celery] [--skip-airflow] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "benchmarks"), str(PROJECT)]

from tests.support.celery_deployment import (  # noqa: E402 - after the path above
    celery_unavailable,
    fresh_postgres_database,
)

HOSTS = 20
SHARE = 0.4  # of the pages report a cooperation event
# The pages are published in the last complete hour: the hour the scheduler's first run
# of the ingest DAG covers once it is unpaused (catchup is off), as in production. The
# CLI's interval; each Airflow run gets the site anew for the last complete hour then.
INTERVAL_START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
FAST_FETCH = {  # loopback: no politeness delays (the figures are the pipeline's work)
    "DEFENCE_NEWS_FETCH_PER_HOST_RATE": "1000",
    "DEFENCE_NEWS_FETCH_PER_HOST_CONCURRENCY": "4",
    "DEFENCE_NEWS_FETCH_MAX_WORKERS": "8",
}
AIRFLOW_TIMEOUT = 3600.0
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
CELERY_CONCURRENCY = 4


# -- the CLI, in one child process per size ------------------------------------------------


def cli_stages(store_root: str, start: str) -> dict[str, float]:
    """Every stage over the configured registry, in this process: seconds and counts."""
    import resource

    from defence_news.history import fuse_window, reextract_day
    from defence_news.interval import Interval
    from defence_news.pipeline import extract_interval, ingest_source, select_sources
    from defence_news.settings import SourceSelection
    from defence_news.store import LocalStore, keys

    store = LocalStore(store_root)
    interval = Interval(
        datetime.fromisoformat(start), datetime.fromisoformat(start) + timedelta(hours=1)
    )
    sources = select_sources(SourceSelection(names=("registry",)))
    figures: dict[str, float] = {}
    started = time.perf_counter()
    articles = sum(ingest_source(s, interval, store).article_count for s in sources)
    figures["ingest_s"] = time.perf_counter() - started
    started = time.perf_counter()
    report = extract_interval(keys.article_keys_for(store, interval), interval, store)
    figures["extract_s"] = time.perf_counter() - started
    started = time.perf_counter()
    fused = fuse_window(store, interval.start.date())
    figures["fuse_s"] = time.perf_counter() - started
    started = time.perf_counter()
    reextract_day(store, interval.start.date())
    figures["reextract_s"] = time.perf_counter() - started
    figures.update(
        articles=articles,
        events=report.event_count,
        fused=fused.fused,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    return figures


def fuse_thirty_days(store_root: str, start: str, days: int = 30) -> dict[str, float]:
    """The events of one interval copied into ``days`` daily intervals (new ids, dates
    moved by a day each), then one fuse over them all, on one core."""
    import dataclasses
    import resource

    from defence_news.extract.schema import EVENT_ARROW_SCHEMA
    from defence_news.history import fuse_window
    from defence_news.interval import Interval
    from defence_news.models import Event
    from defence_news.store import LocalStore, keys
    from defence_news.store.records import read_parquet, write_parquet

    source = LocalStore(store_root)
    interval = Interval(
        datetime.fromisoformat(start), datetime.fromisoformat(start) + timedelta(hours=1)
    )
    events = [Event.from_dict(r) for r in read_parquet(source, keys.events_key(interval))]
    target = LocalStore(Path(store_root).parent / "thirty-days")
    last = interval
    for day in range(days):
        moved = Interval(interval.start + timedelta(days=day), interval.end + timedelta(days=day))
        rows = [_shifted(e, day, dataclasses).to_dict() for e in events]
        write_parquet(target, keys.events_key(moved), rows, EVENT_ARROW_SCHEMA)
        last = moved
    started = time.perf_counter()
    report = fuse_window(target, last.start.date(), days)
    return {
        "fuse30_s": time.perf_counter() - started,
        "fuse30_events": report.events,
        "fuse30_fused": report.fused,
        "fuse30_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _shifted(event, day: int, dataclasses):  # -> Event
    def move(value: str | None) -> str | None:
        if not value:
            return value
        return (datetime.fromisoformat(value[:10]) + timedelta(days=day)).date().isoformat()

    when = dataclasses.replace(event.when, start=move(event.when.start), end=move(event.when.end))
    published = event.article.published_at
    if published:
        published = (datetime.fromisoformat(published) + timedelta(days=day)).isoformat()
    return dataclasses.replace(
        event,
        event_id=f"{event.event_id}-{day}",
        when=when,
        article=dataclasses.replace(
            event.article, article_id=f"{event.article.article_id}-{day}", published_at=published
        ),
    )


def _child(function: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    """Run one of the functions above in a fresh process (its own peak RSS)."""
    # The child leaves by os._exit once its figures are printed: pyarrow's thread pool can
    # abort the interpreter's teardown ("terminate called without an active exception",
    # apache/arrow#34314, open), which would throw away a finished measurement.
    code = (
        "import faulthandler, json, os, sys; faulthandler.enable(); "
        "sys.path.insert(0, 'benchmarks'); import bench_scale as b; "
        f"print('RESULT', json.dumps(b.{function}(*sys.argv[1:])), flush=True); "
        "sys.stderr.flush(); os._exit(0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=AIRFLOW_TIMEOUT,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(
            f"{function} failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n"
            f"{done.stderr[-3000:]}"
        )
    return json.loads(line.removeprefix("RESULT "))


# -- Airflow, real processes ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def airflow_run(env: dict[str, str], home: Path, executor: str, hour: datetime) -> dict[str, Any]:
    """The ingest of the hour from ``hour`` (the last complete one, as the scheduler
    starts it), then events and fuse on their assets, in real Airflow processes with
    ``executor`` ("local" or "celery"); figures and timings."""
    port = _free_port()
    home.mkdir(parents=True)
    env = {
        **env,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(16).hex(),
        # The log server of the scheduler (LocalExecutor) or the worker (Celery) on a port
        # of its own: another deployment on this machine may hold the default 8793.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    }
    commands = {
        "api-server": ["api-server", "--port", str(port), "--host", "127.0.0.1"],
        "scheduler": ["scheduler"],
        "dag-processor": ["dag-processor"],
    }
    logs = home / "process-logs"
    logs.mkdir()
    with _metadata_database(executor, home) as (settings, xcom_bytes):
        env.update(settings)
        if executor == "celery":
            # A queue of its own: other deployments may share the Redis broker.
            queue = f"bench-scale-{uuid.uuid4().hex[:8]}"
            env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] = queue
            commands["worker"] = [
                *("celery", "worker", "--queues", queue),
                *("--concurrency", str(CELERY_CONCURRENCY)),
            ]
        airflow = [sys.executable, "-m", "airflow"]
        subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True)
        subprocess.run(
            [*airflow, "pools", "set", "defence_news_http", "4", "bench"],
            env=env,
            check=True,
            capture_output=True,
        )
        # The api-server first: a task that starts before the execution API answers fails.
        processes = []
        try:
            for name, args in commands.items():
                processes.append(
                    subprocess.Popen(
                        [*airflow, *args],
                        env=env,
                        cwd=PROJECT,
                        stdout=open(logs / f"{name}.log", "wb"),  # noqa: SIM115 - lives with it
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # its own group: stopped with its children
                    )
                )
                if name == "api-server":
                    _wait_for_health(port)
            # Unpaused at creation: the scheduler starts the ingest run of the last complete
            # hour; the events and fuse runs follow on their assets.
            runs = {
                "defence_news_ingest": _wait_for_success(env, "defence_news_ingest", "scheduled__"),
                "defence_news_events": _wait_for_success(
                    env, "defence_news_events", "asset_triggered__"
                ),
                "defence_news_fuse": _wait_for_success(
                    env, "defence_news_fuse", "asset_triggered__"
                ),
            }
        except BaseException:
            _print_log_tails(logs)
            raise
        finally:
            _stop(processes)
        covered = _moment(runs["defence_news_ingest"]["logical_date"])
        if covered != hour:
            raise SystemExit(
                f"{EXECUTORS[executor]}: the ingest run covered the hour from {covered}, not "
                f"the site's {hour} (the hour turned as Airflow started): run it again"
            )
        began = _moment(runs["defence_news_ingest"]["start_date"])
        timings = {
            dag_id: (_moment(run["end_date"]) - began).total_seconds()
            for dag_id, run in runs.items()
        }
        return {
            "timings": timings,
            "peak_rss": _peak_rss_from_logs(home / "logs"),
            "xcom": xcom_bytes(),
        }


@contextmanager
def _metadata_database(
    executor: str, home: Path
) -> Iterator[tuple[dict[str, str], Callable[[], dict[str, int]]]]:
    """The executor's settings over a metadata database of its own (SQLite in ``home``,
    or a PostgreSQL database created for the run and dropped after), and a function that
    reads the XCom sizes from it."""
    if executor == "local":
        path = home / "airflow.db"
        settings = {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{path}",
        }
        yield settings, lambda: _xcom_bytes(lambda: sqlite3.connect(path), "LENGTH(value)")
        return
    with fresh_postgres_database("defence_news_bench_scale") as database:
        # JSONB in Postgres: its text, which writes JSON with the separators SQLite keeps.
        size = "OCTET_LENGTH(value::text)"
        yield database.celery_settings(), lambda: _xcom_bytes(database.connect, size)


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process, then SIGKILL its group (what it started) once it is gone or
    after 30 s: no task process or Celery pool child outlives the run."""
    for process in processes:
        process.terminate()
    for process in processes:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _print_log_tails(logs: Path, lines: int = 40) -> None:
    for log in sorted(logs.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)


def _runs(env: dict[str, str], dag_id: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "list-runs", dag_id, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("[") and line.rstrip().endswith("]"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return []


def _wait_for_health(port: int) -> None:
    import urllib.request

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5
            ):
                return
        except OSError:
            time.sleep(2)
    raise SystemExit("the api-server did not answer within 300 s")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _wait_for_success(env: dict[str, str], dag_id: str, run_kind: str) -> dict:
    """The first successful run of that kind (its record, with start and end dates)."""
    deadline = time.monotonic() + AIRFLOW_TIMEOUT
    while time.monotonic() < deadline:
        runs = [run for run in _runs(env, dag_id) if run["run_id"].startswith(run_kind)]
        if any(run["state"] == "failed" for run in runs):
            raise SystemExit(f"{dag_id} failed: {runs}")
        done = [run for run in runs if run["state"] == "success"]
        if done:
            return min(done, key=lambda run: run["start_date"])
        time.sleep(2)
    raise SystemExit(f"{dag_id}: no successful {run_kind} run within {AIRFLOW_TIMEOUT:.0f} s")


PEAK = re.compile(r"task (\S+): peak RSS (\d+) MB")


def _peak_rss_from_logs(folder: Path) -> dict[str, int]:
    """The peak RSS each task logged (``log_peak_memory``), the largest per task name."""
    peaks: dict[str, int] = {}
    for path in folder.rglob("*.log"):
        for match in PEAK.finditer(path.read_text(errors="replace")):
            name = re.sub(r"\[.*\]", "[*]", match[1])
            peaks[name] = max(peaks.get(name, 0), int(match[2]))
    return peaks


def _xcom_bytes(connect: Callable[[], Any], size: str) -> dict[str, int]:
    """The largest XCom value per task, in bytes, from the metadata database (``size``:
    the SQL expression of a value's length in that database)."""
    connection = connect()
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT dag_id, task_id, MAX({size}) FROM xcom GROUP BY dag_id, task_id")
        rows = cursor.fetchall()
    finally:
        connection.close()
    return {f"{dag}.{task}": int(size or 0) for dag, task, size in rows}


# -- figures -----------------------------------------------------------------------------------


def planted_found(store_root: Path, pages: list, start: str) -> tuple[int, int]:
    """How many pages with a planted event got an event of its category, of how many."""
    from urllib.parse import urlsplit

    from defence_news.interval import Interval
    from defence_news.store import LocalStore, keys
    from defence_news.store.records import read_parquet

    moment = datetime.fromisoformat(start)
    interval = Interval(moment, moment + timedelta(hours=1))
    rows = read_parquet(LocalStore(store_root), keys.events_key(interval), ("category", "article"))
    found = {(urlsplit(r["article"]["url"]).path, r["category"]) for r in rows}
    names = {"transfer": "arms_transfer"}
    planted = [p for p in pages if p.cooperation]
    hits = sum((p.path, names.get(p.cooperation, p.cooperation)) in found for p in planted)
    return hits, len(planted)


def objects_per_layer(store_root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in store_root.rglob("*"):
        if path.is_file():
            key = path.relative_to(store_root).as_posix()
            layer = key.split("/")[0]
            if layer == "events_fused" and "snapshot=" in key:
                layer = "events_fused(snapshot)"
            counts[layer] = counts.get(layer, 0) + 1
    return counts


def audit_verdict(store_root: Path) -> str:
    from defence_news.audit import audit_store
    from defence_news.store import LocalStore

    report = audit_store(LocalStore(store_root), now=datetime.now(UTC) + timedelta(days=1))
    return f"{'clean' if report.ok else 'FAILED'} ({len(report.errors)} errors)"


def dag_parse_times() -> dict[str, float]:
    """Each DAG file's own parse time (CPU ms, so that a loaded machine does not inflate
    it): after what every TaskFlow DAG imports (airflow.sdk and its task decorators), as
    the dag-processor, which has them loaded, parses it; median of 3 fresh processes."""
    times: dict[str, float] = {}
    probe = (
        "import sys, time, runpy; import airflow.sdk; "
        "import airflow.providers.standard.decorators.python; t = time.process_time(); "
        "runpy.run_path(sys.argv[1]); print((time.process_time() - t) * 1000)"
    )
    for path in sorted((PROJECT / "dags").glob("*.py")):
        runs = sorted(
            float(
                subprocess.run(
                    [sys.executable, "-c", probe, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=PROJECT,
                ).stdout.split()[-1]
            )
            for _ in range(3)
        )
        times[path.name] = runs[1]
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument(
        "--executors",
        nargs="+",
        choices=EXECUTORS,
        help="the Airflow runs (default: local and celery, celery where PostgreSQL, "
        "Redis and its modules are present)",
    )
    parser.add_argument("--skip-airflow", action="store_true", help="the CLI alone")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the work folder (Airflow homes with their task and process logs, stores)",
    )
    args = parser.parse_args()
    from scale_site import ServedSite, build_site

    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    executors = [] if args.skip_airflow else list(dict.fromkeys(args.executors or EXECUTORS))
    skipped = ""
    if "celery" in executors:
        # Imports checked in a child with a home of its own: Airflow makes folders there.
        reason = celery_unavailable({**os.environ, "AIRFLOW_HOME": str(work / "probe-home")})
        if reason and args.executors:
            shutil.rmtree(work, ignore_errors=True)
            raise SystemExit(f"CeleryExecutor run not possible: {reason}")
        if reason:
            executors.remove("celery")
            skipped = f"CeleryExecutor run skipped: {reason}"
            print(skipped, flush=True)
    start = INTERVAL_START.isoformat()
    results: dict[int, dict[str, float]] = {}
    airflow: dict[str, dict[str, Any]] = {}
    try:
        for size in sorted({args.small, args.articles}):
            pages = build_site(size, HOSTS, INTERVAL_START, SHARE)
            with ServedSite(pages, HOSTS) as site:
                env = _site_env(work / f"registry-{size}.yaml", site.origins)
                cli_store = work / f"cli-{size}" / "store"
                print(f"CLI, {size} articles ...", flush=True)
                results[size] = _child("cli_stages", str(cli_store), start, env=env)
                hits, planted = planted_found(cli_store, pages, start)
                results[size]["planted_found"], results[size]["coop_pages"] = hits, planted
                results[size]["objects"] = objects_per_layer(cli_store)
                results[size]["audit"] = audit_verdict(cli_store)
                if size == args.articles:
                    print("fusion over 30 days ...", flush=True)
                    results[size].update(_child("fuse_thirty_days", str(cli_store), start, env=env))
        for executor in executors:
            print(f"Airflow ({EXECUTORS[executor]}), {args.articles} articles ...", flush=True)
            airflow[executor] = _airflow_on_its_site(work, executor, args.articles)
        _print(args, results, airflow, dag_parse_times(), skipped)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _site_env(registry: Path, origins: list[str]) -> dict[str, str]:
    """The environment of a run over the served site: its registry, the local store."""
    from scale_site import registry_yaml

    registry.write_text(registry_yaml(origins))
    return {
        **os.environ,
        **FAST_FETCH,
        "DEFENCE_NEWS_REGISTRY": str(registry),
        "DEFENCE_NEWS_SOURCES": "registry",
        "DEFENCE_NEWS_STORE": "local",
    }


def _airflow_on_its_site(work: Path, executor: str, size: int) -> dict[str, Any]:
    """One Airflow run over the site built anew (the same pages) for the hour its first
    scheduled ingest run covers: the last complete one, which may be later than the CLI's
    after a long run. Its own store, home and metadata database."""
    from scale_site import ServedSite, build_site

    hour = _coming_run_hour()
    with ServedSite(build_site(size, HOSTS, hour, SHARE), HOSTS) as site:
        env = _site_env(work / f"registry-{executor}.yaml", site.origins)
        store = work / f"airflow-{executor}-store"
        env["DEFENCE_NEWS_LOCAL_ROOT"] = str(store)
        figures = airflow_run(env, work / f"airflow-{executor}", executor, hour)
    figures["objects"] = objects_per_layer(store)
    figures["audit"] = audit_verdict(store)
    return figures


def _coming_run_hour(margin: timedelta = timedelta(minutes=4)) -> datetime:
    """The last complete hour, which the ingest run of a scheduler started now covers
    (catchup is off); close to the next hour, the next one, after waiting for it: the
    scheduler first runs a minute or so after the site is built."""
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    if now + margin >= hour + timedelta(hours=1):
        wait = (hour + timedelta(hours=1, seconds=5) - now).total_seconds()
        print(f"  waiting {wait:.0f} s for the hour to turn", flush=True)
        time.sleep(wait)
        hour += timedelta(hours=1)
    return hour - timedelta(hours=1)


def _print(args, results, airflow, parse_times, skipped: str = "") -> None:
    big, small = results[args.articles], results[args.small]
    cli_total = big["ingest_s"] + big["extract_s"] + big["fuse_s"]
    columns = list(airflow)  # the executors run, in order
    print(
        f"\nscale benchmark: {HOSTS} hosts on loopback, {SHARE:.0%} of pages with a "
        "cooperation event; politeness delays excluded by settings (per-host rate 1000/s)"
    )
    if airflow:
        print(
            "Airflow: api-server, scheduler, dag-processor, parallelism 4, 4 pool slots; "
            + "; ".join(
                "LocalExecutor on SQLite"
                if executor == "local"
                else f"CeleryExecutor on PostgreSQL and Redis, one worker of concurrency "
                f"{CELERY_CONCURRENCY}"
                for executor in columns
            )
        )
    if skipped:
        print(skipped)

    def row(label: str, cli: str, values: list[str], note: str = "") -> None:
        print(f"{label:34}{cli:>20}" + "".join(f"{v:>26}" for v in values) + note)

    row("", "CLI, one process", [f"Airflow ({EXECUTORS[e]})" for e in columns])
    row("articles", f"{big['articles']:.0f}", [""] * len(columns))
    if airflow:
        timings = [airflow[e]["timings"] for e in columns]
        totals = [t["defence_news_fuse"] for t in timings]
        row(
            "ingest (s)",
            f"{big['ingest_s']:.1f}",
            [f"{t['defence_news_ingest']:.1f}" for t in timings],
        )
        row(
            "+ events (s)",
            f"{big['extract_s']:.1f}",
            [f"{t['defence_news_events'] - t['defence_news_ingest']:.1f}" for t in timings],
        )
        row(
            "+ fuse (s)",
            f"{big['fuse_s']:.1f}",
            [f"{t['defence_news_fuse'] - t['defence_news_events']:.1f}" for t in timings],
        )
        row(
            "articles per minute",
            f"{big['articles'] / cli_total * 60:.0f}",
            [f"{big['articles'] / total * 60:.0f}" for total in totals],
        )
        row(
            "Airflow time / CLI time",
            "",
            [f"{total / cli_total:.2f}" for total in totals],
            "  (target <= 1.5)",
        )
    else:
        print(
            f"{'articles per minute':34}{big['articles'] / cli_total * 60:>20.0f}",
            "  (Airflow skipped)",
        )
    print(
        f"{'events':34}{big['events']:>20.0f}   planted events found: "
        f"{big['planted_found']:.0f} of {big['coop_pages']:.0f} pages"
    )
    print(f"{'peak RSS (MB)':34}{big['peak_rss_mb']:>20.0f}   per process (target <= 500 per task)")
    if airflow:
        for task in sorted({task for e in columns for task in airflow[e]["peak_rss"]}):
            row(
                "  task " + task,
                "",
                [str(airflow[e]["peak_rss"].get(task, "-")) for e in columns],
            )
        print("XCom bytes per task (target <= 4096):")
        for task in sorted({task for e in columns for task in airflow[e]["xcom"]}):
            print(
                f"{'  ' + task:54}"
                + "".join(f"{airflow[e]['xcom'].get(task, '-'):>26}" for e in columns)
            )
    per_k = big["articles"] / 1000
    print("objects per 1,000 articles, one interval (target: curated <= 5):")
    layers = set(big["objects"]).union(*(airflow[e]["objects"] for e in columns))
    for layer in sorted(layers):
        row(
            "  " + layer,
            f"{big['objects'].get(layer, 0) / per_k:.1f}",
            [f"{airflow[e]['objects'].get(layer, 0) / per_k:.1f}" for e in columns],
        )
    row("audit", big["audit"], [airflow[e]["audit"] for e in columns])
    print(f"\ngrowth, CLI: {'':14}{args.small:>10} art.{args.articles:>10} art.")
    for name in ("ingest_s", "extract_s", "fuse_s", "reextract_s"):
        print(f"  {name:28}{small[name]:>14.2f}{big[name]:>14.2f}")
    print(
        f"\nfusion of 30 days x {args.articles} articles ({big['fuse30_events']:.0f} events -> "
        f"{big['fuse30_fused']:.0f} fused): {big['fuse30_s']:.1f} s on one core, "
        f"{big['fuse30_rss_mb']:.0f} MB (target < 60 s)"
    )
    print("\nDAG file parse time (CPU ms, after airflow.sdk and @task are loaded; target < 100):")
    for name, ms in parse_times.items():
        print(f"  {name:32}{ms:>8.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
