"""Fusion over time: one row per happening across days and outlets, every day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import (
    AssetOrTimeSchedule,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)

from defence_news.adapters.assets import EVENTS, FUSED
from defence_news.adapters.callbacks import run_deadline, task_defaults

DOC_MD = """
### defence_news_fuse

Every day at 00:15 UTC, and whenever `defence_news_events` writes events (the
`events` asset), fuses the events of a rolling window (`window_days`, 30 by
default) into the day's snapshot: each happening once, with every article,
outlet and evidence sentence, its first and last report, its status history and
a `fused_id` kept from the previous snapshot. Syndicated copies across
intervals are linked (`duplicate_of` on their evidence).

Writes `events_fused/snapshot=<day>/fused.parquet` and
`manifests/defence_news_fuse/snapshot=<day>.json`; idempotent per day (a rerun
rewrites the same snapshot from the same store).

**Manual runs**: Params `day` (ISO date; default the run's day) and `window_days`.
"""


@dag(
    dag_id="defence_news_fuse",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("15 0 * * *", timezone="UTC"), assets=[EVENTS]
    ),
    # Early, so that a backfill can reach a source's archives (Airflow creates no task
    # for a run dated before its start); catchup=False keeps the scheduler to now.
    start_date=datetime(2020, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    tags=["defence-news", "events"],
    default_args=task_defaults(),
    deadline=run_deadline(minutes=45),
    params={
        "day": Param(None, type=["null", "string"], format="date", description="Snapshot day"),
        "window_days": Param(30, type="integer", minimum=1, maximum=366),
    },
)
def defence_news_fuse() -> None:
    @task(outlets=[FUSED])
    def fuse() -> dict[str, Any]:
        """Write the day's fused snapshot over the rolling window."""
        from defence_news.adapters.airflow import run_fuse

        context = get_current_context()
        report = run_fuse(context)
        context["outlet_events"][FUSED].extra = report
        return report

    fuse()


defence_news_fuse()
