"""What the DAG files need at parse time: the HTTP pool's name and the callbacks.

Standard library only, so that parsing a DAG file (every few seconds in the
dag-processor, and again in every task process) costs almost nothing beyond Airflow.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

log = logging.getLogger("defence_news.adapters.airflow")

HTTP_POOL = "defence_news_http"
HTTP_POOL_SLOTS = 4  # concurrent source tasks doing outbound HTTP


def on_task_failure(context: Mapping[str, Any]) -> None:
    """Failure callback: one line an operator can act on, in the task log."""
    ti = context.get("task_instance") or context.get("ti")
    error = context.get("exception")
    where = f"{getattr(ti, 'dag_id', '?')}.{getattr(ti, 'task_id', '?')}"
    map_index = getattr(ti, "map_index", -1)
    if map_index is not None and map_index >= 0:
        where += f"[{map_index}]"
    log.error(
        "defence-news task failed: %s (try %s): %r", where, getattr(ti, "try_number", "?"), error
    )


async def on_deadline_missed(**kwargs: Any) -> None:
    """Deadline callback (runs in the triggerer): a run took longer than its deadline."""
    context = kwargs.get("context") or {}
    dag_run = context.get("dag_run") if isinstance(context, Mapping) else None
    log.error(
        "defence-news run missed its deadline: dag=%s run=%s",
        getattr(dag_run, "dag_id", kwargs.get("dag_id", "?")),
        getattr(dag_run, "run_id", "?"),
    )


def task_defaults(
    *,
    retry_delay: timedelta = timedelta(minutes=1),
    max_retry_delay: timedelta = timedelta(minutes=10),
    execution_timeout: timedelta = timedelta(minutes=30),
) -> dict[str, Any]:
    """Every DAG's ``default_args``: two retries with growing, bounded delays, the failure
    callback, and a time limit per task."""
    return {
        "retries": 2,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": True,
        "max_retry_delay": max_retry_delay,
        "on_failure_callback": on_task_failure,
        "execution_timeout": execution_timeout,
    }


def run_deadline(minutes: int):  # -> airflow.sdk.DeadlineAlert
    """An alert (``on_deadline_missed``, in the triggerer) for a run still going
    ``minutes`` after it was queued. Airflow is imported here: DAG files have it loaded."""
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=minutes),
        callback=AsyncCallback(on_deadline_missed),
    )
