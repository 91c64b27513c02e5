"""Cooperation events: extract, fuse and store events from newly written articles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import (
    Param,
    dag,
    get_current_context,
    task,
)

from defence_news.adapters.assets import ARTICLES, EVENTS
from defence_news.adapters.callbacks import run_deadline, task_defaults

DOC_MD = """
### defence_news_events

Runs whenever `defence_news_ingest` publishes new articles (the `articles`
asset). Reads the articles of each triggering interval, links near-duplicates,
extracts cooperation events (agreements, visits, exercises, training, arms
transfers, dialogue, suspensions) with their status, actors, people, dates and
the evidence sentence, fuses events reported by several articles, and writes:

`events/dt=<date>/<interval>.parquet`, `events_fused/dt=<date>/<interval>.parquet`,
`manifests/defence_news_events/dt=<date>/<interval>.json`.

**Manual runs**: without a triggering asset event the run takes the latest
articles asset event, or the interval given in Params.
"""


@dag(
    dag_id="defence_news_events",
    schedule=[ARTICLES],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    tags=["defence-news", "events"],
    default_args=task_defaults(),
    deadline=run_deadline(minutes=30),
    params={
        "interval_start": Param(None, type=["null", "string"], format="date-time"),
        "interval_end": Param(None, type=["null", "string"], format="date-time"),
    },
)
def defence_news_events() -> None:
    @task(inlets=[ARTICLES], outlets=[EVENTS])
    def extract_events() -> dict[str, Any]:
        """Extract, fuse and write the events of every triggering article batch."""
        from defence_news.adapters.airflow import run_events

        context = get_current_context()
        summary = run_events(context, ARTICLES)
        context["outlet_events"][EVENTS].extra = summary
        return summary

    extract_events()


defence_news_events()
