"""The UI plugin inside Airflow, and the UI app over real HTTP on loopback.

- Airflow's plugins manager loads plugins/defence_news_plugin.py with its
  FastAPI app and nav views.
- Airflow's own API server app mounts the UI at /defence-news behind its login.
- Real ingest runs (``dag.test()``), one of them of an unreachable source, give the
  health page its runs and Airflow's database the task instances it links to.
- uvicorn serves the UI app on 127.0.0.1 and the pages are fetched over HTTP.
- The browser test (tests/integration/test_ui_browser.py) drives Chromium.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
import requests

from defence_news.store import LocalStore
from tests.integration.conftest import HEALTHY, UNREACHABLE
from tests.support.servers import free_port
from tests.unit.ui.fixtures import (
    HOSTILE_SENTENCE,
    fill_store,
)

pytestmark = pytest.mark.integration

SERVER_START_TIMEOUT = 10.0  # seconds; uvicorn starts in well under one


@pytest.fixture
def filled_store(tmp_path: Path) -> LocalStore:
    return fill_store(LocalStore(tmp_path / "store"))


def test_airflow_loads_the_plugin_with_its_app_and_nav_views() -> None:
    from airflow import plugins_manager

    info = {plugin["name"]: plugin for plugin in plugins_manager.get_plugin_info()}
    assert plugins_manager.get_import_errors() == {}
    plugin = info["defence_news"]
    assert plugin["fastapi_apps"] == [
        {
            "app": "defence_news.ui.lazy.LazyASGIApp",
            "url_prefix": "/defence-news",
            "name": "Defence news",
        }
    ]
    assert plugin["fastapi_root_middlewares"] == [
        {
            "middleware": "defence_news.ui.lazy.BuildOnStartup",
            "name": "Defence news: build the UI when the API server starts",
        }
    ]
    views = {view["url_route"]: view for view in plugin["external_views"]}
    assert views["defence-news-events"]["href"] == "defence-news/events"
    assert views["defence-news-health"]["href"] == "defence-news/health"
    assert views["defence-news-fused"]["href"] == "defence-news/fused"
    assert views["defence-news-charts"]["href"] == "defence-news/charts"
    assert {view["destination"] for view in views.values()} == {"nav"}
    # hrefs are relative: the UI resolves them against its base URL
    assert not any(view["href"].startswith("/") for view in views.values())


def test_loading_the_plugin_imports_neither_fastapi_nor_pyarrow_nor_duckdb() -> None:
    # Every Airflow component loads plugins; only the API server needs the app.
    probe = (
        "import sys\n"
        "from airflow import plugins_manager\n"
        "plugins, errors = plugins_manager._get_plugins()\n"
        "assert [p.name for p in plugins] == ['defence_news'], (plugins, errors)\n"
        "print(sorted({'fastapi', 'pyarrow', 'duckdb'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


# A fresh process, as an api-server is: the plugin's app must not have been built by
# an earlier test's request.
STARTUP_PROBE = """
import sys, time
from airflow import plugins_manager
from airflow.api_fastapi.app import create_app
from fastapi.testclient import TestClient
from defence_news.store import LocalStore
from defence_news.ui.tables import CACHE

store = LocalStore(sys.argv[1])
apps = plugins_manager.get_fastapi_plugins()[0]
ui = next(entry["app"] for entry in apps if entry["name"] == "Defence news")
app = create_app("core")
print("built before the server started:", ui.built)
with TestClient(app) as client:  # runs the lifespan startup, as uvicorn does
    print("built once it started:", ui.built)
    deadline = time.monotonic() + 60
    while not (CACHE.built(store, "events") and CACHE.built(store, "fused")):
        assert time.monotonic() < deadline, "the tables were not built in the background"
        time.sleep(0.05)
    print("tables built before any request")
    print("first request:", client.get("/defence-news/api/events").status_code)
