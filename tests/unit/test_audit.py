"""The store audit over stores the real pipeline wrote, clean and then broken.

Each fault test breaks a copy of one two-interval store the way an operator could
find it (a manifest edited, an object copied into the wrong interval, a truncated
upload...) and asserts that the audit names the key and the item, and exits 1.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from defence_news.audit import CHECKS, PENDING_GRACE, AuditReport, Problem, audit_store
from defence_news.cli import main
from defence_news.extract.schema import EVENT_ARROW_SCHEMA
from defence_news.interval import Interval
from defence_news.pipeline import EVENTS_DAG_ID, INGEST_DAG_ID, extract_interval, ingest_source
from defence_news.seedsite import DEFAULT_ROOT, serve_seed_site
from defence_news.sources import seed_source
from defence_news.store import LocalStore, ObjectStore, S3Store, keys
from defence_news.store.records import (
    read_articles,
    read_json,
    read_parquet,
    write_articles,
    write_json,
    write_parquet,
)

# Two hours a day apart: the seed site's Niger article is the first one's, the
# Cambodia-Russia MoU (published in between) the second one's.
FIRST = Interval(datetime(2024, 6, 18, 4, tzinfo=UTC), datetime(2024, 6, 18, 5, tzinfo=UTC))
SECOND = Interval(datetime(2024, 6, 19, 4, tzinfo=UTC), datetime(2024, 6, 19, 5, tzinfo=UTC))
LATER = datetime.now(UTC) + PENDING_GRACE + timedelta(hours=1)  # past any pending grace


def run_pipeline(store: ObjectStore, base_url: str, interval: Interval) -> None:
    """Both stages for one interval, as the two DAGs run them."""
    ingest_source(seed_source(base_url), interval, store)
    extract_interval(keys.article_keys_for(store, interval), interval, store)


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two intervals written by the real pipeline from the offline seed site.

    The site is a copy whose feed changes between the runs, as a news feed does
    every hour (an unchanged feed answers 304 and yields nothing new)."""
    site = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(DEFAULT_ROOT, site)
    root = tmp_path_factory.mktemp("built") / "store"
    store = LocalStore(root)
    with serve_seed_site(port=0, root=site) as served:
        for interval in (FIRST, SECOND):
            run_pipeline(store, served.base_url, interval)
            feed = site / "feed.xml"
            feed.write_text(feed.read_text(encoding="utf-8") + "\n<!-- updated -->\n", "utf-8")
    return root


@pytest.fixture
def store(built_store: Path, tmp_path: Path) -> LocalStore:
    """A copy of the built store, for one test to break."""
    return LocalStore(shutil.copytree(built_store, tmp_path / "store"))


def problems_of(report: AuditReport, check: str) -> list[Problem]:
    return report.check(check).problems


def edit_json(store: ObjectStore, key: str, change: Callable[[Any], None]) -> None:
    document = read_json(store, key)
    change(document)
    write_json(store, key, document)


def ingest_manifest(interval: Interval) -> str:
    return keys.manifest_key(INGEST_DAG_ID, interval, "seed")


def audit_command(store: LocalStore, *extra: str) -> int:
    return main(["audit", "--store", str(store.root), *extra])


# -- clean -------------------------------------------------------------------------------


def test_a_store_the_pipeline_wrote_is_clean_and_exits_0(
    store: LocalStore, capsys: pytest.CaptureFixture[str]
) -> None:
    report = audit_store(store)
    assert report.problems == [] and report.ok and report.exit_code == 0
    assert report.intervals == 2
    for check in report.checks:
        assert check.items > 0, check.name
        assert check.intervals == {FIRST.slug, SECOND.slug}, check.name
    assert audit_command(store) == 0
    table = capsys.readouterr().out
    assert "result: clean (0 errors, 0 pending)" in table
    assert all(f"\n{check.name} " in table for check in report.checks)


