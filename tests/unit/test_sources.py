"""The source registry: the packaged entries are valid, bad entries are named clearly."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from defence_news.cli import main
from defence_news.settings import SettingsError
from defence_news.sources import (
    DEFAULT_REGISTRY,
    REGISTRY_ENV,
    SourceRegistryError,
    load_registry,
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
    with pytest.raises(
        SourceRegistryError, match=f"{re.escape(str(path))}, line 3.*not valid YAML"
    ):
        load_sources(path)
    path.write_text(yaml.safe_dump({"sources": {"wire": {**GOOD_ENTRY, "max_per_run": "ten"}}}))
    with pytest.raises(SourceRegistryError, match="source 'wire': field 'max_per_run'"):
        load_sources(path)


def test_seed_source():
    source = seed_source("http://127.0.0.1:8765/")
    assert source.id == "seed" and source.allow_private
    assert source.feeds == ("http://127.0.0.1:8765/feed.xml",)
    assert source.sitemaps == ("http://127.0.0.1:8765/sitemap.xml",)
    assert source.origins == frozenset({"127.0.0.1:8765"})


def test_registry_hosts_are_distinct_outlets():
    hosts = Counter(urlsplit(s.homepage).hostname for s in load_sources())
    assert max(hosts.values()) == 1


# -- the operator's own registry: DEFENCE_NEWS_REGISTRY -------------------------------------

PACKAGED_IDS = [source.id for source in load_sources(DEFAULT_REGISTRY)]


def entry_yaml(source_id: str, host: str, **fields: object) -> dict:
    return {
        source_id: {
            "name": f"{source_id} news",
            "publisher": f"{source_id} media",
            "homepage": f"https://{host}/",
            "feeds": [f"https://{host}/feed/"],
            **fields,
        }
    }


def write_registry(path: Path, entries: dict, mode: str | None = None) -> Path:
    document: dict = {"sources": entries}
    if mode is not None:
        document = {"mode": mode, **document}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_without_the_variable_the_packaged_registry_alone():
    registry = load_registry({})
    assert [s.id for s in registry.sources] == PACKAGED_IDS
    count = len(PACKAGED_IDS)
    assert registry.describe() == f"{count} sources: packaged sources.yaml: {count}"


def test_extend_adds_entries_and_an_entry_of_a_packaged_id_replaces_it_whole(tmp_path: Path):
    replaced_id = PACKAGED_IDS[1]
    path = write_registry(
        tmp_path / "mine.yaml",
        {
            **entry_yaml("harbour_watch", "harbour.example"),
            **entry_yaml(replaced_id, "mirror.example", max_per_run=7),
        },
    )
    registry = load_registry({REGISTRY_ENV: str(path)})
    ids = [s.id for s in registry.sources]
    assert ids == [*PACKAGED_IDS, "harbour_watch"]  # the replaced entry keeps its place
    replaced = registry.sources[1]
    assert replaced.homepage == "https://mirror.example/" and replaced.max_per_run == 7
    assert replaced.sitemaps == ()  # whole: nothing of the packaged entry is left over
    assert registry.defined_in[replaced_id] == path
    assert registry.defined_in[PACKAGED_IDS[0]] == DEFAULT_REGISTRY
    assert registry.describe() == (
        f"{len(PACKAGED_IDS) + 1} sources: packaged sources.yaml: {len(PACKAGED_IDS)} "
        f"(1 replaced); {path} (extend): 2, 1 replacing packaged ones"
    )


def test_replace_in_any_file_of_a_folder_leaves_the_packaged_registry_out(tmp_path: Path):
    folder = tmp_path / "registry.d"
    folder.mkdir()
    write_registry(folder / "20-wires.yml", entry_yaml("wire_two", "two.example"))
    write_registry(folder / "10-main.yaml", entry_yaml("wire_one", "one.example"), "replace")
    (folder / ".10-main.yaml.swp").write_text("not yaml: [")  # an editor's swap file
    (folder / "README.txt").write_text("notes")
    registry = load_registry({REGISTRY_ENV: str(folder)})
    assert [s.id for s in registry.sources] == ["wire_one", "wire_two"]  # files in name order
    assert [f.path.name for f in registry.files] == ["10-main.yaml", "20-wires.yml"]


def test_the_pipeline_and_every_command_read_the_variable(tmp_path: Path, monkeypatch):
    from defence_news.pipeline import select_sources
    from defence_news.settings import SourceSelection

    path = write_registry(tmp_path / "mine.yaml", entry_yaml("harbour_watch", "h.example"))
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    assert "harbour_watch" in [s.id for s in load_sources()]
    chosen = select_sources(SourceSelection(names=("harbour_watch",)))
    assert [s.homepage for s in chosen] == ["https://h.example/"]


def _good(host: str = "wire.example") -> dict:
    return entry_yaml("wire", host)["wire"]


# Each: the operator's file as text, then what the one-line message must say after
# "DEFENCE_NEWS_REGISTRY file <path>": the line, the entry and the field.
BAD_FILES = [
    pytest.param(
        {"sources": {"wire": {k: v for k, v in _good().items() if k != "publisher"}}},
        ", line 2: source 'wire': field 'publisher' is required (non-empty text)",
        id="missing-field",
    ),
    pytest.param(
        {"sources": {"wire": {**_good(), "feeds": ["htp://wire.example/feed"]}}},
        ", line 2: source 'wire': field 'feeds' is not an http(s) URL: 'htp://wire.example/feed'",
        id="bad-url",
    ),
    pytest.param(
        "sources:\n  wire: {name: W, publisher: P, homepage: 'https://w.example/',"
        " feeds: ['https://w.example/f']}\n"
        "  wire: {name: W2, publisher: P, homepage: 'https://w.example/',"
        " feeds: ['https://w.example/g']}\n",
        ", line 3: source 'wire' is defined twice (first on line 2); YAML would keep only the last",
        id="duplicate-id",
    ),
    pytest.param(
        "sources:\n  wire:\n    name: W\n    name: W2\n",
        ", line 4: source 'wire': field 'name' is given twice (first on line 3)",
        id="duplicate-field",
    ),
    pytest.param(
        "sources:\n  wire:\n    name: [W\n",
        ", line 4, column 1: not valid YAML: ",
        id="bad-yaml",
    ),
    pytest.param(
        {"mode": "merge", "sources": {"wire": _good()}},
        ": field 'mode' must be 'extend' or 'replace' (default extend), got 'merge'",
        id="bad-mode",
    ),
    pytest.param(
        {"source": {"wire": _good()}},
        ": unknown top-level field(s) source; expected 'sources' and optionally 'mode'",
        id="typo-top-level",
    ),
    pytest.param("# nothing here yet\n", ": expected a top-level 'sources:'", id="empty-file"),
    pytest.param(
        {"sources": {"Wire": _good()}},
        ", line 2: source 'Wire': id must be lowercase letters",
        id="bad-id",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_is_named_with_its_line_entry_and_field(tmp_path: Path, content, message):
    path = tmp_path / "mine.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    with pytest.raises(SourceRegistryError) as raised:
        load_registry({REGISTRY_ENV: str(path)})
    text = str(raised.value)
    assert text.startswith(f"{REGISTRY_ENV} file {path}{message}")
    assert "\n" not in text


def test_an_id_in_two_of_the_operators_files_is_an_error(tmp_path: Path):
    write_registry(tmp_path / "a.yaml", entry_yaml("wire", "a.example"))
    (tmp_path / "b.yaml").write_text(
        "sources:\n"
        "  other: {name: O, publisher: O, homepage: 'https://o.example/', feeds: ['https://o.example/f']}\n"
        "\n"
        "  wire: {name: W, publisher: W, homepage: 'https://b.example/', feeds: ['https://b.example/f']}\n"
    )
    with pytest.raises(SourceRegistryError) as raised:
        load_registry({REGISTRY_ENV: str(tmp_path)})
    assert str(raised.value) == (
        f"{REGISTRY_ENV} file {tmp_path / 'b.yaml'}, line 4: source 'wire' is already defined "
        f"in {tmp_path / 'a.yaml'}, line 2"
    )


def test_the_variable_must_name_a_file_or_a_folder_with_yaml_files(tmp_path: Path):
    with pytest.raises(SourceRegistryError) as raised:
        load_registry({REGISTRY_ENV: str(tmp_path)})
    assert str(raised.value) == (
        f"{REGISTRY_ENV}={str(tmp_path)!r} is not valid: the folder holds no .yaml or .yml file"
    )
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(SourceRegistryError, match="no such file or folder"):
        load_registry({REGISTRY_ENV: str(missing)})
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("sources:\n  caf\xe9: {}\n".encode("latin-1"))
    with pytest.raises(SourceRegistryError, match=r"latin\.yaml: not UTF-8 text \(byte 14\)"):
        load_registry({REGISTRY_ENV: str(latin)})
    assert load_registry({REGISTRY_ENV: "  "}).files[0].path == DEFAULT_REGISTRY  # blank: unset
    assert issubclass(SourceRegistryError, SettingsError)


def test_a_bad_registry_is_one_line_and_exit_2_for_every_command(
    tmp_path: Path, monkeypatch, capsys
):
    path = write_registry(tmp_path / "mine.yaml", {"wire": {**_good(), "homepage": "wire"}})
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    assert main(["fetch", "--source", "wire", "--store", str(tmp_path / "store")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"defence_news: {REGISTRY_ENV} file {path}, line 2: source 'wire': "
        "field 'homepage' is not an http(s) URL: 'wire'\n"
    )


def seed_site_registry(path: Path, base: str, mode: str = "extend") -> Path:
    """The seed site as an operator's own source, ``meridian``."""
    entry = {
        "meridian": {
            "name": "Meridian seed site",
            "publisher": "The Meridian Defence Post",
            "homepage": f"{base}/",
            "feeds": [f"{base}/feed.xml"],
            "crawl_delay": 0,
            "allow_private": True,  # its own origin only: the loopback seed site
        }
    }
    return write_registry(path, entry, mode)


def test_the_fetch_command_collects_a_source_of_the_operators_registry(
    seed_site: str, tmp_path: Path, monkeypatch, capsys
):
    from defence_news.store import LocalStore

    monkeypatch.setenv(REGISTRY_ENV, str(seed_site_registry(tmp_path / "mine.yaml", seed_site)))
    monkeypatch.delenv("DEFENCE_NEWS_FETCH_ALLOW_PRIVATE", raising=False)
    store = tmp_path / "store"
    assert main(["fetch", "--source", "meridian", "--hours", "1", "--store", str(store)]) == 0
    printed = capsys.readouterr().out
    rows = dict(line.split() for line in printed.splitlines() if len(line.split()) == 2)
    assert int(rows["fetched"]) >= 10 and int(rows["failed"]) == 0
    [warc] = LocalStore(store).list("raw/source=meridian/")
    assert LocalStore(store).get(warc)[:2] == b"\x1f\x8b"
