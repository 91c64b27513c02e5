"""The source registry: the packaged entries are valid, bad entries are named clearly."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from defence_news.sources import (
    SourceRegistryError,
    load_sources,
    seed_source,
    source_from_entry,
)

REGIONS_REQUIRED = {"southeast_asia", "south_asia", "europe", "africa", "middle_east"}
GOOD_ENTRY = {
    "name": "Wire",
    "publisher": "Wire Ltd",
    "homepage": "https://wire.example/",
    "feeds": ["https://wire.example/feed/"],
}


def test_packaged_registry_covers_regions_and_official_newsrooms():
    sources = load_sources()
    assert len(sources) >= 15
    assert len({source.id for source in sources}) == len(sources)
    assert {source.region for source in sources} >= REGIONS_REQUIRED
    official = [s for s in sources if s.id in {"uk_mod", "us_dod", "india_pib_defence", "nato"}]
    assert len(official) == 4
    assert len({source.language for source in sources}) >= 3
    assert all(source.discovery_urls and not source.allow_private for source in sources)


def test_packaged_entries_are_well_formed():
    for source in load_sources():
        for url in (source.homepage, *source.feeds, *source.sitemaps):
            assert urlsplit(url).scheme == "https", f"{source.id}: {url}"
        site = urlsplit(source.homepage).hostname.removeprefix("www.")  # type: ignore[union-attr]
        for url in source.discovery_urls:  # feeds come from the outlet itself
            assert urlsplit(url).hostname.endswith(site), f"{source.id}: {url}"  # type: ignore[union-attr]
        assert 1 <= source.max_per_run <= 500


def test_include_and_exclude_rules():
    source = source_from_entry(
        "wire", {**GOOD_ENTRY, "include": [r"/\d{4}/\d{2}/"], "exclude": ["/video/"]}
    )
    assert source.wants("https://wire.example/2026/03/frigate") is None
    assert source.wants("https://wire.example/about") == "not_included"
    assert source.wants("https://wire.example/2026/03/video/clip") == "excluded"


def test_parse_rules_are_kept_read_only():
    rules = {"body_selector": "div.story", "drop_selectors": [".share"]}
    source = source_from_entry("wire", {**GOOD_ENTRY, "parse_rules": rules})
    assert source.parse_rules["body_selector"] == "div.story"
    with pytest.raises(TypeError):
        source.parse_rules["body_selector"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("source_id", "change", "message"),
    [
        ("Bad-Id", {}, "source 'Bad-Id': id must be"),
        ("wire", {"name": ""}, "source 'wire': field 'name' is required"),
        ("wire", {"homepage": "ftp://wire.example/"}, "field 'homepage' is not an http(s) URL"),
        ("wire", {"feeds": "https://wire.example/feed"}, "field 'feeds' must be a list"),
        ("wire", {"feeds": [], "sitemaps": []}, "needs at least one of 'feeds' or 'sitemaps'"),
        ("wire", {"include": ["(unclosed"]}, "field 'include' has a bad regex"),
        ("wire", {"language": "English"}, "field 'language' is not valid"),
        ("wire", {"country": "fr"}, "field 'country (ISO 3166 alpha-3)' is not valid"),
        ("wire", {"crawl_delay": -1}, "field 'crawl_delay' must be within"),
        ("wire", {"max_per_run": 0}, "field 'max_per_run' must be within"),
        ("wire", {"enabled": "yes"}, "field 'enabled' must be true or false"),
        ("wire", {"feed": ["https://wire.example/x"]}, "unknown field(s) feed"),
    ],
)
def test_bad_entries_name_the_entry_and_field(source_id, change, message):
    with pytest.raises(SourceRegistryError, match=re.escape(message)):
        source_from_entry(source_id, {**GOOD_ENTRY, **change})


def test_bad_registry_file(tmp_path: Path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: [not, a, mapping]\n")
    with pytest.raises(SourceRegistryError, match="top-level 'sources:' mapping"):
        load_sources(path)
    path.write_text("sources:\n  wire: {name: W\n")
    with pytest.raises(SourceRegistryError, match="cannot read source registry"):
        load_sources(path)
    path.write_text(yaml.safe_dump({"sources": {"wire": {**GOOD_ENTRY, "max_per_run": "ten"}}}))
    with pytest.raises(SourceRegistryError, match="source 'wire': field 'max_per_run'"):
        load_sources(path)


def test_a_users_registry_replaces_the_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from defence_news.pipeline import select_sources
    from defence_news.settings import SourceSelection

    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"sources": {"wire": GOOD_ENTRY}}))
    monkeypatch.setenv("DEFENCE_NEWS_REGISTRY", str(path))
    assert [source.id for source in load_sources()] == ["wire"]
    chosen = select_sources(SourceSelection(names=("seed", "wire")))
    assert [source.id for source in chosen] == ["seed", "wire"]
    monkeypatch.setenv("DEFENCE_NEWS_REGISTRY", " ")
    assert "defensenews" in {source.id for source in load_sources()}
    monkeypatch.setenv("DEFENCE_NEWS_REGISTRY", str(tmp_path / "missing.yaml"))
    with pytest.raises(SourceRegistryError, match=r"cannot read source registry .*missing\.yaml"):
        load_sources()


def test_seed_source():
    source = seed_source("http://127.0.0.1:8765/")
    assert source.id == "seed" and source.allow_private
    assert source.feeds == ("http://127.0.0.1:8765/feed.xml",)
    assert source.sitemaps == ("http://127.0.0.1:8765/sitemap.xml",)
    assert source.origins == frozenset({"127.0.0.1:8765"})


def test_registry_hosts_are_distinct_outlets():
    hosts = Counter(urlsplit(s.homepage).hostname for s in load_sources())
    assert max(hosts.values()) == 1