"""


def test_the_api_server_starting_builds_the_ui_and_starts_its_tables(
    airflow_db: None, filled_store: LocalStore
) -> None:
    env = {**os.environ, "DEFENCE_NEWS_STORE": "local"}
    env["DEFENCE_NEWS_LOCAL_ROOT"] = str(filled_store.root)
    result = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE, str(filled_store.root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    said = [
        line for line in result.stdout.splitlines() if line.startswith(("built", "tables", "first"))
    ]
    assert said == [
        "built before the server started: False",
        "built once it started: True",
        "tables built before any request",
        "first request: 401",  # built, and still behind Airflow's login
    ]


def test_airflow_api_server_serves_the_pages_behind_its_login(
    airflow_db: None, filled_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(filled_store.root))
    client = TestClient(create_app("core"))
    for path in ("events", "fused", "charts", "health", "api/events", "export/events"):
        assert client.get(f"/defence-news/{path}").status_code == 401, path  # no login
    refused = client.get("/defence-news/health")
    assert 'href="../auth/login?next=' in refused.text  # a browser is shown the way in
    assert client.get("/defence-news/api/health").json() == {"detail": "Not authenticated"}

    manager = get_auth_manager()
    nobody = manager.generate_jwt(SimpleAuthManagerUser(username="guest", role=None))
    refused = client.get("/defence-news/api/events", headers={"Authorization": f"Bearer {nobody}"})
    assert refused.status_code == 403  # signed in, but may not read the pipeline's DAGs

    token = manager.generate_jwt(SimpleAuthManagerUser(username="ops", role="viewer"))
    page = client.get("/defence-news/events?date=2026-11-28", cookies={"_token": token})
    assert page.status_code == 200
    assert "The two land forces will sign a memorandum" in page.text
    bearer = {"Authorization": f"Bearer {token}"}
    health = client.get("/defence-news/api/health", headers=bearer)
    assert health.status_code == 200
    sources = {row["source_id"]: row for row in health.json()["sources"]}
    assert sources["seed"]["articles"] == 4 and sources["broken-feed"]["state"] == "failed"
    bad = client.get("/defence-news/api/events?event_from=soon", headers=bearer)
    assert bad.status_code == 422 and "event_from must be an ISO date" in bad.json()["detail"]
    exported = client.get("/defence-news/export/events?country=IND", headers=bearer)
    assert [row["event_id"] for row in csv.DictReader(io.StringIO(exported.text))] == ["e3"]
    plugins = client.get("/api/v2/plugins", headers=bearer).json()
    names = {view["name"] for p in plugins["plugins"] for view in p["external_views"]}
    assert {"Defence events", "Defence fused events", "Defence charts"} <= names
    assert "Defence source health" in names


def test_health_shows_the_unreachable_source_failed_with_its_task_logs(
    ingested_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    ingest_task_links = _plugin_module().ingest_task_links
    links = ingest_task_links([HEALTHY, UNREACHABLE], ["seed"])
    assert set(links) == {(HEALTHY.slug, "seed"), (UNREACHABLE.slug, "seed")}
    assert all(
        link.startswith("../dags/defence_news_ingest/runs/")
        and link.endswith("/tasks/ingest/mapped/0")
        for link in links.values()
    )

    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(ingested_store.root))
    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="ops", role="viewer"))
    client = TestClient(create_app("core"), headers={"Authorization": f"Bearer {token}"})
    body = client.get("/defence-news/api/health").json()
    seed = next(row for row in body["sources"] if row["source_id"] == "seed")
    newest, before = seed["runs"][0], seed["runs"][1]
    assert newest["interval"] == UNREACHABLE.slug and newest["state"] == "failed"
    assert newest["failures"] >= 1 and newest["articles"] == 0
    assert before["interval"] == HEALTHY.slug and before["articles"] >= 8
    assert seed["last_success"] == HEALTHY.slug
    assert newest["log_url"] == links[(UNREACHABLE.slug, "seed")]
    page = client.get("/defence-news/health").text
    assert f'href="{escape(links[(UNREACHABLE.slug, "seed")])}"' in page
    # The link names the failed task instance of that source in that run.
    _, _, dag_id, _, run_id, _, task_id, _, map_index = links[(UNREACHABLE.slug, "seed")].split("/")
    api = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}"
    instance = client.get(api).json()
    assert (instance["rendered_map_index"], instance["state"]) == ("seed", "failed")


def _plugin_module():
    """plugins/defence_news_plugin.py as Airflow loads it: by path, not as a package."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "plugins" / "defence_news_plugin.py"
    spec = importlib.util.spec_from_file_location("defence_news_plugin_under_test", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture
def served_ui(filled_store: LocalStore) -> Iterator[str]:
    """The UI app served by uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    from defence_news.ui.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(lambda: filled_store), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_TIMEOUT)


def test_pages_over_real_http(served_ui: str) -> None:
    home = requests.get(f"{served_ui}/", timeout=5)
    assert home.url == f"{served_ui}/events"  # followed the relative redirect
    assert home.headers["content-type"].startswith("text/html")

    events = requests.get(f"{served_ui}/events", params={"country": "KHM"}, timeout=5)
    assert events.status_code == 200
    assert "Angkor Sentinel" in events.text
    assert "<script>" not in events.text

    data = requests.get(
        f"{served_ui}/api/events", params={"country": "IND", "event_from": "2026-11-21"}, timeout=5
    ).json()
    assert data["total"] == 0  # its event happened on the 20th
    data = requests.get(
        f"{served_ui}/api/events", params={"country": "IND", "event_to": "2026-11-20"}, timeout=5
    ).json()
    assert [row["evidence"]["sentence"] for row in data["events"]] == [HOSTILE_SENTENCE]

    exported = requests.get(f"{served_ui}/export/events", params={"format": "jsonl"}, timeout=5)
    assert exported.headers.get("transfer-encoding") == "chunked"  # streamed, no length
    assert len(exported.text.splitlines()) == 4

    health = requests.get(f"{served_ui}/health", timeout=5)
    assert health.status_code == 200
    assert "broken-feed" in health.text and "http_503" in health.text


def test_standalone_ui_command_serves_the_store(filled_store: LocalStore) -> None:
    port = free_port()
    env = {**os.environ, "DEFENCE_NEWS_STORE": "local"}
    env["DEFENCE_NEWS_LOCAL_ROOT"] = str(filled_store.root)
    command = [sys.executable, "-m", "defence_news.ui.cli", "ui", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/events?ingest_from=2026-11-28", process)
        assert page.status_code == 200
        assert "Land forces to sign memorandum" in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert f"http://127.0.0.1:{port}/events" in process.stdout.read().decode()


def _get_when_up(url: str, process: subprocess.Popen[bytes]) -> requests.Response:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ui command exited: {process.stderr.read().decode()[-2000:]}")
        try:
            response = requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.1)
            continue
        if response.status_code != 503:
            return response
        time.sleep(float(response.headers["Retry-After"]))  # its tables are still loading
    raise RuntimeError(f"ui command did not answer at {url} within {SERVER_START_TIMEOUT}s")


def test_plugin_reads_s3_through_the_airflow_connection(
    airflow_db: None, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same store settings and ``aws`` connection as the DAGs: no DuckDB httpfs."""
    import json
    import uuid

    import boto3
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    from defence_news.store import S3Store

    bucket = f"ui-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    fill_store(S3Store.from_params(bucket, endpoint_url=s3_endpoint))  # type: ignore[arg-type]
    monkeypatch.setenv("DEFENCE_NEWS_STORE", "s3")
    monkeypatch.setenv("DEFENCE_NEWS_S3_BUCKET", bucket)
    monkeypatch.setenv("DEFENCE_NEWS_AWS_CONN_ID", "news_s3")
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_NEWS_S3", json.dumps(connection))
    app = create_app("core")
    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="ops", role="viewer"))
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    body = client.get("/defence-news/api/events", params={"pair": "KHM-RUS"}).json()
    assert [row["event_id"] for row in body["events"]] == ["e1"]
    assert body["stored"] == 4 and body["problems"] == []
