"""The UI plugin inside Airflow, and the UI app over real HTTP on loopback.

- Airflow's plugins manager loads plugins/defence_news_plugin.py with its
  FastAPI app and nav views.
- Airflow's own API server app mounts the UI at /defence-news behind its login.
- uvicorn serves the UI app on 127.0.0.1 and the pages are fetched over HTTP.
- Optional: headless Chromium renders the events page to a PNG (skipped when
  /usr/bin/chromium is absent).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from defence_news.store import LocalStore
from tests.support.servers import free_port
from tests.unit.ui.fixtures import HOSTILE_SENTENCE, fill_store

pytestmark = pytest.mark.integration

SERVER_START_TIMEOUT = 10.0  # seconds; uvicorn starts in well under one
CHROMIUM = Path("/usr/bin/chromium")


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
    views = {view["url_route"]: view for view in plugin["external_views"]}
    assert views["defence-news-events"]["href"] == "defence-news/events"
    assert views["defence-news-health"]["href"] == "defence-news/health"
    assert {view["destination"] for view in views.values()} == {"nav"}
    # hrefs are relative: the UI resolves them against its base URL
    assert not any(view["href"].startswith("/") for view in views.values())


def test_loading_the_plugin_imports_neither_fastapi_nor_pyarrow() -> None:
    # Every Airflow component loads plugins; only the API server needs the app.
    probe = (
        "import sys\n"
        "from airflow import plugins_manager\n"
        "plugins, errors = plugins_manager._get_plugins()\n"
        "assert [p.name for p in plugins] == ['defence_news'], (plugins, errors)\n"
        "print(sorted({'fastapi', 'pyarrow'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_airflow_api_server_serves_the_pages_behind_its_login(
    airflow_db: None, filled_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(filled_store.root))
    client = TestClient(create_app("core"))
    assert client.get("/defence-news/events").status_code == 401  # no Airflow login

    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="ops", role="viewer"))
    page = client.get("/defence-news/events?date=2026-11-28", cookies={"_token": token})
    assert page.status_code == 200
    assert "The two land forces will sign a memorandum" in page.text
    health = client.get("/defence-news/api/health", headers={"Authorization": f"Bearer {token}"})
    assert health.status_code == 200
    assert health.json()["totals"]["seed"]["article"] == 4
    plugins = client.get("/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}).json()
    names = {view["name"] for p in plugins["plugins"] for view in p["external_views"]}
    assert {"Defence events", "Defence source health"} <= names


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

    events = requests.get(f"{served_ui}/events", params={"date": "2026-11-28"}, timeout=5)
    assert events.status_code == 200
    assert "Angkor Sentinel" in events.text
    assert "<script>" not in events.text

    data = requests.get(f"{served_ui}/api/events", params={"country": "IND"}, timeout=5).json()
    assert data["filters"]["date"] == "2026-11-29"  # the newest date by default
    assert data["total"] == 0
    data = requests.get(
        f"{served_ui}/api/events", params={"country": "IND", "date": "2026-11-28"}, timeout=5
    ).json()
    assert [row["evidence"]["sentence"] for row in data["events"]] == [HOSTILE_SENTENCE]

    health = requests.get(f"{served_ui}/health", timeout=5)
    assert health.status_code == 200
    assert "broken-feed" in health.text and "http_503" in health.text


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium on this machine: screenshot not taken"
)
def test_events_page_renders_in_headless_chromium(served_ui: str, tmp_path: Path) -> None:
    shot = tmp_path / "events.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1400,900",
            f"{served_ui}/events?date=2026-11-28",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a blank page compresses to far less


def test_standalone_ui_command_serves_the_store(filled_store: LocalStore) -> None:
    port = free_port()
    env = {**os.environ, "DEFENCE_NEWS_STORE": "local"}
    env["DEFENCE_NEWS_LOCAL_ROOT"] = str(filled_store.root)
    command = [sys.executable, "-m", "defence_news.ui.cli", "ui", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/events?date=2026-11-28", process)
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
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"ui command did not answer at {url} within {SERVER_START_TIMEOUT}s")
