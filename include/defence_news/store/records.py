"""Reading and writing record files (Parquet, JSON) in an ObjectStore."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from defence_news.models import Article
from defence_news.store.base import ObjectStore

ARTICLE_SCHEMA_VERSION = "1.0"

ARTICLE_ARROW_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("source_id", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),
        ("canonical_url", pa.string()),
        ("publisher", pa.string()),
        ("subtitle", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published_at", pa.string()),
        ("modified_at", pa.string()),
        ("section", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("language", pa.string()),
        ("word_count", pa.int64()),
        ("content_hash", pa.string()),
        ("simhash", pa.string()),
        ("duplicate_of", pa.string()),
        ("fetched_at", pa.string()),
    ],
    metadata={"schema": "defence_news.article", "version": ARTICLE_SCHEMA_VERSION},
)


def without_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings replaced by U+FFFD.

    A page can carry one (a JSON-LD "\\ud800" escape) through parsing; UTF-8 cannot
    encode it, so Parquet and JSON writes would fail on that record, every run."""
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_surrogates(item) for item in value]
    return value


def write_parquet(
    store: ObjectStore, key: str, rows: Sequence[dict[str, Any]], schema: pa.Schema
) -> None:
    """Write rows as one Parquet object, replacing what was there (rerun-safe)."""
    table = pa.Table.from_pylist([without_surrogates(row) for row in rows], schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    store.put(key, buffer.getvalue(), content_type="application/vnd.apache.parquet")


def read_parquet(
    store: ObjectStore, key: str, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Rows of one Parquet object; with ``columns``, only those (bodies stay unread)."""
    table = pq.read_table(io.BytesIO(store.get(key)), columns=list(columns) if columns else None)
    return table.to_pylist()


def write_articles(store: ObjectStore, key: str, articles: Sequence[Article]) -> None:
    write_parquet(store, key, [article.to_dict() for article in articles], ARTICLE_ARROW_SCHEMA)


def read_articles(store: ObjectStore, key: str) -> list[Article]:
    return [Article.from_dict(row) for row in read_parquet(store, key)]


def write_json(store: ObjectStore, key: str, value: Any) -> None:
    data = json.dumps(
        without_surrogates(value), indent=2, sort_keys=True, ensure_ascii=False, default=str
    )
    store.put(key, data.encode("utf-8"), content_type="application/json")


def read_json(store: ObjectStore, key: str) -> Any:
    return json.loads(store.get(key))
