"""The real-text corpus: facts in git, texts in a cache, and what the cache lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from defence_news.cli import main
from defence_news.realtext import (
    GOLD_PATH,
    clean_excerpt,
    load_corpus,
    put_excerpt,
    read_gold,
)


def _gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [
        {"id": "A1", "split": "dev", "url": "https://a.test/1", "query": "q one", "events": []},
        {"id": "B1", "split": "blind2", "url": "https://b.test/1", "query": "q two", "events": []},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return path


def test_the_committed_gold_is_well_formed() -> None:
    records = read_gold(GOLD_PATH)
    assert len(records) >= 200
    assert len({r["id"] for r in records}) == len(records)
    for record in records:
        assert record["url"].startswith("http") and record["query"]
        assert record["split"] == "dev" or record["split"].startswith("blind")
        assert "text" not in record  # facts only: the text stays in the cache
        for event in record["events"]:
            assert len(set(event["actors"])) >= 2
    # Every blind part (measured once, then folded into dev as a "batch") is 60 or more.
    batches = {r.get("batch") or r["split"] for r in records} - {"dev"}
    assert batches, "no blind part"
    for batch in batches:
        assert sum(1 for r in records if (r.get("batch") or r["split"]) == batch) >= 60
    assert sum(1 for r in records if not r["events"]) >= 20  # articles with no event


def test_an_excerpt_loses_the_store_s_date_marker() -> None:
    assert clean_excerpt(" date 2024-02-29 BOGOTA (AP) — Text.") == (
        "BOGOTA (AP) — Text.",
        "2024-02-29",
    )
    assert clean_excerpt(" date 2017-05 Text.") == ("Text.", "2017-05")
    assert clean_excerpt("No marker here.") == ("No marker here.", None)


def test_put_stores_the_text_and_load_finds_it(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    put_excerpt({"id": "A1", "excerpt": " date 2024-01-02 Body of A1."}, cache)
    corpus = load_corpus(gold_path=_gold(tmp_path), cache_dir=cache)
    assert [(a.id, a.split, a.text) for a in corpus] == [
        ("A1", "dev", "Body of A1.\n"),
        ("B1", "blind2", None),
    ]
    assert [a.id for a in load_corpus(["blind2"], _gold(tmp_path), cache)] == ["B1"]


@pytest.mark.parametrize("entry", [{"id": "../x", "excerpt": "t"}, {"id": "A1", "excerpt": " "}])
def test_put_refuses_a_bad_entry(tmp_path: Path, entry: dict) -> None:
    with pytest.raises(ValueError):
        put_excerpt(entry, tmp_path)


def test_status_names_every_missing_text_with_its_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold, cache = _gold(tmp_path), tmp_path / "cache"
    put_excerpt({"id": "A1", "excerpt": "Body."}, cache)
    args = ["realtext", "--gold", str(gold), "--cache", str(cache), "status"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "dev: 1/1 texts cached" in out and "blind2: 0/1 texts cached" in out
    assert "missing B1: query 'q two'" in out and "https://b.test/1" in out
    assert main([*args, "--strict"]) == 1


def test_put_takes_a_plain_text_file_named_by_its_id(tmp_path: Path) -> None:
    source, cache = tmp_path / "A1.txt", tmp_path / "cache"
    source.write_text(' date 2024-02-29 He said "yes".\nSecond line.', "utf-8")
    args = ["realtext", "--gold", str(_gold(tmp_path)), "--cache", str(cache)]
    assert main([*args, "put", str(source)]) == 0
    assert (cache / "A1.txt").read_text("utf-8") == 'He said "yes".\nSecond line.\n'
