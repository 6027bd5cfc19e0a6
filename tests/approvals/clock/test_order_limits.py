"""接诉即办's limits on the working-day clock: table-tested against the State Council's real
2025–2026 calendar (pure; the calendar is built from `chinesecalendar`)."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest

from approvals.clock.deadlines import (
    SHANGHAI,
    DeadlineError,
    OrderLimit,
    WorkingCalendar,
    order_callback_on,
    order_due_at,
    order_extended_due_at,
    order_listed_from,
    order_return_until,
    order_yellow_at,
)
from approvals.clock.holidays import ruled_days_off

KNOWN = frozenset(day.year for day in chinese_calendar.holidays)
CALENDAR = WorkingCalendar(
    holidays=frozenset(chinese_calendar.holidays),
    workdays=frozenset(chinese_calendar.workdays),
    known_years=KNOWN,
    # 2027 is not published yet: its statutory days off come from the rule, as in the hall
    predicted_holidays=frozenset(ruled_days_off(2027)),
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        # urgent: 2 hours on the wall clock, nights and holidays included
        (at(2025, 10, 1, 23, 30), OrderLimit(hours=2), at(2025, 10, 2, 1, 30)),
        # a consultation: the same working day, to 24:00
        (at(2025, 9, 30, 16, 0), OrderLimit(working_days=0), at(2025, 10, 1)),
        # ... received in the National Day holiday: the first working day after it (Oct 9)
        (at(2025, 10, 3, 9, 0), OrderLimit(working_days=0), at(2025, 10, 10)),
        # ... received on the make-up Saturday (Oct 11 2025 is worked): that day
        (at(2025, 10, 11, 9, 0), OrderLimit(working_days=0), at(2025, 10, 12)),
        # help: 3 working days from the day after receipt (Fri → Wed)
        (at(2026, 3, 6, 15, 0), OrderLimit(working_days=3), at(2026, 3, 12)),
        # a complaint: 13 working days; received the day before the 2026 Spring Festival
        # break (Feb 15–23 off; Saturdays Feb 14 and 28 worked): the 13th is March 10
        (at(2026, 2, 13, 10, 0), OrderLimit(working_days=13), at(2026, 3, 11)),
        # a complaint received on a Sunday: counting starts Monday
        (at(2026, 3, 8, 10, 0), OrderLimit(working_days=13), at(2026, 3, 26)),
        # across the year's end into 2027, not yet published: New Year's Day off by rule
        # (Dec 25, 28–31, Jan 4–8, 11–13 → the 13th working day is Jan 13)
        (at(2026, 12, 24, 10, 0), OrderLimit(working_days=13), at(2027, 1, 14)),
    ],
)
def test_an_orders_limit(received, limit, due):
    assert order_due_at(calendar=CALENDAR, received_at=received, limit=limit) == due


@pytest.mark.parametrize(
    ("limit", "received", "due", "yellow"),
    [
        (OrderLimit(hours=2), at(2026, 3, 2, 10), at(2026, 3, 2, 12), at(2026, 3, 2, 11, 30)),
        (OrderLimit(working_days=13), at(2026, 3, 2, 10), at(2026, 3, 20), at(2026, 3, 19)),
        (OrderLimit(working_days=0), at(2026, 3, 2, 10), at(2026, 3, 3), at(2026, 3, 2, 20)),
        # a same-day order received late in the evening is yellow at once
        (OrderLimit(working_days=0), at(2026, 3, 2, 21), at(2026, 3, 3), at(2026, 3, 2, 21)),
    ],
)
def test_the_yellow_card(limit, received, due, yellow):
    assert order_yellow_at(received_at=received, due_at=due, limit=limit) == yellow


def test_an_extension_counts_from_the_due_date():
    # due at the end of 2026-09-25 (Mid-Autumn); 5 working days across National Day 2026
    # (Oct 1–7 off, Saturday Oct 10 worked): Sep 28, 29, 30, Oct 8, 9
    due = at(2026, 9, 26)
    extended = order_extended_due_at(calendar=CALENDAR, due_at=due, working_days=5)
    assert extended == at(2026, 10, 10)


def test_a_return_is_allowed_within_one_working_day():
    # dispatched on a Friday afternoon: the department has until Monday 24:00
    assert order_return_until(calendar=CALENDAR, dispatched_at=at(2026, 3, 6, 16)) == at(
        2026, 3, 10
    )


def test_listing_comes_five_working_days_after_the_limit():
    # limit ends with Thursday 2026-03-12; five working days later is Thursday 03-19
    assert order_listed_from(calendar=CALENDAR, due_at=at(2026, 3, 13)) == at(2026, 3, 20)


def test_the_call_back_is_the_next_working_day():
    assert order_callback_on(calendar=CALENDAR, closed_at=at(2026, 3, 6, 17)) == date(2026, 3, 9)
    # closed late on New Year's Eve 2025: Jan 1–3 2026 are off and Sunday Jan 4 is worked
    closed = at(2025, 12, 31, 23, 59)
    assert order_callback_on(calendar=CALENDAR, closed_at=closed) == date(2026, 1, 4)


@pytest.mark.parametrize(
    "limit",
    [
        {"working_days": 3, "hours": 2},
        {},
        {"hours": 0},
        {"working_days": -1},
    ],
)
def test_a_limit_is_days_or_hours(limit):
    with pytest.raises(DeadlineError):
        OrderLimit(**limit)


def test_an_extension_must_add_time():
    with pytest.raises(DeadlineError):
        order_extended_due_at(calendar=CALENDAR, due_at=at(2026, 3, 13), working_days=0)
