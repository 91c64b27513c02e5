"""``python -m defence_news run``: both DAGs once, in-process, then a summary.

This is what ``make run`` and ``make demo`` call. It runs the real DAGs with
Airflow's ``dag.test()`` (the project-local Airflow home and its SQLite
database), over one data interval that it passes to both as Params, then reads
back what was written and prints it. Airflow's own task logs go to a file so
that the terminal shows what a user asked for: sources, articles, events.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from defence_news.interval import Interval

DAGS = ("defence_news_ingest", "defence_news_events")
SEED_PORT = 8765


def add_run_command(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run both DAGs once and print a summary")
    parser.add_argument(
        "--seed-site",
        action="store_true",
        help="serve the offline seed site on 127.0.0.1 and use it as the only source",
    )
    parser.add_argument(
        "--seed-port",
        type=int,
        default=SEED_PORT,
        help="port for the seed site; a stable port keeps its URLs stable between runs",
    )
    parser.add_argument("--limit", type=int, default=None, help="cap on articles per source")
    parser.add_argument(
        "--from",
        dest="start",
        type=_moment,
        default=None,
        metavar="ISO",
        help="backfill: run every hourly interval from this time (ISO 8601, UTC) ...",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=_moment,
        default=None,
        metavar="ISO",
        help="... up to this one (default: now); each interval as the scheduler would",
    )
    parser.add_argument(
        "--log-file",
        type=Path,
        default=None,
        help="where Airflow's task logs go (default: $AIRFLOW_HOME/run.log)",
    )
    parser.set_defaults(handler=run_command)


MAX_BACKFILL_HOURS = 24 * 31  # a longer range belongs to `airflow backfill create`


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not ISO 8601, e.g. 2026-11-29T04:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_command(args: argparse.Namespace) -> int:
    log_file = args.log_file or Path(os.environ.get("AIRFLOW_HOME", ".airflow")) / "run.log"
    intervals = _intervals(args)
    if isinstance(intervals, str):
        print(f"defence_news run: error: {intervals}", file=sys.stderr)
        return 2
    with _seed_site_if(args.seed_site, args.seed_port):
        if len(intervals) == 1:
            states = run_dags(intervals[0], log_file, limit=args.limit)
            print(render_summary(intervals[0], states, log_file))
            return 0 if all(state == "success" for state in states.values()) else 1
        return _backfill(intervals, log_file, args.limit)


def _intervals(args: argparse.Namespace) -> list[Interval] | str:
    """The one interval of a plain run, or a backfill's hours (or what is wrong)."""
    now = datetime.now(UTC)
    if args.start is None:
        return "--to needs --from" if args.end else [Interval.hour_ending(now)]
    end = args.end or now
    if end <= args.start:
        return "--to must be later than --from"
    hours = Interval.hours_between(args.start, end)
    if len(hours) > MAX_BACKFILL_HOURS:
        return f"{len(hours)} hours: more than {MAX_BACKFILL_HOURS}; use airflow backfill create"
    return hours


def _backfill(intervals: list[Interval], log_file: Path, limit: int | None) -> int:
    """Each interval in order, oldest first, as a backfill runs them; one line each."""
    from defence_news.progress import Progress

    failed = []
    with Progress("backfill intervals", len(intervals), every=1, lines_to_stream=True) as bar:
        for interval in intervals:
            states = run_dags(interval, log_file, limit=limit)
            if any(state != "success" for state in states.values()):
                failed.append(interval.slug)
            print(f"{interval.slug}: " + ", ".join(f"{d} {s}" for d, s in states.items()))
            bar.advance()
    print(f"{len(intervals)} intervals, {len(failed)} with a failed run; logs: {log_file}")
    return 1 if failed else 0


@contextlib.contextmanager
def _seed_site_if(wanted: bool, port: int) -> Iterator[None]:
    if not wanted:
        yield
        return
    from defence_news.seedsite import serve_seed_site

    try:
        site = serve_seed_site(port=port)
    except OSError as error:
        print(f"seed site: port {port} unavailable ({error.strerror}); using a free port")
        site = serve_seed_site(port=0)
    with site:
        os.environ["DEFENCE_NEWS_SOURCES"] = "seed"
        os.environ["DEFENCE_NEWS_SEED_URL"] = site.base_url
        print(f"seed site: serving {site.base_url}")
        yield


def run_dags(interval: Interval, log_file: Path, *, limit: int | None = None) -> dict[str, str]:
    """Run each DAG once over ``interval``; the final state of each run."""
    from airflow.dag_processing.dagbag import DagBag

    conf: dict[str, Any] = {
        "interval_start": interval.start.isoformat(),
        "interval_end": interval.end.isoformat(),
    }
    states: dict[str, str] = {}
    with _logs_to(log_file):
        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        if bag.import_errors:
            raise SystemExit(f"DAG import errors: {bag.import_errors}")
        for dag_id in DAGS:
            run_conf = {**conf, "limit": limit} if dag_id == DAGS[0] and limit else conf
            states[dag_id] = run_dag_in_process(bag.dags[dag_id], run_conf)
    return states


def run_dag_in_process(
    dag: Any, run_conf: dict[str, Any] | None = None, logical_date: datetime | None = None
) -> str:
    """Run ``dag`` once in-process with ``dag.test()``; the run's final state.

    Airflow 3.3's ``dag.test()`` fails at the end of a successful run of a DAG
    with a deadline alert: it looks the SDK alert objects up as database ids.
    Deadlines only matter to the scheduler, so the in-process run goes without. Nor
    does it retry: a source that is down fails at once instead of after minutes of
    retry delays (the scheduler's runs keep their retries). ``logical_date``: a run
    of that date, its data interval as the timetable gives it (as a backfill's runs).
    """
    dag.deadline = None
    for task in dag.tasks:
        task.retries = 0
    # Not passed at all unless given: dag.test() reads an explicit None as "a run with no
    # logical date" and clears the task instances of every such run.
    dated = {"logical_date": logical_date} if logical_date is not None else {}
    dag_run = dag.test(run_conf=run_conf, **dated)
    return str(getattr(dag_run.state, "value", dag_run.state))


def failed_sources(store: Any, interval: Interval) -> list[str]:
    """Sources whose ingest failed as a whole this interval, by their manifests."""
    from defence_news.pipeline import INGEST_DAG_ID
    from defence_news.store import keys
    from defence_news.store.records import read_json

    manifests = (
        read_json(store, key) for key in keys.manifest_keys_for(store, INGEST_DAG_ID, interval)
    )
    return sorted(manifest["source_id"] for manifest in manifests if manifest.get("failure"))


@contextlib.contextmanager
def _logs_to(log_file: Path) -> Iterator[None]:
    """Send Airflow's (and the tasks') logging and stray prints to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers, root.level = [handler], logging.INFO
    with open(log_file, "a", encoding="utf-8") as stream:
        try:
            with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
                yield
        finally:
            root.handlers, root.level = saved
            handler.close()


def render_summary(interval: Interval, states: dict[str, str], log_file: Path) -> str:
    """What the run wrote, read back from the store: sources, articles, events."""
    from defence_news.adapters.airflow import open_store
    from defence_news.reports import summarise_interval

    store = open_store()
    lines = [f"interval {interval.slug}"]
    lines += [f"  {dag_id}: {state}" for dag_id, state in states.items()]
    lines.append(summarise_interval(store, interval))
    failed = failed_sources(store, interval)
    if failed:
        lines.append(f"source tasks failed: {', '.join(failed)} (the problems are listed above)")
    lines.append(f"Airflow task logs: {log_file}")
    return "\n".join(lines)
