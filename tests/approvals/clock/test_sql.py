"""The working-day ordinals in SQL (departments.performance) against approvals.deadlines.

Both must agree on every pair of dates: the performance figures are counted by the first and the
deadlines by the second, and a supervisor compares one with the other.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals.clock.calendar import calendar_load_package_years, working_calendar
from approvals.clock.sql import working_days_between_many
from approvals.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.postgres

D = datetime.date


@pytest.fixture(autouse=True)
def holidays(db):
    calendar_load_package_years()


# (start, end, working days in (start, end], why)
DATED = [
    (D(2026, 10, 9), D(2026, 10, 9), 0, "same day"),
    (D(2026, 10, 9), D(2026, 10, 10), 1, "Saturday 10 Oct 2026 is a make-up working day"),
    (D(2026, 10, 10), D(2026, 10, 12), 1, "Sunday off, Monday counts"),
    (D(2026, 9, 30), D(2026, 10, 8), 1, "National Day week 1–7 Oct 2026"),
    (D(2026, 9, 24), D(2026, 9, 28), 1, "Mid-Autumn Friday 25 Sep 2026 and the weekend"),
    (D(2026, 2, 13), D(2026, 2, 24), 2, "Spring Festival 15–23 Feb 2026; 14 Feb (Sat) worked"),
    (D(2025, 12, 31), D(2026, 1, 5), 2, "New Year 1–3 Jan 2026; Sunday 4 Jan 2026 worked"),
    (D(2025, 1, 24), D(2025, 2, 5), 3, "Spring Festival 2025: 26 Jan and 8 Feb (Sat) worked"),
    (D(2025, 9, 30), D(2025, 10, 9), 1, "National Day 2025 (1–8 Oct)"),
    (D(2025, 9, 27), D(2025, 9, 29), 2, "Sunday 28 Sep 2025 is a make-up working day"),
    (D(2026, 12, 31), D(2027, 1, 4), 1, "2027 has no data: 1 Jan off by rule, Mon 4 Jan counts"),
    (D(2027, 2, 4), D(2027, 2, 11), 1, "2027 by rule: Spring Festival 5–8 Feb, 补假 9–10 Feb"),
    (D(2027, 9, 30), D(2027, 10, 6), 1, "2027 by rule: National Day 1–3 Oct, 补假 4–5 Oct"),
    (D(2025, 1, 1), D(2025, 12, 31), 248, "the whole of 2025 after New Year's Day"),
    (D(2026, 1, 1), D(2026, 12, 31), 248, "the whole of 2026 after New Year's Day"),
]


def test_dated_cases_agree_with_the_clock():
    calendar = working_calendar()
    got = working_days_between_many(pairs=[(start, end) for start, end, _n, _why in DATED])
    for (start, end, expected, why), sql in zip(DATED, got, strict=True):
        assert calendar.working_days_between(start, end) == expected, why
        assert sql == expected, why


def test_a_year_entered_by_an_administrator_is_used():
    # Given 2027 entered with 1 January as a holiday and Saturday 9 January as a make-up day
    year = CalendarYear.objects.create(year=2027, source="测试")
    CalendarDay.objects.create(year=year, date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)
    CalendarDay.objects.create(year=year, date=D(2027, 1, 9), kind=CalendarDay.Kind.WORKDAY)
    pairs = [(D(2026, 12, 31), D(2027, 1, 4)), (D(2027, 1, 8), D(2027, 1, 11))]
    # Then the SQL counts them like the clock does
    calendar = working_calendar()
    assert working_days_between_many(pairs=pairs) == [1, 2]
    assert [calendar.working_days_between(a, b) for a, b in pairs] == [1, 2]


def test_no_pairs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert working_days_between_many(pairs=[]) == []


dates = st.dates(min_value=D(2024, 11, 1), max_value=D(2027, 3, 31))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=60))
def test_any_pair_agrees_with_the_clock(pairs):
    pairs = [(min(a, b), max(a, b)) for a, b in pairs]
    calendar = working_calendar()
    assert working_days_between_many(pairs=pairs) == [
        calendar.working_days_between(a, b) for a, b in pairs
    ]


def test_every_day_of_the_loaded_calendar_agrees_with_the_clock():
    # Given every year the calendar package carries (2004 onwards), day by day
    years = CalendarYear.objects.order_by("year").values_list("year", flat=True)
    first, last = D(years.first(), 1, 1), D(years.last(), 12, 31)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    assert len(days) > 8000
    # When the SQL counts each single day (the day before, the day]
    singles = working_days_between_many(
        pairs=[(day - datetime.timedelta(days=1), day) for day in days]
    )
    # and the running total from the first day
    totals = working_days_between_many(pairs=[(first, day) for day in days])
    # Then both agree with the pure clock on every day
    calendar = working_calendar()
    assert singles == [int(calendar.is_working_day(day)) for day in days]
    running = 0
    for day, total in zip(days, totals, strict=True):
        if day != first:
            running += calendar.is_working_day(day)
        assert total == running, day
