"""Hourly ingest: discover, fetch, clean and store new defence-news articles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import (
    CronDataIntervalTimetable,
    Param,
    dag,
    get_current_context,
    task,
)

from defence_news.adapters.assets import ARTICLES
from defence_news.adapters.callbacks import HTTP_POOL, run_deadline, task_defaults

DOC_MD = """
### defence_news_ingest

Every hour, for each configured news source (one mapped task per source, named
after it): discover new article URLs from its feeds and news sitemaps, fetch
them politely, archive the raw responses (WARC), clean each page into an
article, and write the articles as Parquet.

**Outputs** (same layout in S3 and in the local store):
`articles/dt=<date>/source=<id>/<interval>.parquet`,
`raw/source=<id>/dt=<date>/<interval>.warc.gz`,
`manifests/defence_news_ingest/dt=<date>/<interval>/source=<id>.json`
(every discovered URL with exactly one outcome).

**Health**: each source task logs a table of outcomes. A source none of whose
feeds and sitemaps can be read, or all of whose page fetches fail, fails its own
task after its retries (red in the grid, the reason in its log and failure
callback) once its manifest is written; a source with only some failed pages stays
green and reports them. A failed source never stops the others: `publish_articles`
still runs, and the `articles` asset event carries the counts, with the failed
sources named in `sources_failed`; `check_sources` then fails, so the run is red
too. Every task has an `execution_timeout`, and each source a time budget
(`DEFENCE_NEWS_FETCH_SOURCE_BUDGET`) after which the rest of its URLs are deferred
to the next run.

**Manual runs**: Params choose the sources (`seed` for the offline seed site,
registry ids, or `registry`), a date range, a per-source cap and a dry run
(everything runs against a throwaway store; nothing is written).
"""


@dag(
    dag_id="defence_news_ingest",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    # Early, so that a backfill can reach a source's archives (Airflow creates no task
    # for a run dated before its start); catchup=False keeps the scheduler to now.
    start_date=datetime(2020, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    tags=["defence-news", "ingest"],
    default_args=task_defaults(
        retry_delay=timedelta(minutes=2),
        max_retry_delay=timedelta(minutes=20),
        # Past the source's own time budget (fetch settings) with room for parsing.
        execution_timeout=timedelta(minutes=30),
    ),
    deadline=run_deadline(minutes=50),
    params={
        "sources": Param([], type="array", description="Source ids; empty = configured default"),
        "interval_start": Param(None, type=["null", "string"], format="date-time"),
        "interval_end": Param(None, type=["null", "string"], format="date-time"),
        "limit": Param(None, type=["null", "integer"], minimum=1, description="Cap per source"),
        "dry_run": Param(False, type="boolean", description="Write to a throwaway store"),
    },
)
def defence_news_ingest() -> None:
    @task
    def plan_sources() -> list[str]:
        """The ids of the sources this run covers (Params, else DEFENCE_NEWS_SOURCES)."""
        from defence_news.adapters.airflow import source_ids_for_run

        return source_ids_for_run(get_current_context())

    # Mapped tasks keep no docstring, so their documentation is given explicitly.
    @task(
        pool=HTTP_POOL,
        map_index_template="{{ source_id }}",
        doc_md="Collect, clean and write one source's new articles for the data interval.",
    )
    def ingest(source_id: str) -> dict[str, Any]:
        from defence_news.adapters.airflow import run_ingest

        context = get_current_context()
        context["source_id"] = source_id  # type: ignore[typeddict-unknown-key]
        return run_ingest(source_id, context)

    @task(trigger_rule="all_done", outlets=[ARTICLES])
    def publish_articles(
        reports: list[dict[str, Any] | None], source_ids: list[str]
    ) -> dict[str, Any]:
        """Summarise all sources and announce the articles asset with its counts."""
        from defence_news.adapters.airflow import publish_ingest, xcom_summary

        context = get_current_context()
        summary = publish_ingest(list(reports), list(source_ids), context)
        context["outlet_events"][ARTICLES].extra = summary
        return xcom_summary(summary)  # the health per source travels with the asset

    @task
    def check_sources(summary: dict[str, Any]) -> None:
        """Fail the run when a source failed: the run turns red, after the announcement.
        No retry: the sources' own tasks had theirs."""
        from airflow.sdk.exceptions import AirflowFailException

        from defence_news.adapters.airflow import SourceFailed, require_every_source

        try:
            require_every_source(summary)
        except SourceFailed as failed:
            raise AirflowFailException(str(failed)) from None

    source_ids = plan_sources()
    check_sources(publish_articles(ingest.expand(source_id=source_ids), source_ids))


defence_news_ingest()
