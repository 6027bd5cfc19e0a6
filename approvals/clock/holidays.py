"""The statutory holidays of a year by rule: 《全国年节及纪念日放假办法》, as in force that year.

The State Council's yearly notice (usually in November) fixes which weekend days are worked to
make longer breaks (调休); that part cannot be computed. The statutory holidays themselves can:
they are fixed days of the solar calendar, of the lunar calendar, and one solar term. A year
without the notice is therefore counted with these holidays and only the make-up working days
unknown, and every deadline that crosses it is provisional (`WorkingCalendar.unknown_years`).

The rules by the year they took effect (L = lunar calendar, ST = the solar term 清明):

| from | 元旦 | 春节 | 清明 | 劳动节 | 端午 | 中秋 | 国庆 | days |
|---|---|---|---|---|---|---|---|---|
| 1999 | 1 Jan | L 1–3 Jan | — | 1–3 May | — | — | 1–3 Oct | 10 |
| 2008 | 1 Jan | L eve, 1–2 Jan | ST | 1 May | L 5 May | L 15 Aug | 1–3 Oct | 11 |
| 2014 | 1 Jan | L 1–3 Jan | ST | 1 May | L 5 May | L 15 Aug | 1–3 Oct | 11 |
| 2025 | 1 Jan | L eve, 1–3 Jan | ST | 1–2 May | L 5 May | L 15 Aug | 1–3 Oct | 13 |

(2008: the 2007 amendment; 2014: the 2013 one; 2025: the 2024 one.)

补假 (Art. 6 of the same 办法): a holiday for all citizens that falls on a Saturday or Sunday is
given on a working day instead. The 办法 does not say which working day; the State Council's
notices of every published year give it right after the holiday, so the rule here is: for each
block of consecutive statutory days, as many make-up days off as the block has days on a
Saturday or Sunday, on the first Monday–Friday days after the block that are not statutory days
themselves (2027: 春节 on Saturday 6 and Sunday 7 February gives 9 and 10 February off; 劳动节 on
1–2 May, a weekend, gives 3 and 4 May; 国庆 on Saturday 2 and Sunday 3 October gives 4 and 5
October). `ruled_days_off` is what a year without the notice is counted with.

Pure: no database. The lunar dates and the solar term come from `lunar_python`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar

FIRST_RULED_YEAR = 2004
_SATURDAY = 5  # the earliest year the product's loaded calendar starts with


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> dict[date, str]:
    """Every statutory holiday of `year` with its name, under the rule in force that year."""
    if year < FIRST_RULED_YEAR:
        raise ValueError(f"statutory holidays are ruled from {FIRST_RULED_YEAR} on, not {year}")
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _lunar(year, 1, 1)
    eve = new_year - timedelta(days=1)
    if year >= 2025:
        spring = [eve, new_year, new_year + timedelta(1), new_year + timedelta(2)]
    elif year >= 2014:
        spring = [new_year, new_year + timedelta(1), new_year + timedelta(2)]
    elif year >= 2008:
        spring = [eve, new_year, new_year + timedelta(1)]
    else:
        spring = [new_year, new_year + timedelta(1), new_year + timedelta(2)]
    days.update((day, "春节") for day in spring)
    if year >= 2008:
        days[_qingming(year)] = "清明节"
        days[_lunar(year, 5, 5)] = "端午节"
    if year >= 2025:
        labour = [date(year, 5, 1), date(year, 5, 2)]
    elif year >= 2008:
        labour = [date(year, 5, 1)]
    else:
        labour = [date(year, 5, 1), date(year, 5, 2), date(year, 5, 3)]
    days.update((day, "劳动节") for day in labour)
    national = [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]
    days.update((day, "国庆节") for day in national)
    if year >= 2008:
        # 中秋 can fall on a National Day day (1 October 2020): it stays one holiday, two names.
        mid_autumn = _lunar(year, 8, 15)
        days[mid_autumn] = "国庆节、中秋节" if mid_autumn in national else "中秋节"
    return days


@lru_cache(maxsize=128)
def ruled_days_off(year: int) -> dict[date, str]:
    """Every day off of `year` by rule: the statutory holidays and their 补假 (Art. 6).

    The made-up day for a holiday on a Saturday or Sunday is the first Monday–Friday day after
    the holiday's block of consecutive statutory days that is not itself a statutory day; a
    block with two such days gets the first two (see the module docstring).
    """
    statutory = statutory_holidays(year)
    days = dict(statutory)
    blocks: list[list[date]] = []
    for day in sorted(statutory):
        if blocks and day - blocks[-1][-1] == timedelta(days=1):
            blocks[-1].append(day)
        else:
            blocks.append([day])
    for block in blocks:
        owed = sum(1 for day in block if day.weekday() >= _SATURDAY)
        day = block[-1]
        while owed:
            day += timedelta(days=1)
            if day.weekday() < _SATURDAY and day not in days:
                days[day] = f"{statutory[block[-1]]}补假"
                owed -= 1
    return days
