"""Airflow UI plugin: the defence-news events, charts and source-health pages.

Mounts the library's FastAPI app (``defence_news.ui``) on the API server at
``/defence-news`` and adds nav entries that show its pages inside the Airflow
UI. The app is built when the API server starts (a root middleware sees the
server's lifespan startup), and it starts reading the store into its tables in
the background right then; importing this file (as every Airflow component does)
costs no FastAPI, DuckDB or pyarrow import.

Access: every route needs a signed-in Airflow user (401 otherwise) who may read
the pipeline's DAGs (403 otherwise): the pages show what those DAGs wrote.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from airflow.plugins_manager import AirflowPlugin

from defence_news.ui.lazy import BuildOnStartup, LazyASGIApp

URL_PREFIX = "/defence-news"
# Relative hrefs (no leading slash): the UI resolves them against its base URL,
# so the views keep working when Airflow is served under a sub-path.
EVENTS_HREF = "defence-news/events"
FUSED_HREF = "defence-news/fused"
CHARTS_HREF = "defence-news/charts"
HEALTH_HREF = "defence-news/health"
INGEST_TASK_ID = "ingest"  # the mapped task of dags/defence_news_ingest.py, one per source
RUNS_SEARCHED = 500  # newest ingest runs searched for the health page's links (3 weeks hourly)


def build_app() -> Any:
    """The UI app over the store the Airflow ``aws`` connection opens, behind
    Airflow's own login and its permission to read the pipeline's DAGs."""
    from airflow.api_fastapi.core_api.security import requires_access_dag
    from fastapi import Depends

    from defence_news.adapters.airflow import open_store
    from defence_news.pipeline import EVENTS_DAG_ID, INGEST_DAG_ID
    from defence_news.ui.app import create_app

    # A fixed DAG id: the query string must not choose what is checked.
    guards = [
        Depends(requires_access_dag("GET", param_dag_id=dag_id))
        for dag_id in (INGEST_DAG_ID, EVENTS_DAG_ID)
    ]
    return create_app(open_store, dependencies=guards, task_links=ingest_task_links, warm=True)


def ingest_task_links(intervals: list[Any], sources: list[str]) -> dict[tuple[str, str], str]:
    """Per (interval slug, source id), the Airflow UI address of that source's mapped
    ingest task in the run that covered the interval, from Airflow's metadata database.

    A run's interval is worked out as its tasks do (``interval_from_context``: the
    Params' interval, else the data interval), so manual runs and backfills link too.
    The newest run of an interval wins (it replaced the older run's objects).
    Addresses are relative to the plugin's pages (``/defence-news/...``)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from defence_news.adapters.airflow import interval_from_context
    from defence_news.pipeline import INGEST_DAG_ID

    wanted_slugs = {interval.slug for interval in intervals}
    wanted_sources = set(sources)
    links: dict[tuple[str, str], str] = {}
    with create_session() as session:
        runs = session.execute(
            select(
                DagRun.run_id,
                DagRun.conf,
                DagRun.data_interval_start,
                DagRun.data_interval_end,
                DagRun.logical_date,
                DagRun.run_after,
            )
            .where(DagRun.dag_id == INGEST_DAG_ID)
            .order_by(DagRun.id.desc())
            .limit(RUNS_SEARCHED)
        ).all()
        slug_of_run: dict[str, str] = {}
        rank: dict[str, int] = {}  # newest run first
        for run_id, conf, start, end, logical_date, run_after in runs:
            context = {
                "params": conf or {},
                "data_interval_start": start,
                "data_interval_end": end,
                "logical_date": logical_date or run_after,
            }
            slug = interval_from_context(context).slug
            if slug in wanted_slugs:
                slug_of_run[run_id] = slug
                rank[run_id] = len(rank)
        if not slug_of_run:
            return {}
        tasks = session.execute(
            select(
                TaskInstance.run_id, TaskInstance.map_index, TaskInstance.rendered_map_index
            ).where(
                TaskInstance.dag_id == INGEST_DAG_ID,
                TaskInstance.task_id == INGEST_TASK_ID,
                TaskInstance.run_id.in_(list(slug_of_run)),
            )
        ).all()
    # Per interval and source, the newest run that had that source's task (another run
    # of the same interval may have covered other sources only).
    for run_id, map_index, source_id in sorted(tasks, key=lambda t: rank[t[0]], reverse=True):
        if source_id in wanted_sources:
            links[(slug_of_run[run_id], source_id)] = (
                f"../dags/{quote(INGEST_DAG_ID)}/runs/{quote(run_id, safe='')}"
                f"/tasks/{INGEST_TASK_ID}/mapped/{map_index}"
            )
    return links


def _nav(name: str, href: str, route: str) -> dict[str, str]:
    return {
        "name": name,
        "href": href,
        "url_route": route,
        "destination": "nav",
        "category": "browse",
    }


UI_APP = LazyASGIApp(build_app, "defence_news_ui")


class DefenceNewsPlugin(AirflowPlugin):
    name = "defence_news"
    fastapi_apps = [  # noqa: RUF012 (Airflow reads these class attributes)
        {"app": UI_APP, "url_prefix": URL_PREFIX, "name": "Defence news"}
    ]
    fastapi_root_middlewares = [  # noqa: RUF012
        {
            "middleware": BuildOnStartup,
            "args": [UI_APP],
            "kwargs": {},
            "name": "Defence news: build the UI when the API server starts",
        }
    ]
    external_views = [  # noqa: RUF012
        _nav("Defence events", EVENTS_HREF, "defence-news-events"),
        _nav("Defence fused events", FUSED_HREF, "defence-news-fused"),
        _nav("Defence charts", CHARTS_HREF, "defence-news-charts"),
        _nav("Defence source health", HEALTH_HREF, "defence-news-health"),
    ]
