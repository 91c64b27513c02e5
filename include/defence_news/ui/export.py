"""Filtered events and fused events as CSV or JSON Lines, produced row by row.

JSON Lines carries each row whole (nested actors, evidence...); CSV carries the
columns an analyst sorts and filters in a spreadsheet, lists joined with ``; ``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

FORMATS = ("csv", "jsonl")
BATCH_ROWS = 500  # rows per chunk sent to the client


def _join(values: Iterable[Any] | None) -> str:
    return "; ".join(str(value) for value in values or () if value is not None)


def _event_columns(row: dict[str, Any]) -> dict[str, Any]:
    article = row.get("article") or {}
    evidence = row.get("evidence") or {}
    when = row.get("when") or {}
    return {
        "event_id": row.get("event_id"),
        "category": row.get("category"),
        "status": row.get("status"),
        "countries": _join(row.get("countries_all")),
        "actors": _join(f"{a.get('name')} ({a.get('country')})" for a in row.get("actors") or ()),
        "event_start": when.get("start"),
        "event_end": when.get("end"),
        "precision": when.get("precision"),
        "event_name": row.get("event_name"),
        "confidence": row.get("confidence"),
        "sentence": evidence.get("sentence"),
        "triggers": _join(evidence.get("triggers")),
        "people": _join(p.get("name") for p in row.get("people") or ()),
        "source_id": article.get("source_id"),
        "url": article.get("url"),
        "title": article.get("title"),
        "published_at": article.get("published_at"),
        "ingest_date": row.get("ingest_date"),
        "interval": row.get("interval"),
    }


def _fused_columns(row: dict[str, Any]) -> dict[str, Any]:
    evidence = row.get("evidence") or ()
    return {
        "fused_id": row.get("fused_id"),
        "category": row.get("category"),
        "status": row.get("status"),
        "countries": _join(row.get("countries")),
        "event_start": row.get("start"),
        "event_end": row.get("end"),
        "precision": row.get("precision"),
        "event_name": row.get("event_name"),
        "confidence": row.get("confidence"),
        "outlets": _join(row.get("sources_all")),
        "articles": len(row.get("article_ids") or ()),
        "first_reported": row.get("first_reported"),
        "last_reported": row.get("last_reported"),
        "statuses": _join(h.get("status") for h in row.get("status_history") or ()),
        "people": _join(row.get("people")),
        "urls": _join(item.get("url") for item in evidence),
        "sentences": " | ".join(item.get("sentence") or "" for item in evidence),
        "ingest_date": row.get("ingest_date"),
    }


def columns_for(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return _fused_columns if kind == "fused" else _event_columns


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def jsonl(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    chunk: list[str] = []
    for row in rows:
        chunk.append(json.dumps(row, ensure_ascii=False, default=_default))
        if len(chunk) >= BATCH_ROWS:
            yield ("\n".join(chunk) + "\n").encode("utf-8")
            chunk = []
    if chunk:
        yield ("\n".join(chunk) + "\n").encode("utf-8")


def csv_rows(rows: Iterable[dict[str, Any]], kind: str) -> Iterator[bytes]:
    to_columns = columns_for(kind)
    buffer = io.StringIO()
    writer: csv.DictWriter | None = None
    for count, row in enumerate(rows, start=1):
        flat = {
            k: _default(v) if isinstance(v, datetime | date) else v
            for k, v in to_columns(row).items()
        }
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(flat))
            writer.writeheader()
        writer.writerow(flat)
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if writer is None:  # no row: the header alone still says what the columns are
        csv.DictWriter(buffer, fieldnames=list(to_columns({}))).writeheader()
    if buffer.getvalue():
        yield buffer.getvalue().encode("utf-8")
