"""Reading publication dates from the many forms news pages use.

Every value returned is timezone-aware: a date without an offset is read in
the source's time zone (site rule ``timezone``) or UTC when none is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from htmldate import find_date
from lxml.html import HtmlElement

# News is not published before the web nor far in the future; anything outside
# these bounds is a parsing accident (e.g. a product number read as a date).
EARLIEST_YEAR = 1995
# Pages are sometimes stamped a little ahead (time zones, scheduled posts).
MAX_FUTURE = timedelta(days=2)

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# Abbreviations seen in news datelines; ambiguous ones (IST, CST) take the
# reading most common in English-language defence news.
ZONE_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "IST": 5.5,
    "ICT": 7,
    "WIB": 7,
    "SGT": 8,
    "HKT": 8,
    "PHT": 8,
    "KST": 9,
    "JST": 9,
    "AEST": 10,
    "AEDT": 11,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = (
    r"(?:[ ,T]+(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_ZONE = r"(?:\s*\(?(?P<zone>[A-Z]{1,4}|[+-]\d{2}:?\d{2})\)?)?"
_TEXT_DATES = (
    # June 17, 2024 / Jun. 17 2024 10:30 am EDT
    re.compile(
        rf"\b(?P<month>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}{_ZONE}",
        re.IGNORECASE,
    ),
    # 17 June 2024 / 17th Jun, 2024
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAMES})\.?,?\s+(?P<year>\d{{4}}){_TIME}{_ZONE}",
        re.IGNORECASE,
    ),
    # 2024-06-17 / 2024/06/17 / 2024.06.17 (with optional time)
    re.compile(
        rf"\b(?P<year>\d{{4}})[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}}){_TIME}{_ZONE}"
    ),
)
_URL_DATES = (
    re.compile(r"/(?P<year>(?:19|20)\d{2})[/-](?P<month>[01]?\d)[/-](?P<day>[0-3]?\d)(?:/|-|_|$)"),
    re.compile(r"/(?P<year>(?:19|20)\d{2})(?P<month>[01]\d)(?P<day>[0-3]\d)(?:/|-|_|$)"),
)


def zone_from_rules(name: str | None) -> tzinfo:
    """The site's time zone (IANA name from the registry), UTC when unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def plausible(value: datetime, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return value.year >= EARLIEST_YEAR and value <= now + MAX_FUTURE


@dataclass(frozen=True)
class Stamp:
    """A date as a page wrote it: always tz-aware, and what the text actually gave.

    ``has_time``: a time of day was written (else the value is midnight);
    ``has_offset``: an offset or zone was written (else ``zone`` was assumed).
    """

    value: datetime
    has_time: bool
    has_offset: bool


def parse_datetime(value: object, zone: tzinfo = UTC) -> datetime | None:
    """A tz-aware datetime from an ISO, RFC 2822 or written-out date; None if unreadable."""
    stamp = read_stamp(value, zone)
    return stamp.value if stamp is not None else None


_WRITTEN_TIME = re.compile(r"\d:\d\d|T\d\d|\dh\d\d")


