"""The registry of news sites: one small declarative entry per source.

Entries live in ``sources.yaml`` next to this module. Each is validated on
load; a bad entry raises ``SourceRegistryError`` naming the entry and the
field, so an operator can fix the file without reading a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml

DEFAULT_REGISTRY = Path(__file__).with_name("sources.yaml")
# A user's own registry file, replacing the packaged one (read when sources are loaded).
REGISTRY_ENV = "DEFENCE_NEWS_REGISTRY"
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


class SourceRegistryError(ValueError):
    """A registry entry is invalid; the message names the entry and the field."""


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


def load_sources(path: Path | None = None) -> list[Source]:
    """Every entry of the registry, validated: ``path``, else the file named by
    ``$DEFENCE_NEWS_REGISTRY``, else the packaged ``sources.yaml``."""
    registry_path = Path(path) if path is not None else registry_path_from_env()
    try:
        document = yaml.safe_load(registry_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SourceRegistryError(f"cannot read source registry {registry_path}: {error}") from None
    entries = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise SourceRegistryError(
            f"{registry_path}: expected a top-level 'sources:' mapping of id -> entry"
        )
    return [source_from_entry(str(source_id), entry) for source_id, entry in entries.items()]


def registry_path_from_env() -> Path:
    """``$DEFENCE_NEWS_REGISTRY`` when set (and not blank), else the packaged registry."""
    configured = (os.environ.get(REGISTRY_ENV) or "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_REGISTRY


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
