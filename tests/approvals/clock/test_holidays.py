"""The statutory holidays by rule, held against every year the calendar package carries."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from approvals.clock.holidays import ruled_days_off, statutory_holidays

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


# 补假 (Art. 6 of the 办法): the made-up days off the rule gives each year, beyond the statutory
# days, and the published years where the State Council placed one elsewhere.
MADE_UP = {
    2021: [
        D(2021, 2, 15),
        D(2021, 2, 16),
        D(2021, 4, 5),
        D(2021, 5, 3),
        D(2021, 10, 4),
        D(2021, 10, 5),
    ],
    2022: [D(2022, 1, 3), D(2022, 5, 2), D(2022, 9, 12), D(2022, 10, 4), D(2022, 10, 5)],
    2023: [D(2023, 1, 2), D(2023, 1, 25), D(2023, 10, 4)],
    2019: [],
    2025: [D(2025, 6, 2)],  # 端午 on Saturday 31 May
    2026: [D(2026, 4, 6), D(2026, 5, 4), D(2026, 10, 5)],
    # No notice yet: the days the product would otherwise count as working days.
    2027: [
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 5, 3),
        D(2027, 5, 4),
        D(2027, 10, 4),
        D(2027, 10, 5),
    ],
}
# The two published years whose notice gave the made-up day elsewhere than right after the
# holiday: 2012 gave Friday 22 June before 端午 (Saturday 23), and 2015 gave 中秋 (Sunday
# 27 September) back inside the National Day week. The rule's day is a working day there.
PLACED_ELSEWHERE = {D(2012, 6, 25), D(2015, 9, 28)}


@pytest.mark.parametrize("year", sorted(MADE_UP))
def test_made_up_days_follow_the_holiday_block(year):
    made_up = sorted(set(ruled_days_off(year)) - set(statutory_holidays(year)))
    assert made_up == MADE_UP[year]
    assert all(day.weekday() < 5 for day in made_up)
    assert all(ruled_days_off(year)[day].endswith("补假") for day in made_up)


@pytest.mark.parametrize("year", sorted({day.year for day in chinese_calendar.holidays}))
def test_every_day_the_rule_gives_off_is_off_in_the_published_year(year):
    for day, name in ruled_days_off(year).items():
        if day in PLACED_ELSEWHERE:
            assert not chinese_calendar.is_holiday(day), "the exception is no longer one"
            continue
        assert chinese_calendar.is_holiday(day), (day, name)


def test_a_holiday_on_a_weekday_owes_nothing():
    # 2019: every statutory day fell on a weekday (元旦 Tuesday, 国庆 Tuesday to Thursday).
    assert ruled_days_off(2019) == statutory_holidays(2019)
