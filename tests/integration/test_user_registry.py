"""An operator's own registry (``DEFENCE_NEWS_REGISTRY``) drives the ingest DAG, run for
real with ``dag.test()``: its source is planned, mapped, fetched and written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from defence_news.adapters.runner import run_dag_in_process
from defence_news.store import LocalStore, keys
from defence_news.store.records import read_parquet
from tests.integration.test_dags_end_to_end import CONF, INTERVAL

pytestmark = pytest.mark.integration


def test_the_ingest_dag_runs_the_sources_of_an_operators_registry(
    dags, pipeline_env, monkeypatch, tmp_path: Path, seed_site: str
) -> None:
    registry = {
        "mode": "replace",
        "sources": {
            "meridian": {
                "name": "Meridian seed site",
                "publisher": "The Meridian Defence Post",
                "homepage": f"{seed_site}/",
                "feeds": [f"{seed_site}/feed.xml"],
                "sitemaps": [f"{seed_site}/sitemap.xml"],
                "crawl_delay": 0,
                "allow_private": True,
            }
        },
    }
    path = tmp_path / "registry.d" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    monkeypatch.setenv("DEFENCE_NEWS_REGISTRY", str(path.parent))  # a folder of files
    monkeypatch.setenv("DEFENCE_NEWS_SOURCES", "registry")  # every enabled entry: just one
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path / "store"))
    dag = dags["defence_news_ingest"]
    # Explicit Params: dag.test() keeps an earlier test's on the DAG object.
    conf = {**CONF, "dry_run": False, "sources": []}
    assert run_dag_in_process(dag, conf) == "success"

    store = LocalStore(tmp_path / "store")
    sources = {key.split("source=")[1].split("/")[0] for key in store.list("articles/")}
    assert sources == {"meridian"}  # the packaged registry was replaced
    manifest = json.loads(store.get(keys.manifest_key("defence_news_ingest", INTERVAL, "meridian")))
    articles = read_parquet(store, keys.articles_key("meridian", INTERVAL))
    assert len(articles) == manifest["counts"]["article"] >= 8
    assert {a["source_id"] for a in articles} == {"meridian"}
    assert {a["publisher"] for a in articles} >= {"The Meridian Defence Post"}
