"""Versioned schemas of the event record: Arrow (Parquet) and JSON Schema.

The Arrow schemas match ``Event.to_dict()`` and ``FusedEvent.to_dict()`` rows
field for field, so ``pyarrow.Table.from_pylist(rows, schema=EVENT_ARROW_SCHEMA)``
works; the JSON Schema is checked in as ``schema/event.v1.json``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from defence_news.models import CATEGORIES, SCHEMA_VERSION, STATUSES

SCHEMA_METADATA = {b"schema_version": SCHEMA_VERSION.encode()}

_STR = pa.string()
_ACTOR = pa.struct(
    [
        ("name", _STR),
        ("country", _STR),
        ("sector", _STR),
        ("branch", _STR),
        ("role", _STR),
        ("mentions", pa.list_(pa.list_(pa.int64()))),
    ]
)
_PERSON = pa.struct(
    [("name", _STR), ("title", _STR), ("country", _STR), ("organisation", _STR), ("role", _STR)]
)

EVENT_ARROW_SCHEMA = pa.schema(
    [
        ("event_id", _STR),
        ("category", _STR),
        ("status", _STR),
        ("actors", pa.list_(_ACTOR)),
        (
            "evidence",
            pa.struct(
                [
                    ("sentence", _STR),
                    ("char_start", pa.int64()),
                    ("char_end", pa.int64()),
                    ("triggers", pa.list_(_STR)),
                ]
            ),
        ),
        (
            "article",
            pa.struct(
                [
                    ("article_id", _STR),
                    ("url", _STR),
                    ("source_id", _STR),
                    ("publisher", _STR),
                    ("published_at", _STR),
                    ("title", _STR),
                ]
            ),
        ),
        ("extractor", pa.struct([("name", _STR), ("version", _STR)])),
        ("people", pa.list_(_PERSON)),
        ("event_name", _STR),
        ("when", pa.struct([("start", _STR), ("end", _STR), ("precision", _STR), ("text", _STR)])),
        ("where", pa.struct([("country", _STR), ("place", _STR)])),
        ("cameo_code", _STR),
        ("plover_type", _STR),
        ("quad_class", pa.int64()),
        ("attribution", _STR),
        ("confidence", pa.float64()),
        ("schema_version", _STR),
    ],
    metadata={**SCHEMA_METADATA, b"record": b"defence_news.event"},
)

FUSED_EVENT_ARROW_SCHEMA = pa.schema(
    [
        ("fused_id", _STR),
        ("category", _STR),
        ("status", _STR),
        ("countries", pa.list_(_STR)),
        ("start", _STR),
        ("end", _STR),
        ("precision", _STR),
        ("event_name", _STR),
        ("people", pa.list_(_STR)),
        ("event_ids", pa.list_(_STR)),
        ("article_ids", pa.list_(_STR)),
        (
            "evidence",
            pa.list_(
                pa.struct(
                    [
                        ("event_id", _STR),
                        ("article_id", _STR),
                        ("url", _STR),
                        ("source_id", _STR),
                        ("published_at", _STR),
                        ("sentence", _STR),
                        ("char_start", pa.int64()),
                        ("char_end", pa.int64()),
                        ("confidence", pa.float64()),
                        ("duplicate_of", _STR),
                    ]
                )
            ),
        ),
        ("confidence", pa.float64()),
        ("cameo_code", _STR),
        ("plover_type", _STR),
        ("quad_class", pa.int64()),
        ("schema_version", _STR),
        ("first_reported", _STR),
        ("last_reported", _STR),
        ("outlets", pa.list_(_STR)),
        (
            "status_history",
            pa.list_(pa.struct([("first_seen", _STR), ("status", _STR), ("event_id", _STR)])),
        ),
        ("extractor_versions", pa.list_(_STR)),
    ],
    metadata={**SCHEMA_METADATA, b"record": b"defence_news.fused_event"},
)


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required if required is not None else list(properties),
        "properties": properties,
    }


def event_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one ``Event.to_dict()`` row."""
    iso_date = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    actor = _object(
        {
            "name": {"type": "string"},
            "country": {"type": "string", "pattern": "^[A-Z]{2,8}$"},
            "sector": {"type": "string", "enum": ["MIL", "GOV", "IGO"]},
            "branch": _nullable("string"),
            "role": {"type": "string", "enum": ["initiator", "recipient", "participant"]},
            "mentions": {
                "type": "array",
                "items": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0},
                    "minItems": 2,
                    "maxItems": 2,
                },
            },
        }
    )
    person = _object(
        {
            "name": {"type": "string"},
            "title": _nullable("string"),
            "country": _nullable("string"),
            "organisation": _nullable("string"),
            "role": _nullable("string"),
        },
        required=["name"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://defence-news.example/schema/event.v{SCHEMA_VERSION.split('.')[0]}.json",
        "title": "Defence cooperation event",
        "description": "One cooperation event with its evidence (DESIGN.md, the event record).",
        **_object(
            {
                "event_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                "category": {"type": "string", "enum": list(CATEGORIES)},
                "status": {"type": "string", "enum": list(STATUSES)},
                "actors": {"type": "array", "items": actor, "minItems": 2},
                "evidence": _object(
                    {
                        "sentence": {"type": "string", "minLength": 1},
                        "char_start": {"type": "integer", "minimum": 0},
                        "char_end": {"type": "integer", "minimum": 0},
                        "triggers": {"type": "array", "items": {"type": "string"}},
                    }
                ),
                "article": _object(
                    {
                        "article_id": {"type": "string"},
                        "url": {"type": "string"},
                        "source_id": {"type": "string"},
                        "publisher": _nullable("string"),
                        "published_at": _nullable("string"),
                        "title": _nullable("string"),
                    },
                    required=["article_id", "url", "source_id"],
                ),
                "extractor": _object({"name": {"type": "string"}, "version": {"type": "string"}}),
                "people": {"type": "array", "items": person},
                "event_name": _nullable("string"),
                "when": _object(
                    {
                        "start": iso_date,
                        "end": iso_date,
                        "precision": {
                            "type": "string",
                            "enum": ["day", "month", "year", "unknown"],
                        },
                        "text": _nullable("string"),
                    }
                ),
                "where": _object({"country": _nullable("string"), "place": _nullable("string")}),
                "cameo_code": {"type": ["string", "null"], "pattern": r"^\d{2,4}$"},
                "plover_type": _nullable("string"),
                "quad_class": {"type": ["integer", "null"], "minimum": 1, "maximum": 4},
                "attribution": _nullable("string"),
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "schema_version": {"type": "string", "const": SCHEMA_VERSION},
            }
        ),
    }
