"""The offline seed site through the fetch command, with production settings.

The only test that uses the seed site (another area owns it); the fetcher's
own behaviour is tested against the faulty server.
"""

from __future__ import annotations

import argparse
import json

import pytest

from defence_news.fetch.cli import add_fetch_command
from defence_news.fetch.state import state_key
from defence_news.store import LocalStore

pytest.importorskip("defence_news.seedsite")
SEED_STORY_PATH = "/2024/06/18/cambodia-russia-army-mou/"


def test_fetch_command_collects_the_seed_site(tmp_path, capsys, monkeypatch):
    for name in ("DEFENCE_NEWS_FETCH_ALLOW_PRIVATE", "DEFENCE_NEWS_FETCH_PER_HOST_RATE"):
        monkeypatch.delenv(name, raising=False)  # production defaults
    parser = argparse.ArgumentParser()
    add_fetch_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["fetch", "--seed-site", "--hours", "168", "--store", str(tmp_path)])
    assert args.handler(args) == 0

    printed = capsys.readouterr().out
    rows = dict(line.split() for line in printed.splitlines() if len(line.split()) == 2)
    assert int(rows["fetched"]) >= 1
    assert int(rows["failed"]) == 0
    assert int(rows["discovered"]) == sum(
        int(rows[name]) for name in ("fetched", "not_modified", "skipped", "failed")
    )
    assert "source error" not in printed

    store = LocalStore(tmp_path)
    [warc] = list(store.list("raw/source=seed/"))
    assert store.get(warc)[:2] == b"\x1f\x8b"
    seen = json.loads(store.get(state_key("seed")))["urls"].values()
    story = [entry for entry in seen if entry["url"].endswith(SEED_STORY_PATH)]
    assert len(story) == 1  # listed with and without tracking parameters, fetched once
