"""``python -m defence_news run``: what ``make run`` and ``make demo`` call, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DEFENCE_NEWS_LOCAL_ROOT": str(tmp_path / "store"), **env}
    environ.pop("DEFENCE_NEWS_STORE", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "defence_news",
            "run",
            "--log-file",
            str(tmp_path / "run.log"),
            *args,
        ],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )


def test_demo_over_the_seed_site_prints_articles_and_events(airflow_db, tmp_path) -> None:
    result = run_cli(tmp_path, "--seed-site", "--seed-port", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "defence_news_ingest: success" in out
    assert "defence_news_events: success" in out
    assert "Cambodian and Russian armies" in out
    assert "Angkor Sentinel" in out
    assert "Traceback" not in out + result.stderr
    assert list((tmp_path / "store" / "events").rglob("*.parquet"))
    assert (tmp_path / "run.log").stat().st_size > 0  # Airflow's logs went to the file


def test_unreachable_source_is_reported_and_the_run_exits_cleanly(airflow_db, tmp_path) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused.
    result = run_cli(
        tmp_path, DEFENCE_NEWS_SOURCES="seed", DEFENCE_NEWS_SEED_URL="http://127.0.0.1:9"
    )
    # The source failed as a whole: its task fails (no retries in-process), so does the
    # run's exit code; the summary still lists it and says why.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "defence_news_ingest: failed" in result.stdout
    assert "source tasks failed: seed" in result.stdout
    seed_line = next(line for line in result.stdout.splitlines() if line.startswith("seed "))
    assert "unreachable" in seed_line
    assert "make demo" in result.stdout
    assert "articles: 0" in result.stdout
