from __future__ import annotations

from pathlib import Path

import pytest

from defence_news.settings import SourceSelection, StoreSettings


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
