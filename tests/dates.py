"""Pinned moments for tests that depend on today (README, "Tests and dates").

A test that needs a particular today moves the clock there with time-machine's `time_machine`
fixture: `time_machine.move_to(shanghai(2026, 3, 2))`. The clock keeps ticking (the live Celery
worker and the live server run on it too), and the date is fixed, so the test passes or fails
the same on any real date and under `HALL_TEST_TODAY`.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware moment in Asia/Shanghai, where the hall's working days are counted."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