def test_json_output_carries_the_checks_and_problems(
    store: LocalStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store.put(keys.events_key(SECOND), b"PAR1 not parquet")
    assert audit_command(store, "--json") == 1
    document = json.loads(capsys.readouterr().out)
    assert (document["ok"], document["errors"], document["pending"]) == (False, 1, 0)
    assert [check["name"] for check in document["checks"]] == [name for name, _ in CHECKS]
    (problem,) = document["problems"]
    assert (problem["check"], problem["key"], problem["item"], problem["severity"]) == (
        "objects_readable",
        keys.events_key(SECOND),
        "",
        "error",
    )
    readable = document["checks"][0]
    assert (readable["state"], readable["errors"], readable["intervals"]) == ("FAIL", 1, 2)


# -- ingest manifests --------------------------------------------------------------------


def test_an_outcome_removed_from_a_manifest_is_named(store: LocalStore) -> None:
    key = ingest_manifest(FIRST)
    removed: dict[str, Any] = {}

    def drop_a_skipped_outcome(manifest: dict[str, Any]) -> None:
        at = next(i for i, o in enumerate(manifest["outcomes"]) if o["outcome"] == "skipped")
        removed.update(manifest["outcomes"].pop(at))

    edit_json(store, key, drop_a_skipped_outcome)
    report = audit_store(store)
    found = {(p.key, p.item) for p in problems_of(report, "ingest_manifests")}
    assert found == {(key, "counts.discovered"), (key, "counts.skipped")}
    (gap,) = [p for p in problems_of(report, "ingest_manifests") if p.item == "counts.discovered"]
    assert gap.message == "1 discovered URL(s) have no outcome"
    assert report.exit_code == 1 and audit_command(store) == 1


def test_a_url_listed_twice_is_named(store: LocalStore) -> None:
    key = ingest_manifest(SECOND)
    twice = read_json(store, key)["outcomes"][0]["url"]
    edit_json(store, key, lambda manifest: manifest["outcomes"].append(manifest["outcomes"][0]))
    report = audit_store(store)
    (problem,) = [p for p in problems_of(report, "ingest_manifests") if p.item == twice]
    assert problem.key == key and problem.message == "has 2 outcomes in one run (one expected)"
    assert audit_command(store) == 1


def test_an_article_outcome_removed_leaves_its_row_unaccounted(store: LocalStore) -> None:
    key = ingest_manifest(FIRST)
    (article,) = read_articles(store, keys.articles_key("seed", FIRST))

    def drop_the_article(manifest: dict[str, Any]) -> None:
        manifest["outcomes"] = [o for o in manifest["outcomes"] if o["outcome"] != "article"]
        manifest["counts"]["article"] = 0
        manifest["counts"]["discovered"] -= 1

    edit_json(store, key, drop_the_article)
    report = audit_store(store)
    (problem,) = problems_of(report, "ingest_articles")
    assert (problem.key, problem.item) == (keys.articles_key("seed", FIRST), article.article_id)
    assert problem.message == f"row has no article outcome in {key}"
    assert report.exit_code == 1


# -- stored twice ------------------------------------------------------------------------


def test_an_article_written_into_two_intervals_is_named(store: LocalStore) -> None:
    (first,) = read_articles(store, keys.articles_key("seed", FIRST))
    second_key = keys.articles_key("seed", SECOND)
    write_articles(store, second_key, [*read_articles(store, second_key), first])
    report = audit_store(store)
    twice = problems_of(report, "unique_articles")
    assert {(p.key, p.item) for p in twice} == {
        (second_key, first.canonical_url),
        (second_key, f"content_hash {first.content_hash}"),
    }
    assert all(keys.articles_key("seed", FIRST) in p.message for p in twice)
    assert audit_command(store) == 1


def test_an_event_id_stored_in_two_intervals_is_named(store: LocalStore) -> None:
    first_rows = read_parquet(store, keys.events_key(FIRST))
    second_key = keys.events_key(SECOND)
    write_parquet(
        store, second_key, [*read_parquet(store, second_key), first_rows[0]], EVENT_ARROW_SCHEMA
    )
    report = audit_store(store)
    (problem,) = problems_of(report, "unique_events")
    assert (problem.key, problem.item) == (second_key, first_rows[0]["event_id"])
    assert problem.message == f"is stored in {keys.events_key(FIRST)} too"
    assert audit_command(store) == 1


# -- events manifests --------------------------------------------------------------------


def test_an_events_manifest_naming_a_missing_key_is_named(store: LocalStore) -> None:
    manifest = keys.manifest_key(EVENTS_DAG_ID, SECOND)
    gone = keys.articles_key("gone", SECOND)
    edit_json(store, manifest, lambda document: document["article_keys"].append(gone))
    report = audit_store(store)
    (problem,) = problems_of(report, "events_manifests")
    assert (problem.key, problem.item) == (manifest, gone)
    assert problem.message == "names an articles object that does not exist"
    assert audit_command(store) == 1


def test_articles_deleted_after_the_events_run_are_named_everywhere_they_were_used(
    store: LocalStore,
) -> None:
    articles = keys.articles_key("seed", FIRST)
    (article,) = read_articles(store, articles)
    store.delete(articles)
    report = audit_store(store)
    assert [(p.item, p.message) for p in problems_of(report, "events_manifests")] == [
        (articles, "names an articles object that does not exist"),
    ]
    (lost,) = problems_of(report, "ingest_articles")
    assert (lost.key, lost.item) == (ingest_manifest(FIRST), article.article_id)
    assert report.exit_code == 1


def test_an_events_manifest_listing_an_article_nobody_holds_is_named(store: LocalStore) -> None:
    manifest = keys.manifest_key(EVENTS_DAG_ID, FIRST)
    edit_json(store, manifest, lambda document: document["articles"].update(phantom={}))
    (problem,) = problems_of(audit_store(store), "events_manifests")
    assert (problem.key, problem.item) == (manifest, "phantom")


# -- unreadable objects ------------------------------------------------------------------


def test_truncated_and_garbage_objects_are_named(store: LocalStore) -> None:
    truncated, garbage = keys.events_key(FIRST), keys.articles_key("seed", SECOND)
    store.put(truncated, store.get(truncated)[: len(store.get(truncated)) // 2])
    store.put(garbage, b"PAR1 this is not parquet at all PAR1")
    store.put(ingest_manifest(FIRST), b'{"outcomes": [')
    report = audit_store(store)
    unreadable = problems_of(report, "objects_readable")
    assert [p.key for p in unreadable] == [ingest_manifest(FIRST), truncated, garbage]
    assert all(p.message.startswith("cannot be read (") for p in unreadable)
    # What could not be read is reported once, not again by every check that needed it.
    assert all(p.check == "objects_readable" for p in report.errors)
    assert audit_command(store) == 1


# -- pending -----------------------------------------------------------------------------


def test_missing_events_are_pending_while_fresh_and_an_error_later(store: LocalStore) -> None:
    expected = [
        keys.events_key(SECOND),
        keys.fused_events_key(SECOND),
        keys.manifest_key(EVENTS_DAG_ID, SECOND),
    ]
    for key in expected:
        store.delete(key)
    fresh = audit_store(store)
    assert [(p.key, p.severity) for p in fresh.problems] == [(key, "pending") for key in expected]
    assert fresh.ok and fresh.exit_code == 0
    assert "result: clean but pending (0 errors, 3 pending)" in fresh.table()
    late = audit_store(store, now=LATER)
    assert [(p.key, p.severity) for p in late.problems] == [(key, "error") for key in expected]
    assert late.exit_code == 1


def test_articles_rewritten_after_the_events_run_are_pending(store: LocalStore) -> None:
    # An ingest rerun of the interval found one more article; the events run it
    # triggers has not happened yet.
    (first,) = read_articles(store, keys.articles_key("seed", FIRST))
    key = keys.articles_key("seed", SECOND)
    write_articles(store, key, [*read_articles(store, key), first])
    (pending,) = problems_of(audit_store(store), "events_written")
    assert (pending.key, pending.item, pending.severity) == (key, first.article_id, "pending")
    (late,) = problems_of(audit_store(store, now=LATER), "events_written")
    assert late.severity == "error"


# -- range and usage ---------------------------------------------------------------------


def test_a_range_audits_only_the_intervals_that_start_in_it(
    store: LocalStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store.put(keys.events_key(FIRST), b"garbage")
    report = audit_store(store, SECOND.start, SECOND.end)
    assert report.intervals == 1 and report.problems == []
    assert report.check("unique_events").intervals == {SECOND.slug}
    assert audit_command(store, "--from", "2024-06-19T04:00Z", "--to", "2024-06-19T05:00") == 0
    assert audit_command(store, "--from", "2024-06-18", "--to", "2024-06-19") == 1
    assert "intervals starting from 2024-06-18T00:00:00+00:00 before" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "yesterday"], "argument --from: 'yesterday' is not an ISO 8601 date"),
        (["--from", "2024-06-19", "--to", "2024-06-18"], "--to must be later than --from"),
    ],
)
def test_bad_dates_are_usage_errors_without_a_traceback(
    store: LocalStore, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        code = audit_command(store, *argv)
    except SystemExit as exit_:  # argparse's own errors exit from parse_args
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_folder_that_is_no_store_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--store", str(tmp_path / "typo")]) == 2
    assert f"no store folder at {tmp_path / 'typo'}" in capsys.readouterr().err


# -- S3 ----------------------------------------------------------------------------------


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Store]:
    """A fresh bucket behind moto's S3 server, configured as the command's store."""
    bucket = f"audit-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    for name, value in {
        "DEFENCE_NEWS_STORE": "s3",
        "DEFENCE_NEWS_S3_BUCKET": bucket,
        "DEFENCE_NEWS_S3_PREFIX": "pipeline",
        "DEFENCE_NEWS_S3_ENDPOINT_URL": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    yield S3Store.from_params(bucket, prefix="pipeline", endpoint_url=s3_endpoint)


def test_the_audit_reads_an_s3_store_through_the_real_api(
    s3_store: S3Store, seed_site: str
) -> None:
    run_pipeline(s3_store, seed_site, FIRST)
    report = audit_store(s3_store)
    assert report.problems == [] and report.intervals == 1
    assert main(["audit"]) == 0
    s3_store.put(keys.events_key(FIRST), b"not parquet")
    (problem,) = audit_store(s3_store).problems
    assert (problem.check, problem.key) == ("objects_readable", keys.events_key(FIRST))
    assert main(["audit", "--json"]) == 1


def test_an_unreachable_s3_endpoint_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.servers import free_port

    monkeypatch.setenv("DEFENCE_NEWS_STORE", "s3")
    monkeypatch.setenv("DEFENCE_NEWS_S3_BUCKET", "nowhere")
    monkeypatch.setenv("DEFENCE_NEWS_S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # fail fast: nothing listens there
    assert main(["audit"]) == 2
    err = capsys.readouterr().err
    assert "cannot list s3://nowhere/" in err and "Traceback" not in err
