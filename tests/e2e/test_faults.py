"""Faults on a real Airflow deployment: each ends with the store audit clean and the
events read back from the S3 API.

Each test starts the api-server, scheduler, dag-processor and triggerer (and a
Celery worker for the Celery variant, see conftest.py); the ingest DAG's own schedule
starts a run over the seed site, whose articles asset triggers the events DAG. The
fault comes while that run is under way:

- the worker running the seed source's task is SIGKILLed, then the task is retried;
- the S3 API goes down until a task has failed on it, then comes back on its port;
- the scheduler is SIGKILLed and a new one started;
- a finished interval is cleared and run again, then a backfill reprocesses a range
  that overlaps the scheduled run;
- a hostile source runs beside the seed site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from defence_news.fetch.canonical import InvalidUrl, canonicalize_url
from defence_news.store.records import read_articles, read_json, read_parquet
from tests.e2e.conftest import EVENTS, INGEST, Deployment, aware
from tests.support.hostile_site import BIG_FEED_ITEMS, CHILD_SITEMAPS, HostileSite

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SEED_EVENT = ("exercise", "Angkor Sentinel")  # the seed document's suspended exercise


# -- what every fault test ends with -------------------------------------------------------


def assert_store_clean(deployment: Deployment) -> dict[str, Any]:
    """The audit passes with nothing pending, no article or event is stored twice, and
    the seed document's exercise is among the events read back; what the store holds."""
    code, report = deployment.audit()
    problems = "\n".join(str(problem) for problem in report.get("problems", []))
    assert code == 0, f"audit exit {code}: {report.get('stderr')}\n{problems}"
    assert report["errors"] == 0 and report["pending"] == 0, problems
    assert report["intervals"] >= 1
    held = stored(deployment)
    assert held["articles"], "no articles were stored"
    for name in ("article_urls", "event_ids"):
        repeated = [item for item, count in Counter(held[name]).items() if count > 1]
        assert not repeated, f"{name} stored more than once: {repeated[:5]}"
    assert SEED_EVENT in {(e["category"], e["event_name"]) for e in held["events"]}
    return held


def stored(deployment: Deployment) -> dict[str, Any]:
    """Every article, event and ingest manifest in the store, read over the S3 API."""
    store = deployment.store()
    articles = [a for key in store.list("articles/") for a in read_articles(store, key)]
    events = [row for key in store.list("events/") for row in read_parquet(store, key)]
    manifests = {
        key: read_json(store, key)
        for key in store.list(f"manifests/{INGEST}/")
        if key.endswith(".json")
    }
    return {
        "articles": articles,
        "article_ids": sorted(a.article_id for a in articles),
        "article_urls": [a.canonical_url or a.url for a in articles],
        "events": events,
        "event_ids": [str(e["event_id"]) for e in events],
        "manifests": manifests,
    }


def ingest_tries(deployment: Deployment, source_id: str) -> list[dict[str, Any]]:
    return [
        ti
        for ti in deployment.db.task_instances(INGEST)
        if ti["task_id"] == "ingest" and deployment.source_of(ti) == source_id
    ]


def settle(deployment: Deployment, ingest_runs: int = 1) -> list[dict[str, Any]]:
    """Wait for the ingest runs and the events runs they trigger; the ingest runs, which
    must all have succeeded, as must every events run."""
    runs = deployment.settled(INGEST, ingest_runs)
    assert all(run["state"] == "success" for run in runs), runs
    deployment.wait_until(
        "no articles asset event waiting for the events DAG", no_queued_events(deployment)
    )
    events = deployment.settled(EVENTS)
    assert all(run["state"] == "success" for run in events), events
    return runs


def no_queued_events(deployment: Deployment):
    def check() -> bool:
        queued = deployment.db.rows("SELECT COUNT(*) AS n FROM asset_dag_run_queue")
        return bool(queued) and queued[0]["n"] == 0

    return check


# -- the faults ----------------------------------------------------------------------------


