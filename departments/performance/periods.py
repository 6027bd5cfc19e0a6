"""The period a report covers, and its defaults (month to date, last 30 days)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from approvals.clock.deadlines import SHANGHAI

# Longest period a page computes: a year and a day (a leap year's whole year fits).
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Shanghai calendar dates `start`..`end`, both included."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        """00:00 Asia/Shanghai on `start` (inclusive)."""
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=SHANGHAI)

    @property
    def end_at(self) -> datetime.datetime:
        """00:00 Asia/Shanghai on the day after `end` (exclusive)."""
        return datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "start_at": self.start_at,
            "end_at": self.end_at,
            "tz": "Asia/Shanghai",
        }


def month_to_date(today: datetime.date) -> Period:
    """The default period: this month up to today."""
    return Period(start=today.replace(day=1), end=today)


def last_30_days(today: datetime.date) -> Period:
    """The last 30 days up to today: the default sample of closed cases for the real medians.
    At a million cases that is some 36,000 closures, about a second of sorting; a year takes
    several seconds and is there for the asking."""
    return Period(start=today - datetime.timedelta(days=29), end=today)
