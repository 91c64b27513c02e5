"""Every seed-site page parses to exactly its golden record (seeds/goldens/<slug>.json).

One test over all golden files: the page HTML is read from seeds/site/<path>
(index.html for directory paths) with ``{{BASE_URL}}`` replaced by a fixed base,
parsed, and every field the golden names is compared; the derived fields
(article_id, content_hash, simhash, word_count) are checked against the body.
A golden of the form ``{"not_article": reason}`` expects that reason.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from defence_news.models import Article
from defence_news.parse import parse_article
from defence_news.parse.fingerprint import content_hash, simhash

REPO = Path(__file__).resolve().parents[3]
GOLDENS = REPO / "seeds" / "goldens"
SITE = REPO / "seeds" / "site"
BASE_URL = "http://seed.test"
PLACEHOLDER = "{{BASE_URL}}"
# Files in the goldens folder that hold other stages' expectations.
OTHER_STAGES_SUFFIXES = (".events.json",)
# Keys of a golden that describe the test case rather than Article fields.
CASE_KEYS = {"path", "not_article", "source_id_hint"}
ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}


def golden_files() -> list[Path]:
    return sorted(
        path for path in GOLDENS.glob("*.json") if not path.name.endswith(OTHER_STAGES_SUFFIXES)
    )


def substitute(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(PLACEHOLDER, BASE_URL)
    if isinstance(value, list):
        return [substitute(item) for item in value]
    return value


def page_html(path: str) -> str:
    target = SITE / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.read_text(encoding="utf-8").replace(PLACEHOLDER, BASE_URL)


@pytest.mark.parametrize("golden_path", golden_files(), ids=lambda path: path.stem)
def test_seed_page_matches_golden(golden_path: Path):
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    unknown = set(golden) - ARTICLE_FIELDS - CASE_KEYS
    assert not unknown, f"golden names fields the Article does not have: {sorted(unknown)}"
    path = golden["path"]
    url = substitute(golden.get("url")) or BASE_URL + path
    result = parse_article(page_html(path), url, source_id=golden.get("source_id", "seed"))

    if "not_article" in golden:
        expected = golden["not_article"]
        expected = expected if ":" in expected else f"not_article:{expected}"
        assert result.article is None
        assert result.reason == expected, result.detail
        return

    assert result.reason is None, (result.reason, result.detail)
    actual = result.article.to_dict()
    mismatches = {
        key: {"expected": substitute(value), "actual": actual[key]}
        for key, value in golden.items()
        if key not in CASE_KEYS and actual[key] != substitute(value)
    }
    assert not mismatches, json.dumps(mismatches, indent=1, ensure_ascii=False)

    article = result.article
    assert article.article_id == Article.make_id(article.canonical_url or article.url)
    assert article.content_hash == content_hash(article.body)
    assert article.simhash == simhash(article.body)
    assert article.word_count == len(article.body.split())