@pytest.mark.both_executors
def test_a_worker_killed_mid_task_is_retried_without_duplicates(deployment: Deployment) -> None:
    ti = deployment.running_ingest("seed")
    killed = deployment.kill_task_worker(ti)
    assert int(ti["pid"]) in killed

    settle(deployment)
    (seed,) = ingest_tries(deployment, "seed")
    assert seed["state"] == "success"
    assert seed["try_number"] >= 2, "the killed try was not followed by a retry"
    assert_store_clean(deployment)


def test_the_store_down_for_part_of_a_run(deployment: Deployment) -> None:
    deployment.running_ingest("seed")
    deployment.s3.down()

    def a_try_failed() -> bool:
        return any(ti["state"] == "up_for_retry" for ti in deployment.db.task_instances(INGEST))

    try:
        deployment.wait_until("a task to fail on the store that is down", a_try_failed)
    finally:
        deployment.s3.up()  # the same port, the same data behind it

    settle(deployment)
    (seed,) = ingest_tries(deployment, "seed")
    assert seed["state"] == "success" and seed["try_number"] >= 2
    assert_store_clean(deployment)


@pytest.mark.both_executors
def test_the_scheduler_restarted_mid_run(deployment: Deployment) -> None:
    deployment.running_ingest("seed")
    deployment.kill("scheduler", tree=False)  # a crash: its tasks are left to run on
    deployment.restart("scheduler")

    settle(deployment)
    schedulers = deployment.db.rows("SELECT id FROM job WHERE job_type = 'SchedulerJob'")
    assert len(schedulers) == 2, "the run was not finished by a second scheduler"
    assert_store_clean(deployment)


def test_a_rerun_and_an_overlapping_backfill_change_nothing(deployment: Deployment) -> None:
    (scheduled,) = settle(deployment)
    first = assert_store_clean(deployment)
    start = aware(scheduled["data_interval_start"])

    # Rerun of the finished interval: its tasks cleared, the run goes again.
    deployment.airflow(
        "tasks", "clear", INGEST, "--yes",
        "--start-date", start.isoformat(), "--end-date", start.isoformat(),
    )  # fmt: skip
    deployment.wait_until(
        "the cleared run to be run again",
        lambda: any(ti["try_number"] >= 2 for ti in ingest_tries(deployment, "seed")),
    )
    settle(deployment)
    rerun = assert_store_clean(deployment)
    assert rerun["article_ids"] == first["article_ids"]
    assert sorted(rerun["event_ids"]) == sorted(first["event_ids"])

    # A backfill of the two hours before it and the scheduled hour itself, reprocessed.
    deployment.airflow(
        "backfill", "create", "--dag-id", INGEST,
        "--from-date", (start - timedelta(hours=2)).isoformat(),
        "--to-date", start.isoformat(),
        "--reprocess-behavior", "completed",
    )  # fmt: skip
    deployment.wait_until("the backfill to complete", backfill_completed(deployment))
    runs = settle(deployment, ingest_runs=3)
    assert len({run["data_interval_start"] for run in runs}) == 3
    backfilled = assert_store_clean(deployment)
    assert backfilled["article_ids"] == first["article_ids"]
    assert sorted(backfilled["event_ids"]) == sorted(first["event_ids"])
    assert len(backfilled["manifests"]) == 3  # one per interval, the seed source's


class TestBackfillBesideTheSchedule:
    """Backfill runs do not wait for the DAG's other runs (a backfill's max_active_runs
    is its own), so one source is ingested for several intervals at once."""

    @pytest.fixture
    def airflow_settings(self) -> dict[str, str]:
        return {"AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True"}

    def test_intervals_ingested_at_once_claim_each_article_once(
        self, deployment: Deployment
    ) -> None:
        deployment.wait_until("the DAGs to be parsed", dags_parsed(deployment))
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        deployment.airflow(
            "backfill", "create", "--dag-id", INGEST,
            "--from-date", (now - timedelta(hours=4)).isoformat(),
            "--to-date", (now - timedelta(hours=2)).isoformat(),
        )  # fmt: skip
        for dag_id in (EVENTS, INGEST):  # the schedule starts the latest hour beside them
            deployment.airflow("dags", "unpause", dag_id)
        deployment.wait_until("the backfill to complete", backfill_completed(deployment))
        runs = settle(deployment, ingest_runs=4)
        assert len({run["data_interval_start"] for run in runs}) == 4
        held = assert_store_clean(deployment)
        claimed = [key for key, d in held["manifests"].items() if d["counts"]["article"]]
        assert len(claimed) == 1, f"the seed site's articles were stored by {claimed}"


