"""The statutory holidays by rule, held against every year the calendar package carries."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from approvals.clock.holidays import statutory_holidays

D = date

# (year, how many statutory days, a few of them, why)
YEARS = [
    (2004, 10, [D(2004, 1, 22), D(2004, 5, 3), D(2004, 10, 3)], "1999 rule: 3+3+3+1"),
    (2007, 10, [D(2007, 2, 18), D(2007, 2, 20)], "still the 1999 rule"),
    (2008, 11, [D(2008, 2, 6), D(2008, 4, 4), D(2008, 6, 8), D(2008, 9, 14)], "eve + 2 days"),
    (2013, 11, [D(2013, 2, 9), D(2013, 4, 4)], "last year with the eve"),
    (2014, 11, [D(2014, 1, 31), D(2014, 2, 2)], "2013 amendment: lunar 1–3 Jan"),
    (2024, 11, [D(2024, 2, 10), D(2024, 9, 17)], "last year of the 2013 rule"),
    (2025, 13, [D(2025, 1, 28), D(2025, 5, 2), D(2025, 5, 31)], "2024 amendment: 13 days"),
    (2027, 13, [D(2027, 2, 5), D(2027, 2, 8), D(2027, 4, 5), D(2027, 9, 15)], "no data yet"),
]


@pytest.mark.parametrize(("year", "count", "some", "why"), YEARS, ids=[str(y[0]) for y in YEARS])
def test_the_rule_of_each_era(year, count, some, why):
    days = statutory_holidays(year)
    assert len(days) == count, why
    for day in some:
        assert day in days, (day, why)
    assert all(day.year == year for day in days)


def test_mid_autumn_inside_national_day_counts_once():
    days = statutory_holidays(2020)  # 中秋 on 1 October 2020
    assert days[D(2020, 10, 1)] == "国庆节、中秋节"
    assert len(days) == 10


@pytest.mark.parametrize("year", sorted({day.year for day in chinese_calendar.holidays}))
def test_every_ruled_day_is_a_holiday_in_the_loaded_calendar(year):
    # The State Council's notices never work a statutory holiday: each day the rule names is off.
    for day, name in statutory_holidays(year).items():
        assert chinese_calendar.is_holiday(day), (day, name)
        assert day not in chinese_calendar.workdays, (day, name)


def test_years_before_the_first_ruled_year_are_refused():
    with pytest.raises(ValueError):
        statutory_holidays(2003)
