"""``python -m defence_news fetch``: collect one or more sources without Airflow.

Discovers and fetches each source's new pages for the last ``--hours`` (or the
offline seed site with ``--seed-site``), writes the WARC archive and the fetch
state to the configured store (``DEFENCE_NEWS_STORE``...), and prints each
source's fetch outcomes as the task log would. Pages are not parsed here: the
``run`` command does the whole pipeline.

    python -m defence_news fetch --source defensenews --source nato --hours 24
    python -m defence_news fetch --seed-site --store /tmp/store
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from defence_news.interval import Interval

# A week covers every feed's window; more only digs into sitemaps' archives.
MAX_HOURS = 24 * 7


def add_fetch_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help="discover and fetch sources' new pages (no parsing) and print the outcomes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", action="append", default=[], help="registry id (repeatable)")
    parser.add_argument("--seed-site", action="store_true", help="serve and fetch the seed site")
    parser.add_argument("--hours", type=int, default=1, help=f"interval length (1..{MAX_HOURS})")
    parser.add_argument("--limit", type=int, default=None, help="cap on pages per source")
    parser.add_argument("--store", type=Path, default=None, help="local store folder")
    parser.set_defaults(handler=run_fetch)


def run_fetch(args: argparse.Namespace) -> int:
    from defence_news.fetch import FetchSettings, RunManifest, collect_source
    from defence_news.models import UrlOutcome

    if not 1 <= args.hours <= MAX_HOURS:
        raise SystemExit(f"--hours must be within 1..{MAX_HOURS}")
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    interval = Interval(end - timedelta(hours=args.hours), end)
    store = _store(args.store)
    settings = FetchSettings.from_env()
    with ExitStack() as stack:
        sources = _sources(args, stack)
        if not sources:
            raise SystemExit("name at least one --source, or --seed-site")
        for source in sources:
            collection = collect_source(
                source, interval, store, settings=settings, limit=args.limit
            )
            fetched = [UrlOutcome(page.url, "article") for page in collection.pages]
            manifest = RunManifest(
                source.id, interval, collection.outcomes + fetched, collection.source_errors
            )
            print(manifest.table(labels={"article": "fetched"}))
            print(f"raw archive: {collection.raw_key or 'none'} in {store.describe()}\n")
    return 0


def _sources(args: argparse.Namespace, stack: ExitStack) -> list[Any]:
    from defence_news.pipeline import select_sources
    from defence_news.settings import SourceSelection

    names = tuple(args.source)
    seed_url = SourceSelection.seed_url
    if args.seed_site:
        from defence_news.seedsite import serve_seed_site

        names += ("seed",)
        seed_url = stack.enter_context(serve_seed_site()).base_url
    # An unknown id or a bad registry file is a SettingsError: main prints one line, exit 2.
    return select_sources(SourceSelection(names=names, seed_url=seed_url))


def _store(root: Path | None) -> Any:
    from defence_news.settings import open_store
    from defence_news.store import LocalStore

    return LocalStore(root) if root is not None else open_store()
