"""Date expressions resolved against the publication date, with their precision.

"June 18-20" (day), "in March" (month), "since 2016" (year), "last week",
"next month", "on Monday". A year left out is inferred from the publication date
and the tense of the event: a planned event's "March" is the next March, a past
event's the last one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from defence_news.extract.rules import lower_same_length

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|–|—|to|until|and|through)\s*"
# "29 February this year": the year a day or month belongs to, told relatively.
_REL_YEAR = r"(?:,?\s+(?P<rel>this|last|next) year)?"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "md_range",
        re.compile(
            rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_DASH}(?:(?P<m2>{_MONTH})\s+)?(?P<d2>{_DAY})\b(?:,?\s+(?P<y>{_YEAR}))?"
        ),
    ),
    (
        "dm_range",
        re.compile(
            rf"\b(?P<d1>{_DAY}){_DASH}(?P<d2>{_DAY})\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?"
        ),
    ),
    (
        "md",
        re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\b(?:,?\s+(?P<y>{_YEAR})|{_REL_YEAR})"),
    ),
    ("dm", re.compile(rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>{_YEAR})|{_REL_YEAR})")),
    ("my", re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<y>{_YEAR})\b")),
    (
        "m",
        re.compile(
            rf"\b(?i:in|since|from|by|until|during|early|late|mid-|last|next|this|of|for)\s+(?:early\s+|late\s+|mid-)?(?P<m1>{_MONTH})(?!\s*\d){_REL_YEAR}"
        ),
    ),
    # "since 2021, when Nigeria received ...": the event is of 2021, not ongoing since.
    ("since_y", re.compile(rf"\bsince\s+(?P<y>{_YEAR})\b(?!,?\s+when\b)")),
    ("y", re.compile(rf"\b(?P<y>{_YEAR})\b(?!\s*(?:troops|soldiers|personnel|km|tonnes))")),
    (
        "relative",
        re.compile(
            r"\b(?:yesterday|today|tomorrow"
            r"|(?:last|next|this|earlier this|later this) (?:week|month|year)"
            r"|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
            re.IGNORECASE,
        ),
    ),
]


# Every date expression contains a digit or one of these words: a cheap first test, on
# lower-cased text (a case-insensitive pattern is several times slower).
_DATE_HINT = re.compile(
    r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|yesterday|today|tomorrow|week|month|year"
    r"|day\b"
)


@dataclass(frozen=True)
class DateSpan:
    """A resolved date expression at text[start:end]."""

    start_offset: int
    end_offset: int
    text: str
    start: date
    end: date | None
    precision: str  # day, month, year
    since: bool = False


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# A day a week before publication may still be "this" year's planned event (late reports).
_SAME_YEAR_SLACK = timedelta(days=7)


def _infer_year(month: int, day: int | None, published: date, future: bool) -> int:
    year = published.year
    if day is None:
        if future and month < published.month:
            return year + 1
        if not future and month > published.month:
            return year - 1
        return year
    candidate = _safe_date(year, month, day) or date(year, month, 1)
    # Differences, not published ± slack: that would overflow at date.min/date.max.
    if future and published - candidate > _SAME_YEAR_SLACK:
        return year + 1
    if not future and candidate - published > _SAME_YEAR_SLACK:
        return year - 1
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _from_match(kind: str, match: re.Match[str], published: date, future: bool) -> DateSpan | None:
    groups = match.groupdict()
    explicit_year = int(groups["y"]) if groups.get("y") else None
    if groups.get("rel"):
        explicit_year = published.year + {"last": -1, "next": 1}.get(groups["rel"], 0)
    text = match.group(0)
    if kind in ("md_range", "dm_range", "md", "dm"):
        m1 = _MONTHS[groups["m1"].rstrip(".").lower()]
        d1 = _day(groups["d1"])
        year = _infer_year(m1, d1, published, future) if explicit_year is None else explicit_year
        start = _safe_date(year, m1, d1)
        if start is None:
            return None
        end = start
        if groups.get("d2"):
            m2 = _MONTHS[groups["m2"].rstrip(".").lower()] if groups.get("m2") else m1
            end = _safe_date(year, m2, _day(groups["d2"])) or start
        return DateSpan(match.start(), match.end(), text, start, end, "day")
    if kind in ("my", "m"):
        month = _MONTHS[groups["m1"].rstrip(".").lower()]
        year = (
            _infer_year(month, None, published, future) if explicit_year is None else explicit_year
        )
        return DateSpan(
            match.start(), match.end(), text, date(year, month, 1), _month_end(year, month), "month"
        )
    if kind == "since_y":
        return DateSpan(
            match.start(), match.end(), text, date(explicit_year, 1, 1), None, "year", since=True
        )
    if kind == "y":
        return DateSpan(
            match.start(),
            match.end(),
            text,
            date(explicit_year, 1, 1),
            date(explicit_year, 12, 31),
            "year",
        )
    return _relative(match, published, future)


def _relative(match: re.Match[str], published: date, future: bool) -> DateSpan | None:
    phrase = match.group(0).lower().removeprefix("on ").strip()
    make = lambda s, e, p: DateSpan(match.start(), match.end(), match.group(0), s, e, p)  # noqa: E731
    if phrase in ("yesterday", "today", "tomorrow"):
        day = published + timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[phrase])
        return make(day, day, "day")
    if phrase in _WEEKDAYS:
        offset = (_WEEKDAYS.index(phrase) - published.weekday()) % 7
        day = (
            published + timedelta(days=offset)
            if future
            else published - timedelta(days=(7 - offset) % 7)
        )
        return make(day, day, "day")
    when, unit = phrase.rsplit(" ", 1)
    shift = {"last": -1, "next": 1}.get(when, 0)
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
        return make(monday, monday + timedelta(days=6), "day")
    if unit == "month":
        month_index = published.year * 12 + published.month - 1 + shift
        year, month = divmod(month_index, 12)
        return make(date(year, month + 1, 1), _month_end(year, month + 1), "month")
    year = published.year + shift
    return make(date(year, 1, 1), date(year, 12, 31), "year")


DateMatch = tuple[str, re.Match[str]]


def _within_calendar(
    kind: str, match: re.Match[str], published: date, future: bool
) -> DateSpan | None:
    """The resolved date, or None where it falls outside years 1-9999 ("tomorrow" of an
    article dated 9999-12-31, "last year" of year 1): no such date can be written."""
    try:
        return _from_match(kind, match, published, future)
    except (OverflowError, ValueError):  # date arithmetic / date() past date.min or date.max
        return None


def find_date_matches(
    text: str, start: int, end: int, lowered: str | None = None
) -> list[DateMatch]:
    """Date expressions in text[start:end] before resolution, longest first where they
    overlap. Resolution depends on tense (``resolve``), the scan does not: scan once.
    ``lowered``: the text lower-cased, same offsets, where the caller has it."""
    if not _DATE_HINT.search(
        lowered if lowered is not None else lower_same_length(text), start, end
    ):
        return []
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text, start, end):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            found.append((kind, match))
            taken.append((match.start(), match.end()))
    return sorted(found, key=lambda item: item[1].start())


def resolve(
    matches: list[DateMatch], published: date | None, future: bool, fallback: date | None = None
) -> list[DateSpan]:
    """Dates of ``find_date_matches`` against the publication date, in a tense. Without
    one, a date missing its year takes it from ``fallback`` (``reference_date``), else
    from today."""
    reference = published or fallback or date.today()
    spans = []
    for kind, match in matches:
        if kind == "relative" and published is None:
            continue  # relative dates mean nothing without a publication date
        span = _within_calendar(kind, match, reference, future)
        if span is not None:
            spans.append(span)
    return spans


_ANY_YEAR = re.compile(rf"\b{_YEAR}\b")


def reference_date(text: str, today: date | None = None) -> date | None:
    """For an undated page, the end of the latest year it names (not after this one): a
    page that names 2022 as its latest year is most likely of 2022, and "on 21 April"
    is then that year's, not this one's."""
    current = (today or date.today()).year
    years = [y for y in map(int, _ANY_YEAR.findall(text)) if y <= current]
    return date(max(years), 12, 31) if years else None


def find_dates(
    text: str,
    start: int,
    end: int,
    published: date | None,
    future: bool,
    fallback: date | None = None,
) -> list[DateSpan]:
    """Resolved date expressions in text[start:end]."""
    return resolve(find_date_matches(text, start, end), published, future, fallback)
