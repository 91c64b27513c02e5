"""The registry of news sites: one small declarative entry per source.

The packaged entries live in ``sources.yaml`` next to this module. An operator adds
their own with ``DEFENCE_NEWS_REGISTRY``, the path of a YAML file or of a folder of
them (``*.yaml``, ``*.yml``, read in name order), each shaped like the packaged one::

    mode: extend          # or replace; extend when left out
    sources:
      my_outlet: {name: ..., publisher: ..., homepage: ..., feeds: [...]}

``extend`` adds the file's entries to the packaged ones, an entry with a packaged id
replacing that entry whole; ``replace`` in any of the files leaves the packaged
registry out. Two of the operator's files may not define the same id.

Every entry is validated on load; a bad one raises ``SourceRegistryError`` (a
``SettingsError``: the CLI prints it as one line and exits 2, an Airflow task fails
with it) naming the file, the line, the entry and the field, so an operator can fix
the file without reading a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml

from defence_news.settings import SettingsError, env_value, invalid

DEFAULT_REGISTRY = Path(__file__).with_name("sources.yaml")
REGISTRY_ENV = "DEFENCE_NEWS_REGISTRY"
REGISTRY_MODES = ("extend", "replace")
REGISTRY_SUFFIXES = (".yaml", ".yml")
TOP_LEVEL_FIELDS = frozenset({"mode", "sources"})
SEED_SOURCE_ID = "seed"

# An id is a partition value (`source=<id>`) and an Airflow map index name:
# keep it to lowercase letters, digits and underscores.
SOURCE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{3}$")
# A hard ceiling on the per-run cap: more than this per hour from one site is
# not polite crawling any more, whatever the entry says.
MAX_PER_RUN_CEILING = 500
# A crawl delay above this would starve the source in an hourly run.
MAX_CRAWL_DELAY_SECONDS = 120.0

KNOWN_FIELDS = frozenset(
    {
        "name",
        "publisher",
        "homepage",
        "language",
        "region",
        "country",
        "feeds",
        "sitemaps",
        "include",
        "exclude",
        "crawl_delay",
        "max_per_run",
        "allow_private",
        "parse_rules",
        "enabled",
        "notes",
    }
)
REQUIRED_FIELDS = ("name", "publisher", "homepage")


class SourceRegistryError(SettingsError):
    """A registry file or entry is invalid; the message names the file, entry and field."""


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    publisher: str
    homepage: str
    language: str = "en"
    region: str | None = None
    country: str | None = None  # ISO 3166 alpha-3 of the outlet
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    include: tuple[str, ...] = ()  # URL regexes: when given, a URL must match one
    exclude: tuple[str, ...] = ()  # URL regexes: a URL matching one is skipped
    # Seconds between requests to the site, replacing the default 1 / per_host_rate spacing
    # (an agreement with the site, or stricter manners); robots.txt Crawl-delay still applies.
    crawl_delay: float | None = None
    max_per_run: int = 50
    allow_private: bool = False  # only the seed site: its own origins may be private addresses
    parse_rules: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    enabled: bool = True

    @property
    def discovery_urls(self) -> tuple[str, ...]:
        return self.feeds + self.sitemaps

    @property
    def origins(self) -> frozenset[str]:
        """``host:port`` of every URL the entry declares (for the private-address allowance)."""
        return frozenset(origin_of(url) for url in (self.homepage, *self.feeds, *self.sitemaps))

    def wants(self, url: str) -> str | None:
        """None if the URL passes include/exclude, else the reason it does not."""
        if self.include and not any(re.search(pattern, url) for pattern in self.include):
            return "not_included"
        if any(re.search(pattern, url) for pattern in self.exclude):
            return "excluded"
        return None


def origin_of(url: str) -> str:
    """``host:port`` (lowercase, default port filled in) of a URL."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


@dataclass(frozen=True)
class RegistryFile:
    """The validated entries of one registry file."""

    path: Path
    mode: str  # "extend" or "replace" (module docstring)
    sources: tuple[Source, ...]
    lines: Mapping[str, int]  # source id -> the line its entry starts on
    operator: bool = False  # named by DEFENCE_NEWS_REGISTRY, not the packaged registry

    @property
    def named(self) -> str:
        """How messages name the file."""
        return (
            f"{REGISTRY_ENV} file {self.path}" if self.operator else f"source registry {self.path}"
        )

    def entry_at(self, source_id: str) -> str:
        return f"{self.path}, line {self.lines.get(source_id, '?')}"


