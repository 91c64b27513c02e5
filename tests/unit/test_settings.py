from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from defence_news.cli import main
from defence_news.fetch import FetchSettings
from defence_news.fetch import settings as fetch_settings
from defence_news.settings import SettingsError, SourceSelection, StoreSettings, ui_cache_folder
from defence_news.ui.cli import main as ui_main
from tests.conftest import PROJECT_ROOT


def test_local_folder_is_the_default_store() -> None:
    settings = StoreSettings.from_env({})
    assert settings.kind == "local"
    assert settings.local_root.name == "store"


def test_s3_is_one_setting_away_and_needs_a_bucket() -> None:
    with pytest.raises(ValueError, match="DEFENCE_NEWS_S3_BUCKET"):
        StoreSettings.from_env({"DEFENCE_NEWS_STORE": "s3"})
    env = {"DEFENCE_NEWS_STORE": "S3", "DEFENCE_NEWS_S3_BUCKET": "news"}
    settings = StoreSettings.from_env({**env, "DEFENCE_NEWS_LOCAL_ROOT": "/x"})
    assert (settings.kind, settings.bucket, settings.aws_conn_id) == ("s3", "news", "aws_default")
    assert settings.local_root == Path("/x")


def test_unknown_store_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'local' or 's3'"):
        StoreSettings.from_env({"DEFENCE_NEWS_STORE": "ftp"})


def test_source_selection_parses_ids_and_seed_url() -> None:
    selection = SourceSelection.from_env(
        {"DEFENCE_NEWS_SOURCES": " seed, defense_news ,", "DEFENCE_NEWS_SEED_URL": "http://h:1/"}
    )
    assert selection.names == ("seed", "defense_news")
    assert selection.seed_url == "http://h:1"
    assert SourceSelection.from_env({}).names == ("registry",)


# --- a bad setting is one clear line, never a traceback ----------------------------------

# (variable, bad value, what the message must say is expected)
BAD_FETCH_SETTINGS = [
    ("DEFENCE_NEWS_FETCH_RETRIES", "lots", "retries must be an integer >= 0"),
    ("DEFENCE_NEWS_FETCH_RETRIES", "-1", "retries must be >= 0"),
    ("DEFENCE_NEWS_FETCH_MAX_WORKERS", "0", "max_workers must be > 0"),
    ("DEFENCE_NEWS_FETCH_MAX_WORKERS", "2.5", "max_workers must be an integer > 0"),
    ("DEFENCE_NEWS_FETCH_CONNECT_TIMEOUT", "0", "connect_timeout must be > 0"),
    ("DEFENCE_NEWS_FETCH_READ_TIMEOUT", "-3", "read_timeout must be > 0"),
    ("DEFENCE_NEWS_FETCH_TOTAL_TIMEOUT", "nan", "total_timeout must be a finite number > 0"),
    ("DEFENCE_NEWS_FETCH_TOTAL_TIMEOUT", "soon", "total_timeout must be a finite number > 0"),
    ("DEFENCE_NEWS_FETCH_BACKOFF_JITTER", "-0.5", "backoff_jitter must be >= 0"),
    ("DEFENCE_NEWS_FETCH_SEEN_RETENTION_DAYS", "0", "seen_retention_days must be > 0"),
    ("DEFENCE_NEWS_FETCH_ALLOW_PRIVATE", "maybe", "allow_private must be true or false"),
    ("DEFENCE_NEWS_FETCH_CA_BUNDLE", "/no/such/ca.pem", "the path of a PEM file"),
]
BAD_STORE_SETTINGS = [
    ("DEFENCE_NEWS_STORE", "ftp", "expected 'local' or 's3'"),
    ("DEFENCE_NEWS_S3_ENDPOINT_URL", "minio:9000", "expected an http:// or https:// URL"),
]


def expect_settings_error(variable: str, value: str, expected: str) -> str:
    """The message's parts a user reads: which variable, its bad value, what it should be."""
    return f"{variable}={value!r}.*{re.escape(expected)}"


@pytest.mark.parametrize(("variable", "value", "expected"), BAD_FETCH_SETTINGS)
def test_each_bad_fetch_setting_is_a_settings_error(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError, match=expect_settings_error(variable, value, expected)):
        FetchSettings.from_env({variable: value})