def read_stamp(value: object, zone: tzinfo = UTC) -> Stamp | None:
    """parse_datetime, keeping whether a time and an offset were written."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    parsed = _parse_iso(text) or _parse_rfc2822(text) or _parse_written(text)
    if parsed is None:
        return None
    has_offset = parsed.tzinfo is not None
    if not has_offset:
        parsed = parsed.replace(tzinfo=zone)
    if not plausible(parsed):
        return None
    return Stamp(parsed, bool(_WRITTEN_TIME.search(text)), has_offset)


def refine_stamp(stamps: list[Stamp]) -> tuple[int, Stamp] | None:
    """The first (most trusted) stamp, completed by the later ones where it is vague.

    - a date alone takes the time of a later source that gives one on the same day
      (JSON-LD "2024-03-05", <time datetime="2024-03-05T14:22:02-05:00">);
    - a time without offset takes the offset of a later source that gives the same
      wall-clock time, else of one on the same day (JSON-LD "2024-03-05T09:02:00" read
      as UTC, while the page's meta name=date says "2024-03-05T09:02:00+05:30").

    Returns the index of the stamp whose time is used, and the completed stamp.
    """
    if not stamps:
        return None
    chosen = 0
    if not stamps[0].has_time:
        day = stamps[0].value.date()
        timed = [i for i, s in enumerate(stamps) if s.has_time and s.value.date() == day]
        if not timed:
            return 0, stamps[0]
        chosen = timed[0]
    best = stamps[chosen]
    if best.has_offset:
        return chosen, best
    clock = best.value.replace(tzinfo=None, second=0, microsecond=0)
    offsets = [
        s for s in stamps[chosen + 1 :] if s.has_offset and s.value.date() == best.value.date()
    ]
    same_clock = [
        s for s in offsets if s.value.replace(tzinfo=None, second=0, microsecond=0) == clock
    ]
    for source in same_clock or offsets:
        return chosen, Stamp(best.value.replace(tzinfo=source.value.tzinfo), True, True)
    return chosen, best


def _parse_iso(text: str) -> datetime | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", candidate)  # +0700 -> +07:00
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> datetime | None:
    if not re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_written(text: str) -> datetime | None:
    for pattern in _TEXT_DATES:
        match = pattern.search(text)
        if match:
            return _from_match(match)
    return None


def _month_number(raw: str) -> int:
    return int(raw) if raw.isdigit() else MONTHS[raw.lower().rstrip(".")]


def _from_match(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    try:
        hour = int(groups.get("hour") or 0)
        ampm = (groups.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        parsed = datetime(
            int(groups["year"]),
            _month_number(groups["month"]),
            int(groups["day"]),
            hour,
            int(groups.get("minute") or 0),
            int(groups.get("second") or 0),
        )
    except (ValueError, KeyError):
        return None
    zone = _zone(groups.get("zone"))
    return parsed.replace(tzinfo=zone) if zone is not None else parsed


def _zone(raw: str | None) -> tzinfo | None:
    if not raw:
        return None
    from datetime import timezone

    if raw.upper() in ZONE_ABBREVIATIONS:
        return timezone(timedelta(hours=ZONE_ABBREVIATIONS[raw.upper()]))
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", raw)
    if not match:
        return None
    sign = 1 if match.group(1) == "+" else -1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def date_from_url(url: str | None, zone: tzinfo = UTC) -> datetime | None:
    """The date in a URL path such as /2024/06/17/slug or /20240617-slug."""
    if not url:
        return None
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match:
            try:
                value = datetime(
                    int(match["year"]), int(match["month"]), int(match["day"]), tzinfo=zone
                )
            except ValueError:
                continue
            if plausible(value):
                return value
    return None


# A dateline opens the story: "PHNOM PENH, June 17, 2024 —" or "June 17, 2024 (Reuters) -".
DATELINE_SEARCH_CHARS = 200


def date_from_dateline(body: str, zone: tzinfo = UTC) -> datetime | None:
    head = body[:DATELINE_SEARCH_CHARS]
    match = _TEXT_DATES[0].search(head) or _TEXT_DATES[1].search(head)
    if not match:
        return None
    value = _from_match(match)
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value if plausible(value) else None


def date_from_markup(tree: HtmlElement, url: str | None, zone: tzinfo = UTC) -> datetime | None:
    """htmldate's reading of the page (date-like classes, text patterns), day precision.

    Its extensive search reads the visible dates too, in the languages it knows
    ("publiziert am 25. September 2018"), where a page has no machine-readable date.

    The last resort: only asked when no structured source, the URL, the dateline or
    the feed gave a date. htmldate copies the tree it is given.
    """
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=True)
    except Exception:  # a heuristic that fails simply gives no date
        return None
    if not found:
        return None
    try:
        value = datetime.fromisoformat(found).replace(tzinfo=zone)
    except ValueError:
        return None
    return value if plausible(value) else None