@dataclass(frozen=True)
class Registry:
    """The sources runs may cover, and the files they came from."""

    sources: tuple[Source, ...]
    files: tuple[RegistryFile, ...]  # in the order applied, the packaged one first when used
    defined_in: Mapping[str, Path]  # source id -> the file whose entry is used

    def describe(self) -> str:
        """One line: how many sources, from which files."""
        packaged_ids = {s.id for f in self.files if not f.operator for s in f.sources}
        parts = []
        for registry_file in self.files:
            ids = [source.id for source in registry_file.sources]
            if registry_file.operator:
                replacing = sum(1 for sid in ids if sid in packaged_ids)
                detail = f", {replacing} replacing packaged ones" if replacing else ""
                parts.append(f"{registry_file.path} ({registry_file.mode}): {len(ids)}{detail}")
            else:
                replaced = sum(1 for sid in ids if self.defined_in.get(sid) != registry_file.path)
                detail = f" ({replaced} replaced)" if replaced else ""
                parts.append(f"packaged {registry_file.path.name}: {len(ids)}{detail}")
        count = len(self.sources)
        return f"{count} source{'s' if count != 1 else ''}: " + "; ".join(parts)


def load_sources(path: Path | None = None) -> list[Source]:
    """Every entry of the registry, validated: of the one file ``path`` when given, else
    the packaged registry with the operator's files (``load_registry``)."""
    if path is not None:
        return list(read_registry_file(Path(path)).sources)
    return list(load_registry().sources)


def load_registry(env: Mapping[str, str] | None = None) -> Registry:
    """The packaged registry, extended or replaced by the files ``DEFENCE_NEWS_REGISTRY``
    names (module docstring). Read now, never at import, as every setting."""
    raw = env_value(os.environ if env is None else env, REGISTRY_ENV)
    operator_files = [read_registry_file(p, operator=True) for p in registry_paths(raw)]
    if any(registry_file.mode == "replace" for registry_file in operator_files):
        return _merge(operator_files)
    return _merge([read_registry_file(DEFAULT_REGISTRY), *operator_files])


def registry_paths(raw: str | None) -> list[Path]:
    """The files a ``DEFENCE_NEWS_REGISTRY`` value names: itself, or a folder's YAML files
    in name order (hidden files, such as editors' swap files, left out)."""
    if raw is None:
        return []
    path = Path(raw).expanduser()
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise _bad_variable(
            raw, "expected a YAML file or a folder of them (no such file or folder)"
        )
    found = sorted(
        child
        for child in path.iterdir()
        if child.suffix.lower() in REGISTRY_SUFFIXES
        and not child.name.startswith(".")
        and child.is_file()
    )
    if not found:
        raise _bad_variable(raw, "the folder holds no .yaml or .yml file")
    return found


def _bad_variable(raw: str, expected: str) -> SourceRegistryError:
    return SourceRegistryError(str(invalid(REGISTRY_ENV, raw, expected)))


