"""Date forms seen on news pages, all read as timezone-aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from defence_news.parse.dates import (
    Stamp,
    date_from_dateline,
    date_from_url,
    parse_datetime,
    read_stamp,
    refine_stamp,
)

ICT = timezone(timedelta(hours=7))
EDT = timezone(timedelta(hours=-4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-17T09:30:00+07:00", datetime(2024, 6, 17, 9, 30, tzinfo=ICT)),
        ("2024-06-17T02:30:00Z", datetime(2024, 6, 17, 2, 30, tzinfo=UTC)),
        ("2024-06-17T09:30:00+0700", datetime(2024, 6, 17, 9, 30, tzinfo=ICT)),
        ("2024-06-17 09:30:00", datetime(2024, 6, 17, 9, 30, tzinfo=UTC)),
        ("2024-06-17", datetime(2024, 6, 17, tzinfo=UTC)),
        ("Mon, 17 Jun 2024 09:30:00 +0700", datetime(2024, 6, 17, 9, 30, tzinfo=ICT)),
        ("June 17, 2024", datetime(2024, 6, 17, tzinfo=UTC)),
        ("Jun. 17, 2024 10:15 am EDT", datetime(2024, 6, 17, 10, 15, tzinfo=EDT)),
        ("17 June 2024, 4:05 PM", datetime(2024, 6, 17, 16, 5, tzinfo=UTC)),
        ("Updated: 17th Sept 2024", datetime(2024, 9, 17, tzinfo=UTC)),
        ("2024/06/17", datetime(2024, 6, 17, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text, expected):
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text", ["", "yesterday", "1870-01-01", "3024-01-01", "2024-13-45", None, 7]
)
def test_unreadable_or_implausible_dates(text):
    assert parse_datetime(text) is None


def test_naive_dates_take_the_given_zone():
    assert parse_datetime("2024-06-17 09:30", ICT) == datetime(2024, 6, 17, 9, 30, tzinfo=ICT)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.test/2024/06/17/slug", datetime(2024, 6, 17, tzinfo=UTC)),
        ("https://x.test/news/2024-06-17-slug", datetime(2024, 6, 17, tzinfo=UTC)),
        ("https://x.test/news/20240617/slug", datetime(2024, 6, 17, tzinfo=UTC)),
        ("https://x.test/2024/6/7/slug", datetime(2024, 6, 7, tzinfo=UTC)),
        ("https://x.test/news/article-123456", None),
        ("https://x.test/2024/13/40/slug", None),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


def test_dateline_at_the_start_only():
    assert date_from_dateline("PHNOM PENH, June 17, 2024 — The army said") == datetime(
        2024, 6, 17, tzinfo=UTC
    )
    late = "The army said " + "many things " * 40 + "on June 17, 2024."
    assert date_from_dateline(late) is None


@pytest.mark.parametrize(
    ("text", "has_time", "has_offset"),
    [
        ("2024-06-17", False, False),
        ("2024.06.17", False, False),
        ("2024-06-17T09:30:00", True, False),
        ("2024-06-17 09:30", True, False),
        ("2024-06-17T09:30:00+07:00", True, True),
        ("Mon, 17 Jun 2024 09:30:00 +0700", True, True),
        ("June 17, 2024", False, False),
    ],
)
def test_stamp_says_what_the_text_gave(text, has_time, has_offset):
    stamp = read_stamp(text)
    assert (stamp.has_time, stamp.has_offset) == (has_time, has_offset)


def test_refine_keeps_a_complete_first_stamp_and_completes_a_vague_one():
    exact = read_stamp("2024-06-17T09:30:00+07:00")
    other = read_stamp("2024-06-17T11:00:00+00:00")
    assert refine_stamp([exact, other]) == (0, exact)
    date_only, naive = read_stamp("2024-06-17"), read_stamp("2024-06-17T09:30:00")
    assert refine_stamp([date_only, naive, exact]) == (
        1,
        Stamp(datetime(2024, 6, 17, 9, 30, tzinfo=ICT), True, True),
    )
    # a time on another day does not complete a date
    assert refine_stamp([date_only, read_stamp("2024-06-18T01:00:00+00:00")])[0] == 0
