"""Human-readable summaries of what a run wrote, read back from the store."""

from __future__ import annotations

import textwrap
from typing import Any

from defence_news.interval import Interval
from defence_news.pipeline import INGEST_DAG_ID
from defence_news.store import ObjectNotFound, ObjectStore, keys
from defence_news.store.records import read_json, read_parquet

NOTHING_REACHABLE_HINT = (
    "No source gave any URL. If this machine has no internet, `make demo` runs the same job "
    "over the offline seed site."
)
EVIDENCE_WIDTH = 96  # characters of the evidence sentence shown per event


def summarise_interval(store: ObjectStore, interval: Interval) -> str:
    parts = [f"store: {store.describe()}", _sources_table(store, interval)]
    parts.append(_articles_list(store, interval))
    parts.append(_events_list(store, interval))
    return "\n\n".join(part for part in parts if part)


def _sources_table(store: ObjectStore, interval: Interval) -> str:
    found_any = False
    rows = [
        f"{'source':<22} {'found':>5} {'articles':>8} {'unchanged':>9} {'skipped':>7} "
        f"{'failed':>6} {'later':>5}  problems"
    ]
    for key in keys.manifest_keys_for(store, INGEST_DAG_ID, interval):
        manifest = read_json(store, key)
        counts = manifest.get("counts", {})
        failure = [f"FAILED: {manifest['failure']}"] if manifest.get("failure") else []
        problems = "; ".join(failure + (manifest.get("source_errors") or [])) or "-"
        found_any = found_any or counts.get("discovered", 0) > 0
        # "later": deferred by a cap or the time budget, kept for the next run.
        rows.append(
            f"{manifest['source_id']:<22} {counts.get('discovered', 0):>5} "
            f"{counts.get('article', 0):>8} {counts.get('not_modified', 0):>9} "
            f"{counts.get('skipped', 0):>7} {counts.get('failed', 0):>6} "
            f"{counts.get('deferred', 0):>5}  {problems}"
        )
    if len(rows) == 1:
        return "sources: no source manifest was written for this interval"
    if not found_any:
        rows.append(NOTHING_REACHABLE_HINT)
    return "sources:\n" + "\n".join(rows)


def _articles_list(store: ObjectStore, interval: Interval) -> str:
    rows: list[dict[str, Any]] = []
    for key in keys.article_keys_for(store, interval):
        rows.extend(read_parquet(store, key))
    lines = [f"articles: {len(rows)}"]
    for row in sorted(rows, key=lambda r: (r["source_id"], r["published_at"] or "")):
        date = (row["published_at"] or "undated")[:10]
        lines.append(f"  [{row['source_id']}] {date}  {row['title']}  ({row['word_count']} words)")
    return "\n".join(lines)


def _events_list(store: ObjectStore, interval: Interval) -> str:
    try:
        rows = read_parquet(store, keys.events_key(interval))
    except ObjectNotFound:
        return "events: none written for this interval"
    lines = [f"events: {len(rows)}"]
    for row in rows:
        countries = "-".join(dict.fromkeys(actor["country"] for actor in row["actors"]))
        when = (row.get("when") or {}).get("start") or "?"
        name = f' "{row["event_name"]}"' if row.get("event_name") else ""
        lines.append(f"  {row['category']:<13} {row['status']:<9} {countries:<12} {when}{name}")
        sentence = textwrap.shorten(row["evidence"]["sentence"], EVIDENCE_WIDTH)
        lines.append(f"      “{sentence}”")
    return "\n".join(lines)