def read_registry_file(path: Path, *, operator: bool = False) -> RegistryFile:
    """One registry file, every entry validated; errors name the file and the line."""
    named = RegistryFile(path, "extend", (), {}, operator).named
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SourceRegistryError(f"{named}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise SourceRegistryError(f"{named}: not UTF-8 text (byte {error.start})") from None
    document, lines = _load_yaml(text, named)
    if not isinstance(document, dict):
        raise SourceRegistryError(
            f"{named}: expected a top-level 'sources:' mapping of id -> entry"
        )
    unknown = sorted(str(key) for key in set(document) - TOP_LEVEL_FIELDS)
    if unknown:
        raise SourceRegistryError(
            f"{named}: unknown top-level field(s) {', '.join(unknown)}; "
            "expected 'sources' and optionally 'mode'"
        )
    mode = document.get("mode", "extend")
    if mode not in REGISTRY_MODES:
        raise SourceRegistryError(
            f"{named}: field 'mode' must be 'extend' or 'replace' (default extend), got {mode!r}"
        )
    entries = document.get("sources")
    if not isinstance(entries, dict) or not entries:
        raise SourceRegistryError(
            f"{named}: expected a top-level 'sources:' mapping of id -> entry"
        )
    sources = []
    for key, entry in entries.items():
        source_id = str(key)
        try:
            sources.append(source_from_entry(source_id, entry))
        except SourceRegistryError as error:
            line = lines.get(source_id, "?")
            raise SourceRegistryError(f"{named}, line {line}: {error}") from None
    return RegistryFile(path, mode, tuple(sources), MappingProxyType(lines), operator)


def _merge(files: Iterable[RegistryFile]) -> Registry:
    """Entries of the files in order: an operator's entry replaces a packaged one of the
    same id whole; two operator files defining one id is an error (which would win?)."""
    chosen: dict[str, Source] = {}
    defined_in: dict[str, RegistryFile] = {}
    applied = tuple(files)
    for registry_file in applied:
        for source in registry_file.sources:
            earlier = defined_in.get(source.id)
            if earlier is not None and earlier.operator:
                raise SourceRegistryError(
                    f"{registry_file.named}, line {registry_file.lines.get(source.id, '?')}: "
                    f"source '{source.id}' is already defined in {earlier.entry_at(source.id)}"
                )
            chosen[source.id] = source  # a replaced packaged entry keeps its place
            defined_in[source.id] = registry_file
    paths = MappingProxyType({sid: f.path for sid, f in defined_in.items()})
    return Registry(tuple(chosen.values()), applied, paths)


# -- YAML: duplicate keys refused, line numbers kept --------------------------------------

MERGE_TAG = "tag:yaml.org,2002:merge"


def _load_yaml(text: str, named: str) -> tuple[Any, dict[str, int]]:
    """The document and the line each entry of ``sources:`` starts on."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _refuse_duplicate_keys(node, named)
        return loader.construct_document(node), _entry_lines(node)
    except yaml.YAMLError as error:
        raise SourceRegistryError(
            f"{named}{_yaml_position(error)}: not valid YAML: {_yaml_problem(error)}"
        ) from None
    finally:
        loader.dispose()


def _yaml_position(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem is None:
        return " ".join(str(error).split())  # one line, whatever the library wrote
    return f"{problem} ({context})" if context else str(problem)


def _refuse_duplicate_keys(node: yaml.Node, named: str, path: tuple[str, ...] = ()) -> None:
    """PyYAML keeps the last of two equal keys without a word: an entry or a field
    given twice would be lost silently, so it is an error here."""
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _refuse_duplicate_keys(child, named, path)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:  # `<<: *defaults` is meant to be overridden
            continue
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        line = key_node.start_mark.line + 1
        if key in first_line:
            raise SourceRegistryError(
                f"{named}, line {line}: {_duplicate(path, key)} "
                f"(first on line {first_line[key]}); YAML would keep only the last"
            )
        first_line[key] = line
        _refuse_duplicate_keys(value_node, named, (*path, key))


def _duplicate(path: tuple[str, ...], key: str) -> str:
    if not path:
        return f"top-level field '{key}' is given twice"
    if path == ("sources",):
        return f"source '{key}' is defined twice"
    if path[0] == "sources" and len(path) == 2:
        return f"source '{path[1]}': field '{key}' is given twice"
    if path[0] == "sources":
        return f"source '{path[1]}': field '{path[2]}': key '{key}' is given twice"
    return f"key '{key}' is given twice"


def _entry_lines(root: yaml.Node) -> dict[str, int]:
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == "sources" and isinstance(
            value_node, yaml.MappingNode
        ):
            return {
                str(key.value): key.start_mark.line + 1
                for key, _ in value_node.value
                if isinstance(key, yaml.ScalarNode)
            }
    return {}


def seed_source(base_url: str) -> Source:
    """The offline seed site (``defence_news.seedsite``) as a source."""
    base = base_url.rstrip("/")
    return Source(
        id=SEED_SOURCE_ID,
        name="Offline seed site",
        publisher="The Meridian Defence Post",
        homepage=base + "/",
        language="en",
        region="offline",
        feeds=(base + "/feed.xml",),
        sitemaps=(base + "/sitemap.xml",),
        crawl_delay=0.0,
        allow_private=True,
    )


def source_from_entry(source_id: str, entry: Any) -> Source:
    """One validated Source from its YAML entry."""
    where = f"source {source_id!r}"
    if not SOURCE_ID_PATTERN.match(source_id):
        raise SourceRegistryError(
            f"{where}: id must be lowercase letters, digits and '_' (2-48 chars)"
        )
    if not isinstance(entry, dict):
        raise SourceRegistryError(f"{where}: entry must be a mapping, got {type(entry).__name__}")
    unknown = sorted(set(entry) - KNOWN_FIELDS)
    if unknown:
        raise SourceRegistryError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for name in REQUIRED_FIELDS:
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise SourceRegistryError(f"{where}: field '{name}' is required (non-empty text)")
    source = Source(
        id=source_id,
        name=entry["name"],
        publisher=entry["publisher"],
        homepage=_url(where, "homepage", entry["homepage"]),
        language=_matching(where, "language", entry.get("language", "en"), LANGUAGE_PATTERN),
        region=_optional_text(where, "region", entry.get("region")),
        country=_optional_country(where, entry.get("country")),
        feeds=_urls(where, "feeds", entry.get("feeds")),
        sitemaps=_urls(where, "sitemaps", entry.get("sitemaps")),
        include=_patterns(where, "include", entry.get("include")),
        exclude=_patterns(where, "exclude", entry.get("exclude")),
        crawl_delay=_crawl_delay(where, entry.get("crawl_delay")),
        max_per_run=_max_per_run(where, entry.get("max_per_run", 50)),
        allow_private=_bool(where, "allow_private", entry.get("allow_private", False)),
        parse_rules=_parse_rules(where, entry.get("parse_rules")),
        enabled=_bool(where, "enabled", entry.get("enabled", True)),
    )
    if not source.discovery_urls:
        raise SourceRegistryError(f"{where}: needs at least one of 'feeds' or 'sitemaps'")
    return source


def _url(where: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SourceRegistryError(f"{where}: field '{name}' must be a URL, got {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceRegistryError(f"{where}: field '{name}' is not an http(s) URL: {value!r}")
    return value.strip()


def _urls(where: str, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SourceRegistryError(f"{where}: field '{name}' must be a list of URLs")
    return tuple(_url(where, name, item) for item in value)


def _patterns(where: str, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SourceRegistryError(f"{where}: field '{name}' must be a list of regexes")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as error:
            raise SourceRegistryError(
                f"{where}: field '{name}' has a bad regex {pattern!r}: {error}"
            ) from None
    return tuple(value)


def _matching(where: str, name: str, value: Any, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise SourceRegistryError(f"{where}: field '{name}' is not valid: {value!r}")
    return value


def _optional_text(where: str, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceRegistryError(f"{where}: field '{name}' must be text")
    return value


def _optional_country(where: str, value: Any) -> str | None:
    if value is None:
        return None
    return _matching(where, "country (ISO 3166 alpha-3)", value, COUNTRY_PATTERN)


def _crawl_delay(where: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SourceRegistryError(f"{where}: field 'crawl_delay' must be a number of seconds")
    if not 0 <= value <= MAX_CRAWL_DELAY_SECONDS:
        raise SourceRegistryError(
            f"{where}: field 'crawl_delay' must be within 0..{MAX_CRAWL_DELAY_SECONDS:g} s"
        )
    return float(value)


def _max_per_run(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SourceRegistryError(f"{where}: field 'max_per_run' must be an integer")
    if not 1 <= value <= MAX_PER_RUN_CEILING:
        raise SourceRegistryError(
            f"{where}: field 'max_per_run' must be within 1..{MAX_PER_RUN_CEILING}"
        )
    return value


def _bool(where: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SourceRegistryError(f"{where}: field '{name}' must be true or false")
    return value


def _parse_rules(where: str, value: Any) -> Mapping[str, Any]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        raise SourceRegistryError(f"{where}: field 'parse_rules' must be a mapping")
    return MappingProxyType(dict(value))