def dags_parsed(deployment: Deployment):
    def check() -> bool:
        rows = deployment.db.rows("SELECT dag_id FROM dag")
        return {INGEST, EVENTS} <= {row["dag_id"] for row in rows}

    return check


def backfill_completed(deployment: Deployment):
    def check() -> bool:
        rows = deployment.db.rows("SELECT completed_at FROM backfill")
        return bool(rows) and all(row["completed_at"] is not None for row in rows)

    return check


class TestHostileSource:
    """The hostile site as a second source beside the seed site."""

    @pytest.fixture
    def hostile(self) -> Iterator[HostileSite]:
        with HostileSite() as site:
            yield site

    @pytest.fixture
    def sources(self, hostile: HostileSite, tmp_path: Path) -> dict[str, str]:
        registry = tmp_path / "registry.yaml"
        registry.write_text(yaml.safe_dump({"sources": {"hostile": hostile.registry_entry()}}))
        return {"DEFENCE_NEWS_SOURCES": "seed,hostile", "DEFENCE_NEWS_REGISTRY": str(registry)}

    def test_the_healthy_source_lands_and_every_hostile_url_is_accounted_for(
        self, deployment: Deployment, hostile: HostileSite
    ) -> None:
        settle(deployment)
        held = assert_store_clean(deployment)
        by_source = {document["source_id"]: document for document in held["manifests"].values()}
        assert set(by_source) == {"seed", "hostile"}
        assert by_source["seed"]["counts"]["article"] >= 1
        assert {a.source_id for a in held["articles"]} == {"seed", "hostile"}

        manifest = by_source["hostile"]
        outcomes = {outcome["url"]: outcome for outcome in manifest["outcomes"]}
        listed = hostile.listed_urls()
        missing = [url for url in listed if _canonical(url) not in outcomes]
        assert not missing, f"{len(missing)} listed URLs have no outcome, e.g. {missing[:3]}"
        assert len(listed) == len(set(listed)) >= BIG_FEED_ITEMS

        def outcome(path: str) -> tuple[str, str | None]:
            found = outcomes[_canonical(hostile.url(path))]
            return found["outcome"], found.get("reason")

        assert outcome("/pages/surrogate-headline.html") == ("article", None)
        assert outcome("/pages/utf16-bom.html") == ("article", None)
        assert outcome("/pages/binary.html") == ("skipped", "binary_body")
        assert outcome("/loop/a") == ("failed", "redirect_loop")
        assert outcome("/pages/huge-declared.html") == ("failed", "too_large")
        assert outcome("/pages/huge-streamed.html") == ("failed", "too_large")
        assert outcome("/pages/slow-0.html") == ("failed", "total_timeout")
        for link in hostile.feed_links()[-3:]:  # the links no parser reads
            assert (outcomes[link]["outcome"], outcomes[link]["reason"]) == (
                "skipped",
                "invalid_url",
            )
        # The caps: items past the feed's 1,000 and the per-run cap wait, counted.
        assert manifest["counts"]["deferred"] >= BIG_FEED_ITEMS - 1000
        read = hostile.children_read()
        assert manifest["deferred_sitemaps"] == CHILD_SITEMAPS - len(read) > 0

        titles = {a.title for a in held["articles"] if a.source_id == "hostile"}
        assert "Engineers start bridge-building course" in titles
        assert any(title and title.startswith("Second corvette") for title in titles)
        for title in titles:  # the lone surrogate is gone: UTF-8 (and Parquet) can hold it
            assert title is not None and title.encode("utf-8")


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except InvalidUrl:
        return url