@pytest.mark.parametrize(("variable", "value", "expected"), BAD_STORE_SETTINGS)
def test_each_bad_store_setting_is_a_settings_error(
    variable: str, value: str, expected: str
) -> None:
    env = {"DEFENCE_NEWS_STORE": "s3", "DEFENCE_NEWS_S3_BUCKET": "news", variable: value}
    with pytest.raises(SettingsError, match=expect_settings_error(variable, value, expected)):
        StoreSettings.from_env(env)


def test_s3_without_a_bucket_and_a_bad_seed_url_are_settings_errors() -> None:
    with pytest.raises(SettingsError, match="DEFENCE_NEWS_STORE='s3' needs DEFENCE_NEWS_S3_BUCKET"):
        StoreSettings.from_env({"DEFENCE_NEWS_STORE": "s3"})
    with pytest.raises(
        SettingsError, match=expect_settings_error("DEFENCE_NEWS_SEED_URL", "127.0.0.1:8765", "URL")
    ):
        SourceSelection.from_env({"DEFENCE_NEWS_SEED_URL": "127.0.0.1:8765"})


def test_every_numeric_fetch_setting_has_a_range() -> None:
    # A new limit added without a range would take "-1" from the environment silently.
    numeric = {
        item.name
        for item in dataclasses.fields(FetchSettings)
        if type(item.default) in (int, float)
    }
    assert numeric - (fetch_settings.POSITIVE | fetch_settings.NON_NEGATIVE) == set()


def test_a_blank_setting_means_its_default() -> None:
    assert FetchSettings.from_env({"DEFENCE_NEWS_FETCH_RETRIES": " "}).retries == 3
    assert StoreSettings.from_env({"DEFENCE_NEWS_STORE": ""}).kind == "local"


def test_settings_errors_are_value_errors_for_callers_that_catch_those() -> None:
    assert issubclass(SettingsError, ValueError)


@pytest.mark.parametrize(("variable", "value", "expected"), BAD_FETCH_SETTINGS + BAD_STORE_SETTINGS)
def test_the_cli_prints_one_line_and_exits_2(
    variable: str,
    value: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    if variable == "DEFENCE_NEWS_S3_ENDPOINT_URL":
        monkeypatch.setenv("DEFENCE_NEWS_STORE", "s3")
        monkeypatch.setenv("DEFENCE_NEWS_S3_BUCKET", "news")
    # fetch reads the store settings (unless --store names a folder), then the fetch
    # settings, before it serves the seed site or opens any connection.
    store = ["--store", str(tmp_path)] if variable.startswith("DEFENCE_NEWS_FETCH_") else []
    assert main(["fetch", "--seed-site", *store]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"defence_news: {variable}={value!r}") and err.count("\n") == 1
    assert re.search(re.escape(expected), err)


@pytest.mark.parametrize("entry_point", [main, ui_main], ids=["defence_news", "ui.cli"])
def test_the_ui_command_reports_a_bad_store_setting_the_same_way(
    entry_point: Callable[[list[str]], int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEFENCE_NEWS_STORE", "ftp")
    assert entry_point(["ui"]) == 2
    assert capsys.readouterr().err == (
        "defence_news: DEFENCE_NEWS_STORE='ftp' is not valid: "
        "expected 'local' or 's3' (default 'local')\n"
    )


def test_python_m_defence_news_exits_2_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "DEFENCE_NEWS_FETCH_RETRIES": "lots"}
    result = subprocess.run(
        [sys.executable, "-m", "defence_news", "fetch", "--seed-site", "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "defence_news: DEFENCE_NEWS_FETCH_RETRIES='lots' is not valid: "
        "retries must be an integer >= 0 (default 3)\n"
    )
    assert list(tmp_path.iterdir()) == []  # nothing was fetched or written


def test_the_ui_keeps_its_tables_in_the_cache_folder_unless_told_off() -> None:
    assert ui_cache_folder({"XDG_CACHE_HOME": "/c"}) == Path("/c/defence-news/ui")
    assert ui_cache_folder({"HOME": "/h"}).parts[-2:] == ("defence-news", "ui")
    assert ui_cache_folder({"DEFENCE_NEWS_UI_CACHE": " /var/ui "}) == Path("/var/ui")
    assert ui_cache_folder({"DEFENCE_NEWS_UI_CACHE": "OFF"}) is None
    assert ui_cache_folder({"DEFENCE_NEWS_UI_CACHE": ""}) == ui_cache_folder({})
