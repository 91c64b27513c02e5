"""The filters of the events pages and their API, checked once: a bad value is a
``BadFilter`` with a message that names the field and shows a good value (422).

The same ``EventQuery`` drives the HTML pages, the JSON API, the exports and the
charts, so a filter means the same thing everywhere.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from defence_news.models import CATEGORIES, STATUSES
from defence_news.store import keys

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_TEXT = 200  # characters of a free-text or source filter

_COUNTRY = re.compile(r"^[A-Z]{2,8}$")
_SOURCE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class BadFilter(ValueError):
    """A filter value the pages cannot use; the message says which and why."""


@dataclass(frozen=True)
class EventQuery:
    """Which events to show; ``None`` means any. Dates are ``datetime.date``."""

    event_from: date | None = None  # the event's own dates overlap [event_from, event_to]
    event_to: date | None = None
    ingest_from: date | None = None  # the day the pipeline wrote it
    ingest_to: date | None = None
    interval: str | None = None  # one ingest interval's slug
    country: str | None = None
    pair: tuple[str, str] | None = None
    category: str | None = None
    status: str | None = None
    source: str | None = None
    min_confidence: float | None = None
    q: str | None = None  # free text over the evidence sentences
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_query(cls, values: dict[str, str | None]) -> EventQuery:
        """From query-string values; blank means any. ``date`` is one ingest day."""
        raw = {name: (value or "").strip() or None for name, value in values.items()}
        ingest_from, ingest_to = _date(raw, "ingest_from"), _date(raw, "ingest_to")
        if raw.get("date"):
            ingest_from = ingest_to = _date(raw, "date")
        query = cls(
            event_from=_date(raw, "event_from"),
            event_to=_date(raw, "event_to"),
            ingest_from=ingest_from,
            ingest_to=ingest_to,
            interval=_interval(raw.get("interval")),
            country=country_code(raw.get("country"), "country"),
            pair=_pair(raw.get("pair")),
            category=_choice(raw.get("category"), "category", CATEGORIES),
            status=_choice(raw.get("status"), "status", STATUSES),
            source=_source(raw.get("source")),
            min_confidence=_confidence(raw.get("min_confidence")),
            q=_text(raw.get("q")),
            page=_int(raw.get("page"), "page", 1, 1, 10**6),
            page_size=_int(raw.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
        )
        _ordered(query.event_from, query.event_to, "event_from", "event_to")
        _ordered(query.ingest_from, query.ingest_to, "ingest_from", "ingest_to")
        return query

    def params(self, **changes: Any) -> dict[str, str]:
        """The query-string form of these filters (for links), with ``changes`` applied;
        page 1 and the default page size are left out."""
        values = asdict(replace(self, **changes))
        out: dict[str, str] = {}
        for name, value in values.items():
            if value is None or (name == "page" and value == 1):
                continue
            if name == "page_size" and value == DEFAULT_PAGE_SIZE:
                continue
            if name == "pair":
                value = "-".join(value)
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The filters in force, as the JSON API echoes them."""
        return {**self.params(), "page": self.page, "page_size": self.page_size}


def _date(raw: dict[str, str | None], name: str) -> date | None:
    value = raw.get(name)
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name} must be an ISO date like 2026-11-29, not {value!r}") from None


def _ordered(first: date | None, last: date | None, first_name: str, last_name: str) -> None:
    if first and last and first > last:
        raise BadFilter(f"{first_name} ({first}) is after {last_name} ({last})")


def _interval(value: str | None) -> str | None:
    if value is not None and keys.interval_from_slug(value) is None:
        raise BadFilter(f"interval must look like 20261129T0400Z--20261129T0500Z, not {value!r}")
    return value


def country_code(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    code = value.upper()
    if not _COUNTRY.match(code):
        raise BadFilter(f"{name} must be a country code like KHM, not {value!r}")
    return code


def _pair(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = [part for part in re.split(r"[-,/ ]+", value.upper()) if part]
    if len(parts) != 2 or not all(_COUNTRY.match(part) for part in parts) or len(set(parts)) < 2:
        raise BadFilter(f"pair must be two different country codes like KHM-USA, not {value!r}")
    first, second = sorted(parts)
    return (first, second)


def _choice(value: str | None, name: str, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise BadFilter(f"{name} must be one of {', '.join(allowed)}; not {value!r}")
    return value


def _source(value: str | None) -> str | None:
    if value is not None and not _SOURCE.match(value):
        raise BadFilter(
            f"source must be a source id (letters, digits, _ . : -), not {value[:MAX_TEXT]!r}"
        )
    return value


def _confidence(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0.0 <= number <= 1.0:  # also false for NaN
        raise BadFilter(f"min_confidence must be a number from 0 to 1, not {value!r}")
    return number


def _text(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_TEXT:
        raise BadFilter(f"q is at most {MAX_TEXT} characters, not {len(value)}")
    return value


def _int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadFilter(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)
