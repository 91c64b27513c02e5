"""The plugin's pages in a real browser: Airflow's api-server (own process) with the
plugin, headless Debian Chromium driven by Selenium through chromium-driver.

Signs in on Airflow's login page, opens each page, filters the events by an event
date and a country, expands a row, downloads the CSV, and checks the health page
shows the source whose site was unreachable as failed. A screenshot of each page
goes to test-artifacts/ui/ (git-ignored). Skips, saying why, where Chromium or its
driver is missing (``.ci/run`` installs both).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from defence_news.store import LocalStore
from defence_news.ui.html import run_label
from tests.integration.conftest import UNREACHABLE
from tests.support.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
API_SERVER_START = 180.0  # seconds; the api-server imports all of Airflow on a shared machine
WAIT = 30.0  # seconds for a page or a download in the browser
USER, PASSWORD = "analyst", "not-a-real-secret-" + uuid.uuid4().hex[:8]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no {CHROMIUM}: apt-get install chromium chromium-driver (.ci/run does)"
    if not CHROMEDRIVER.exists():
        return f"no {CHROMEDRIVER}: apt-get install chromium-driver (.ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (requirements-dev.txt pins it)"
    return None


@pytest.fixture(scope="module")
def api_server(
    airflow_db: None, ingested_store: LocalStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``airflow api-server`` on a free loopback port over the ingested store, with one
    viewer account; yields its base URL."""
    if (reason := _missing()) is not None:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("api-server")
    passwords = folder / "passwords.json"
    passwords.write_text(json.dumps({USER: PASSWORD}))
    port = free_port()
    env = {
        **os.environ,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "DEFENCE_NEWS_STORE": "local",
        "DEFENCE_NEWS_LOCAL_ROOT": str(ingested_store.root),
        "PYTHONPATH": os.pathsep.join(
            [str(PROJECT_ROOT / "include"), str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
        ),
    }
    log = open(folder / "api-server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow", "api-server", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=PROJECT_ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process, folder / "api-server.log")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + API_SERVER_START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"api-server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise RuntimeError(f"api-server did not answer within {API_SERVER_START:.0f}s")


@pytest.fixture(scope="module")
def browser(api_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1500,1100"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.downloads = downloads  # type: ignore[attr-defined]
    driver.set_page_load_timeout(WAIT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: object, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def _wait(driver: object, condition: object) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


def test_pages_in_a_real_browser(api_server: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    driver = browser
    # Without a login, the plugin refuses; Airflow's UI sends the browser to sign in.
    driver.get(f"{api_server}/defence-news/events")  # type: ignore[attr-defined]
    assert "Not authenticated" in driver.page_source  # type: ignore[attr-defined]
    driver.find_element(By.ID, "sign-in").click()  # type: ignore[attr-defined]
    username = _wait(driver, ec.presence_of_element_located((By.NAME, "username")))
    username.send_keys(USER)  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    _shot(driver, "0-login")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # type: ignore[attr-defined]
    _wait(driver, lambda d: d.get_cookie("_token") is not None)
    # Airflow sends the browser back to the page it came from.
    _wait(driver, lambda d: "/defence-news/events" in d.current_url)

    # The nav entry shows the plugin's page inside Airflow's own UI.
    driver.get(f"{api_server}/plugin/defence-news-events")  # type: ignore[attr-defined]
    _wait(driver, ec.presence_of_element_located((By.TAG_NAME, "iframe")))
    time.sleep(2)  # the frame's own page loads after the element appears
    _shot(driver, "1-events-in-airflow")

    driver.get(f"{api_server}/defence-news/events")  # type: ignore[attr-defined]
    _wait(driver, ec.presence_of_element_located((By.ID, "filters")))
    summary = driver.find_element(By.ID, "summary").text  # type: ignore[attr-defined]
    assert summary.startswith("4 event(s) match")
    # A date and a country filter, through the form as a user would.
    date_box = driver.find_element(By.ID, "f-event_from")  # type: ignore[attr-defined]
    driver.execute_script("arguments[0].value = '2026-11-20'", date_box)  # type: ignore[attr-defined]
    Select(driver.find_element(By.ID, "f-country")).select_by_value("KHM")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "apply").click()  # type: ignore[attr-defined]
    _wait(driver, lambda d: "country=KHM" in d.current_url)
    assert "event_from=2026-11-20" in driver.current_url  # type: ignore[attr-defined]
    summary = driver.find_element(By.ID, "summary").text  # type: ignore[attr-defined]
    assert summary.startswith("3 event(s) match")
    rows = driver.find_elements(By.CSS_SELECTOR, "details.ev")  # type: ignore[attr-defined]
    assert len(rows) == 3
    evidence = rows[0].find_element(By.CSS_SELECTOR, "blockquote.evidence")
    assert not evidence.is_displayed()
    rows[0].find_element(By.TAG_NAME, "summary").click()
    _wait(driver, lambda d: evidence.is_displayed())
    assert evidence.text.startswith("The two land forces will sign a memorandum")
    _shot(driver, "2-events-filtered-expanded")

    driver.find_element(By.ID, "export-csv").click()  # type: ignore[attr-defined]
    csv_file = _downloaded(driver.downloads, "defence-news-events.csv")  # type: ignore[attr-defined]
    with csv_file.open(encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert sorted(row["event_id"] for row in exported) == ["e1", "e2", "e4"]
    assert all("KHM" in row["countries"] for row in exported)

    for name, path, marker in (
        ("3-fused", "fused?category=visit", "2 outlet(s)"),
        ("4-charts", "charts", "Strongest country pairs"),
        ("5-country", "country?code=KHM", "Partners over time"),
    ):
        driver.get(f"{api_server}/defence-news/{path}")  # type: ignore[attr-defined]
        _wait(driver, ec.presence_of_element_located((By.ID, "summary")))
        if name == "3-fused":
            driver.find_element(By.CSS_SELECTOR, "details.ev > summary").click()  # type: ignore[attr-defined]
        assert marker in driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
        _shot(driver, name)

    driver.get(f"{api_server}/defence-news/health")  # type: ignore[attr-defined]
    row = _wait(driver, ec.presence_of_element_located((By.ID, "source-seed")))
    assert "st-failed" in row.get_attribute("class")  # type: ignore[attr-defined]
    assert row.find_element(By.CSS_SELECTOR, "td.state").text == "failed"  # type: ignore[attr-defined]
    assert "unreachable" in row.text  # type: ignore[attr-defined]
    log_links = row.find_elements(By.CSS_SELECTOR, "a[target=_top]")  # type: ignore[attr-defined]
    assert any("/tasks/ingest/mapped/0" in a.get_attribute("href") for a in log_links)
    assert run_label(UNREACHABLE.slug) in [a.text for a in log_links]
    _shot(driver, "6-health")


def _downloaded(folder: Path, name: str) -> Path:
    deadline = time.monotonic() + WAIT
    target = folder / name
    while time.monotonic() < deadline:
        if target.exists() and not list(folder.glob("*.crdownload")):
            return target
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded; folder holds {sorted(os.listdir(folder))}")


def test_artifacts_are_ignored_by_git() -> None:
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    probe = "test-artifacts/ui/x.png"
    result = subprocess.run(
        ["git", "check-ignore", "-q", probe], cwd=PROJECT_ROOT, check=False, timeout=30
    )
    assert result.returncode == 0, f"{probe} is not git-ignored"
