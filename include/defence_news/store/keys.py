"""The storage layout (DESIGN.md): one function per kind of object.

The same keys are used for S3 and for the local folder store.
"""

from __future__ import annotations

from defence_news.interval import Interval


def raw_key(source_id: str, interval: Interval) -> str:
    return f"raw/source={source_id}/dt={interval.date}/{interval.slug}.warc.gz"


def articles_key(source_id: str, interval: Interval) -> str:
    # Partitioned by source as well as date: each mapped ingest task owns its
    # own object, so a rerun of one source replaces only that source's rows.
    return f"articles/dt={interval.date}/source={source_id}/{interval.slug}.parquet"


def events_key(interval: Interval) -> str:
    return f"events/dt={interval.date}/{interval.slug}.parquet"


def fused_events_key(interval: Interval) -> str:
    return f"events_fused/dt={interval.date}/{interval.slug}.parquet"


def manifest_key(dag_id: str, interval: Interval, source_id: str | None = None) -> str:
    base = f"manifests/{dag_id}/dt={interval.date}/{interval.slug}"
    return f"{base}/source={source_id}.json" if source_id else f"{base}.json"


def state_key(kind: str, name: str) -> str:
    """Small state kept between runs (seen-URL index, HTTP validators...)."""
    return f"state/{kind}/{name}.json"
