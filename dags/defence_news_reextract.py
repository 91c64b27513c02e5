"""Reprocessing: the stored articles of past days extracted again, on demand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import (
    Param,
    dag,
    get_current_context,
    task,
)

from defence_news.adapters.assets import EVENTS
from defence_news.adapters.callbacks import run_deadline, task_defaults

DOC_MD = """
### defence_news_reextract

Manual only. Extracts the stored articles of each day from `start` to `end`
again with the extractor installed now (one mapped task per day), replacing
each interval's `events/`, `events_fused/dt=` and events manifest (same keys:
a rerun is idempotent). Events carry the extractor's version; each task logs
per interval the events before and after and the versions that wrote them.

When not a dry run, the `events` asset event lists the `changed_intervals`
(so `defence_news_fuse` refreshes the snapshot). With `dry_run` the
extraction runs on a throwaway copy: the log and XCom say what would change,
nothing is written and no asset event is sent.
"""


@dag(
    dag_id="defence_news_reextract",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    tags=["defence-news", "events"],
    default_args=task_defaults(execution_timeout=timedelta(minutes=60)),
    deadline=run_deadline(minutes=180),
    params={
        "start": Param(None, type=["null", "string"], format="date", description="First day"),
        "end": Param(None, type=["null", "string"], format="date", description="Last day"),
        "dry_run": Param(True, type="boolean", description="Report only; write nothing"),
    },
)
def defence_news_reextract() -> None:
    @task
    def plan_days() -> list[str]:
        """The days of the range (Params start, end)."""
        from defence_news.adapters.airflow import reextract_days_from_params

        return reextract_days_from_params(get_current_context())

    @task(map_index_template="{{ day }}", doc_md="Extract one day's intervals again.")
    def reextract(day: str) -> list[dict[str, Any]]:
        from defence_news.adapters.airflow import run_reextract_day

        return run_reextract_day(day, get_current_context())

    @task
    def summarise(per_day: list[list[dict[str, Any]]]) -> dict[str, Any]:
        """Which intervals changed, over the whole range."""
        from defence_news.adapters.airflow import summarise_reextract

        return summarise_reextract(list(per_day))

    @task(outlets=[EVENTS])
    def announce(summary: dict[str, Any]) -> None:
        """Announce the events asset with the changed intervals (not on a dry run)."""
        from airflow.sdk.exceptions import AirflowSkipException

        if summary["dry_run"] or not summary["changed_intervals"]:
            raise AirflowSkipException("dry run or nothing changed: no events asset event")
        get_current_context()["outlet_events"][EVENTS].extra = summary

    announce(summarise(reextract.expand(day=plan_days())))


defence_news_reextract()
