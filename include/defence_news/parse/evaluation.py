"""Scoring parsed article metadata against a hand-made gold record.

The rules, one function each (``score_page`` applies them all to one page,
``summarise`` averages over pages):

- **title**: exact match after normalisation: HTML entities decoded (also
  twice-escaped ones such as ``&amp;#8217;``), Unicode NFC, every run of
  whitespace (including no-break and thin spaces) one space, trimmed. Case,
  quotes and dashes count: they are part of the headline.
- **authors**: F1 between the sets of normalised names of one page (entities
  decoded, NFKC, case folded, punctuation removed, whitespace collapsed, so
  "TOM KRISHER" = "Tom Krisher" and "Trevor J. Mitchell" = "Trevor J Mitchell"),
  then macro-averaged over pages. No author in the gold and none predicted is
  1.0; one side empty and the other not is 0.0.
- **day**: the same calendar date. A gold time with an offset is an instant:
  the prediction is converted to that offset first (a page written at 22:31 in
  Chicago is the next day in UTC). A gold time without offset, or a gold date
  alone, is compared with the prediction's date in the prediction's own offset.
  A gold ``null`` (the page gives no date) is right only when nothing is
  predicted.
- **minute**: scored only on pages whose gold has a time. With a gold offset:
  the same instant to the minute; without: the same wall-clock minute. A
  prediction with no time (a date alone) is wrong.
- **language**: the same code (ISO 639-1, lower case).

Gold ``published`` is ``YYYY-MM-DDTHH:MM:SS+HH:MM``, ``YYYY-MM-DDTHH:MM``
(the page gives a time but no offset), ``YYYY-MM-DD`` or ``null``. Predictions
may be aware datetimes, date-only strings (trafilatura's ``YYYY-MM-DD``) or
ISO strings.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from defence_news.parse.text import decode_entities

_WHITESPACE = re.compile(r"\s+")
_NOT_NAME_CHARS = re.compile(r"[^\w]+")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalise_title(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", decode_entities(text))
    return _WHITESPACE.sub(" ", text).strip()


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", decode_entities(name)).casefold()
    return _NOT_NAME_CHARS.sub(" ", text).replace("_", " ").strip()


def title_match(gold: str | None, predicted: str | None) -> bool:
    return normalise_title(gold) == normalise_title(predicted)


def author_f1(gold: Iterable[str], predicted: Iterable[str]) -> float:
    expected = {n for n in map(normalise_name, gold) if n}
    found = {n for n in map(normalise_name, predicted) if n}
    if not expected and not found:
        return 1.0
    if not expected or not found:
        return 0.0
    return 2 * len(expected & found) / (len(expected) + len(found))


@dataclass(frozen=True)
class Moment:
    """A published date as far as it is known: the day, the time, the offset."""

    day: date
    time: datetime | None  # None: a date alone
    aware: bool

    @property
    def has_time(self) -> bool:
        return self.time is not None


def read_moment(value: Any) -> Moment | None:
    """A gold or predicted date (datetime, date, ISO string) as a Moment; None if none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return Moment(value.date(), value, value.tzinfo is not None)
    if isinstance(value, date):
        return Moment(value, None, False)
    text = str(value).strip()
    if _DATE_ONLY.match(text):
        return Moment(date.fromisoformat(text), None, False)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return Moment(parsed.date(), parsed, parsed.tzinfo is not None)


def day_match(gold: Any, predicted: Any) -> bool:
    expected, found = read_moment(gold), read_moment(predicted)
    if expected is None or found is None:
        return expected is None and found is None
    if expected.aware and expected.time and found.aware and found.time:
        return found.time.astimezone(expected.time.tzinfo).date() == expected.day
    return found.day == expected.day


def minute_match(gold: Any, predicted: Any) -> bool | None:
    """None when the gold has no time (the page is not scored for the minute)."""
    expected, found = read_moment(gold), read_moment(predicted)
    if expected is None or expected.time is None:
        return None
    if found is None or found.time is None:
        return False
    if expected.aware and found.aware:
        return _same_minute(found.time.astimezone(expected.time.tzinfo), expected.time)
    return _same_minute(found.time.replace(tzinfo=None), expected.time.replace(tzinfo=None))


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def language_match(gold: str | None, predicted: str | None) -> bool:
    return (gold or "").strip().lower() == (predicted or "").strip().lower()


@dataclass(frozen=True)
class PageScore:
    page_id: str
    title: bool
    authors: float
    day: bool
    minute: bool | None
    language: bool


def score_page(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> PageScore:
    """One page: ``gold`` is a gold record, ``predicted`` has title/authors/published/language."""
    return PageScore(
        page_id=str(gold["id"]),
        title=title_match(gold.get("title"), predicted.get("title")),
        authors=author_f1(gold.get("authors") or (), predicted.get("authors") or ()),
        day=day_match(gold.get("published"), predicted.get("published")),
        minute=minute_match(gold.get("published"), predicted.get("published")),
        language=language_match(gold.get("language"), predicted.get("language")),
    )


def summarise(scores: Sequence[PageScore]) -> dict[str, float | int]:
    """Shares over pages (author F1 macro-averaged; minute over pages with a gold time)."""
    if not scores:
        return {"pages": 0}
    timed = [s.minute for s in scores if s.minute is not None]
    return {
        "pages": len(scores),
        "title_exact": statistics.mean(float(s.title) for s in scores),
        "author_f1": statistics.mean(s.authors for s in scores),
        "day": statistics.mean(float(s.day) for s in scores),
        "minute": statistics.mean(float(m) for m in timed) if timed else 0.0,
        "minute_pages": len(timed),
        "language": statistics.mean(float(s.language) for s in scores),
    }
