"""Fetching: source discovery, the polite HTTP client, dedup state, WARC archiving.

The pipeline calls ``collect_source`` once per source and interval; the rest
is exported for tests, the benchmark and the CLI.
"""

from defence_news.fetch.canonical import (
    InvalidUrl,
    canonicalize_url,
    declared_canonical,
    is_http_url,
    url_key,
)
from defence_news.fetch.client import Exchange, FetchResult, PoliteClient
from defence_news.fetch.collect import (
    Collection,
    FetchedPage,
    collect_source,
    collection_failure,
    commit_state,
)
from defence_news.fetch.discovery import DiscoveredItem, Discovery, parse_discovery_document
from defence_news.fetch.guard import AddressBlocked, GuardPolicy
from defence_news.fetch.manifest import RunManifest
from defence_news.fetch.settings import FetchSettings

__all__ = [
    "AddressBlocked",
    "Collection",
    "DiscoveredItem",
    "Discovery",
    "Exchange",
    "FetchResult",
    "FetchSettings",
    "FetchedPage",
    "GuardPolicy",
    "InvalidUrl",
    "PoliteClient",
    "RunManifest",
    "canonicalize_url",
    "collect_source",
    "collection_failure",
    "commit_state",
    "declared_canonical",
    "is_http_url",
    "parse_discovery_document",
    "url_key",
]
