"""The data interval a run covers, and the names derived from it.

Object keys come from the interval, never from wall-clock time, so rerunning
an interval replaces the same objects instead of adding new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("interval bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError(f"interval ends before it starts: {self.start} > {self.end}")

    @classmethod
    def hour_ending(cls, end: datetime) -> Interval:
        """The whole hour that ends at (or contains) ``end``, in UTC."""
        end = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return cls(end - timedelta(hours=1), end)

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> Interval:
        end = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
        return cls(end - timedelta(days=days), end)

    @classmethod
    def hours_between(cls, start: datetime, end: datetime) -> list[Interval]:
        """The whole UTC hours from the one holding ``start`` up to ``end`` (a backfill's
        intervals, as the hourly ingest's timetable cuts them)."""
        first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        hours = []
        while first < end:
            hours.append(cls(first, first + timedelta(hours=1)))
            first += timedelta(hours=1)
        return hours

    @property
    def date(self) -> str:
        """The partition date: the UTC date the interval starts on."""
        return self.start.astimezone(UTC).strftime("%Y-%m-%d")

    @property
    def slug(self) -> str:
        """A key-safe name, e.g. ``20261129T0400Z--20261129T0500Z``."""
        fmt = "%Y%m%dT%H%MZ"
        return f"{self.start.astimezone(UTC):{fmt}}--{self.end.astimezone(UTC):{fmt}}"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end
