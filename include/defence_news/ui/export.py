"""Filtered events and fused events as CSV or JSON Lines, streamed batch by batch.

JSON Lines carries each row whole (nested actors, evidence...), serialised by
DuckDB; CSV carries the columns an analyst sorts and filters in a spreadsheet,
lists joined with ``; ``, written by Arrow's CSV writer. Rows never pass through
Python one by one, so a 100,000-row export is a few seconds, not a minute.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pa_csv

FORMATS = ("csv", "jsonl")


def _joined(expression: str, separator: str = "; ") -> str:
    return f"array_to_string({expression}, '{separator}')"


def _inert(expression: str, name: str) -> str:
    """Scraped text as a spreadsheet cell that is never a formula: a leading = + - @
    (or tab, carriage return) gets a ``'`` before it, as OWASP advises for CSV files."""
    quote = "''''"  # SQL for the one-character string '
    return (
        f"CASE WHEN regexp_matches({expression}, '^[-=+@\\t\\r]') "
        f"THEN {quote} || ({expression}) ELSE {expression} END AS {name}"
    )


_ACTOR = "a.name || ' (' || coalesce(a.country, '?') || ')'"  # "KHM army (KHM)"

EVENT_CSV_COLUMNS = ", ".join(
    [
        "event_id",
        "category",
        "status",
        f"{_joined('_countries')} AS countries",
        _inert(_joined(f"list_transform(actors, lambda a: {_ACTOR})"), "actors"),
        '"when".start AS event_start',
        '"when"."end" AS event_end',
        '"when".precision AS precision',
        _inert("event_name", "event_name"),
        "confidence",
        _inert("evidence.sentence", "sentence"),
        _inert(_joined("evidence.triggers"), "triggers"),
        _inert(_joined("list_transform(people, lambda p: p.name)"), "people"),
        "article.source_id AS source_id",
        _inert("article.url", "url"),
        _inert("article.title", "title"),
        "article.published_at AS published_at",
        "_ingest_date AS ingest_date",
        "_interval AS interval",
    ]
)

FUSED_CSV_COLUMNS = ", ".join(
    [
        "fused_id",
        "category",
        "status",
        f"{_joined('_countries')} AS countries",
        "start AS event_start",
        '"end" AS event_end',
        "precision",
        _inert("event_name", "event_name"),
        "confidence",
        f"{_joined('_sources')} AS sources",
        _inert(_joined("coalesce(outlets, [])"), "outlets"),
        "len(article_ids) AS articles",
        "CAST(first_reported AS VARCHAR) AS first_reported",
        "CAST(last_reported AS VARCHAR) AS last_reported",
        f"{_joined('list_transform(status_history, lambda h: h.status)')} AS statuses",
        _inert(_joined("list_transform(people, lambda p: CAST(p AS VARCHAR))"), "people"),
        _inert(_joined("list_transform(evidence, lambda e: e.url)"), "urls"),
        _inert(
            _joined("list_transform(evidence, lambda e: coalesce(e.sentence, ''))", " | "),
            "sentences",
        ),
        "_ingest_date AS ingest_date",
    ]
)

# The stored row as the JSON API shows it: bookkeeping columns renamed or left out.
JSON_COLUMNS = (
    "* EXCLUDE (_key, _row, _text, _event_start, _event_end, _pairs, _ingest_date, _interval, "
    "_countries, _sources), _ingest_date AS ingest_date, nullif(_interval, '') AS interval, "
    "_countries AS countries_all, _sources AS sources_all"
)


def csv_columns(kind: str) -> str:
    return FUSED_CSV_COLUMNS if kind == "fused" else EVENT_CSV_COLUMNS


def _options(header: bool) -> pa_csv.WriteOptions:
    # Arrow's "needed" quotes every text value and the names: valid CSV any reader takes.
    return pa_csv.WriteOptions(include_header=header, quoting_style="needed")


def csv_bytes(batches: pa.RecordBatchReader) -> Iterator[bytes]:
    header = True
    for batch in batches:
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, _options(header))
        header = False
        yield buffer.getvalue()
    if header:  # no row: the header alone still says what the columns are
        buffer = io.BytesIO()
        pa_csv.write_csv(batches.schema.empty_table(), buffer, _options(True))
        yield buffer.getvalue()


def jsonl_bytes(batches: pa.RecordBatchReader) -> Iterator[bytes]:
    for batch in batches:
        lines = batch.column(0).to_pylist()
        if lines:
            yield ("\n".join(lines) + "\n").encode("utf-8")
