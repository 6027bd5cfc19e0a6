"""The holiday calendar in the database: the migration's data, the loader, the cached selector."""

from __future__ import annotations

from datetime import date
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from approvals.clock.calendar import (
    calendar_load_package_years,
    working_calendar,
    years_without_data,
)
from approvals.clock.deadlines import compute_deadline
from approvals.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

PACKAGE_DAY_COUNT = len(chinese_calendar.holidays) + len(chinese_calendar.workdays)


def test_migration_loaded_the_package_years():
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2004, 2027))
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.count() == PACKAGE_DAY_COUNT
    national_day = CalendarDay.objects.get(date=date(2025, 10, 1))
    assert (national_day.kind, national_day.name, national_day.year.year) == (
        CalendarDay.Kind.HOLIDAY,
        "国庆节",
        2025,
    )
    makeup = CalendarDay.objects.get(date=date(2025, 9, 28))
    assert (makeup.kind, makeup.name) == (CalendarDay.Kind.WORKDAY, "国庆节")
    assert CalendarYear.objects.get(year=2025).source.startswith("chinesecalendar ")


def test_loader_is_idempotent_after_the_migration():
    before = list(CalendarDay.objects.order_by("date").values_list("pk", "date", "kind", "name"))
    assert calendar_load_package_years() == 0
    assert calendar_load_package_years() == 0
    after = list(CalendarDay.objects.order_by("date").values_list("pk", "date", "kind", "name"))
    assert after == before


def test_loader_restores_missing_and_corrected_rows_then_changes_nothing():
    # Given a deleted year, a deleted day and a day whose kind was changed by hand
    CalendarYear.objects.filter(year=2024).delete()
    CalendarDay.objects.filter(date=date(2025, 1, 26)).delete()
    CalendarDay.objects.filter(date=date(2025, 10, 8)).update(kind=CalendarDay.Kind.WORKDAY)
    days_2024 = sum(1 for day in chinese_calendar.holidays if day.year == 2024) + sum(
        1 for day in chinese_calendar.workdays if day.year == 2024
    )
    # When the package is loaded again
    written = calendar_load_package_years()
    # Then the year, its days, the deleted day and the corrected day were written, once
    assert written == 1 + days_2024 + 1 + 1
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).kind == CalendarDay.Kind.HOLIDAY
    assert CalendarDay.objects.get(date=date(2025, 1, 26)).kind == CalendarDay.Kind.WORKDAY
    assert CalendarDay.objects.count() == PACKAGE_DAY_COUNT
    assert calendar_load_package_years() == 0


def test_loader_keeps_rows_the_package_does_not_list_and_only_loads_asked_years():
    year_2025 = CalendarYear.objects.get(year=2025)
    year_2025.notes = "人工核对"
    year_2025.save()
    extra = CalendarDay.objects.create(
        year=year_2025, date=date(2025, 12, 31), kind=CalendarDay.Kind.HOLIDAY, name="测试"
    )
    CalendarYear.objects.filter(year__in=[2005, 2006]).delete()

    assert calendar_load_package_years(years=[2005, 2030]) > 0

    assert CalendarDay.objects.filter(pk=extra.pk).exists()
    assert CalendarYear.objects.get(year=2025).notes == "人工核对"
    assert CalendarYear.objects.filter(year=2005).exists()
    assert not CalendarYear.objects.filter(year__in=[2006, 2030]).exists()


def test_load_calendar_command():
    CalendarDay.objects.filter(date=date(2025, 10, 1)).delete()
    output = StringIO()
    call_command("load_calendar", "--year", "2025", stdout=output)
    assert "新增或更新 1 行" in output.getvalue()
    assert CalendarDay.objects.filter(date=date(2025, 10, 1)).exists()
    output = StringIO()
    call_command("load_calendar", stdout=output)
    assert "新增或更新 0 行" in output.getvalue()


def test_working_calendar_reflects_the_database():
    calendar = working_calendar()
    assert calendar.known_years == frozenset(range(2004, 2027))
    assert calendar.is_working_day(date(2025, 9, 28))
    assert not calendar.is_working_day(date(2025, 10, 8))
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_working_calendar_is_reused_after_one_query(django_assert_num_queries):
    first = working_calendar()
    with django_assert_num_queries(1):
        assert working_calendar() is first


def test_the_reused_calendar_costs_one_small_row_not_the_whole_calendar(django_assert_num_queries):
    # On PostgreSQL the check is the revision row the database renumbers on every write, not
    # the ~800 rows of the calendar (issue 27)
    first = working_calendar()
    with django_assert_num_queries(1) as captured:
        assert working_calendar() is first
    (query,) = captured.captured_queries
    assert "approvals_calendarrevision" in query["sql"]
    assert "approvals_calendarday" not in query["sql"]


def test_a_raw_sql_write_renumbers_the_calendar_and_is_seen():
    # a write no Django code sees (a psql session, a restore) still changes the revision
    first = working_calendar()
    assert not first.is_working_day(date(2025, 10, 8))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE approvals_calendarday SET kind = 'workday' WHERE date = %s", [date(2025, 10, 8)]
        )
    assert working_calendar().is_working_day(date(2025, 10, 8))


def test_a_year_without_data_counts_its_statutory_holidays_and_stays_provisional():
    # Given 2027 has no State Council notice: New Year's Day (a Friday) is still a holiday by
    # rule, and the deadline says it is provisional
    before = compute_deadline(calendar=working_calendar(), start=date(2026, 12, 31), working_days=1)
    assert before.due_date == date(2027, 1, 4)
    assert before.assumed_years == frozenset({2027})
    # the Spring Festival of 2027 by rule: the eve (5 Feb) and lunar 1–3 January (6–8 Feb), and
    # 补假 for the Saturday and Sunday among them on 9 and 10 February (Art. 6 of the 办法)
    spring = compute_deadline(calendar=working_calendar(), start=date(2027, 2, 4), working_days=1)
    assert spring.due_date == date(2027, 2, 11)
    # 劳动节 on Saturday 1 and Sunday 2 May: 3 and 4 May off
    labour = compute_deadline(calendar=working_calendar(), start=date(2027, 4, 30), working_days=1)
    assert labour.due_date == date(2027, 5, 5)
    # 国庆 on Friday 1 to Sunday 3 October: 4 and 5 October off
    national = compute_deadline(
        calendar=working_calendar(), start=date(2027, 9, 30), working_days=1
    )
    assert national.due_date == date(2027, 10, 6)
    assert national.assumed_years == frozenset({2027})


def test_adding_2027_is_seen_by_the_next_computation():
    # Given the calendar has been read and cached while 2027 was unknown (1 Jan off by rule)
    before = compute_deadline(calendar=working_calendar(), start=date(2026, 12, 31), working_days=1)
    assert before.due_date == date(2027, 1, 4)
    assert before.assumed_years == frozenset({2027})
    # When an administrator enters 2027 with Saturday 2 January worked as a make-up day
    year = CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕")
    CalendarDay.objects.create(
        year=year, date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦"
    )
    CalendarDay.objects.create(
        year=year, date=date(2027, 1, 2), kind=CalendarDay.Kind.WORKDAY, name="元旦调休"
    )
    # Then the very next computation uses it, and is no longer provisional
    after = compute_deadline(calendar=working_calendar(), start=date(2026, 12, 31), working_days=1)
    assert after.due_date == date(2027, 1, 2)
    assert after.assumed_years == frozenset()


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda: CalendarDay.objects.filter(date=date(2025, 10, 8)).update(
                kind=CalendarDay.Kind.WORKDAY
            ),
            id="kind-changed",
        ),
        pytest.param(
            lambda: CalendarDay.objects.filter(date=date(2025, 10, 8)).update(
                date=date(2025, 10, 9)
            ),
            id="date-moved",
        ),
        pytest.param(
            lambda: CalendarDay.objects.filter(date=date(2025, 10, 8)).delete(), id="day-deleted"
        ),
    ],
)
def test_cache_sees_edits_that_keep_the_row_count(edit):
    assert not working_calendar().is_working_day(date(2025, 10, 8))
    edit()  # a queryset update: no signal, no admin, as from a shell or another process
    assert working_calendar().is_working_day(date(2025, 10, 8))


def test_cache_sees_two_holidays_moved_by_opposite_amounts():
    # Given a cached calendar
    assert not working_calendar().is_working_day(date(2025, 10, 1))
    # When one holiday moves 19 days later and another 19 days earlier, in the same month each:
    # the count, the highest id and the sum of the dates are all unchanged
    CalendarDay.objects.filter(date=date(2025, 10, 1)).update(date=date(2025, 10, 20))
    CalendarDay.objects.filter(date=date(2025, 1, 29)).update(date=date(2025, 1, 10))
    # Then the change is still seen: a count/max(id)/checksum fingerprint would miss it
    calendar = working_calendar()
    assert calendar.is_working_day(date(2025, 10, 1))
    assert calendar.is_working_day(date(2025, 1, 29))
    assert not calendar.is_working_day(date(2025, 10, 20))
    assert not calendar.is_working_day(date(2025, 1, 10))


def test_years_without_data():
    assert years_without_data(start=date(2028, 1, 5), end=date(2026, 12, 1)) == {2027, 2028}
    assert years_without_data(start=date(2025, 1, 1), end=date(2026, 12, 31)) == frozenset()


def admin_add_year_payload(year: int, *days: tuple[str, str, str]) -> dict[str, str]:
    payload = {
        "year": str(year),
        "source": "国务院办公厅通知",
        "notes": "",
        "days-TOTAL_FORMS": str(len(days)),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for index, (day, kind, name) in enumerate(days):
        payload |= {f"days-{index}-date": day, f"days-{index}-kind": kind}
        payload[f"days-{index}-name"] = name
    return payload


def test_administrator_adds_2027_in_the_admin(admin_client):
    working_calendar()  # cached without 2027
    response = admin_client.post(
        reverse("admin:approvals_calendaryear_add"),
        admin_add_year_payload(
            2027,
            ("2027-01-01", CalendarDay.Kind.HOLIDAY, "元旦"),
            ("2027-02-20", CalendarDay.Kind.WORKDAY, "春节"),
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    assert set(CalendarDay.objects.filter(year__year=2027).values_list("date", "kind")) == {
        (date(2027, 1, 1), CalendarDay.Kind.HOLIDAY),
        (date(2027, 2, 20), CalendarDay.Kind.WORKDAY),
    }
    calendar = working_calendar()
    assert 2027 in calendar.known_years
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday


def test_admin_refuses_a_date_outside_the_year(admin_client):
    response = admin_client.post(
        reverse("admin:approvals_calendaryear_add"),
        admin_add_year_payload(2027, ("2028-01-01", CalendarDay.Kind.HOLIDAY, "元旦")),
    )
    assert response.status_code == 200
    assert "日期不属于所选年度" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_admin_lists_and_searches_by_date(admin_client):
    years = admin_client.get(
        reverse("admin:approvals_calendaryear_changelist"), {"q": "2025-10-01"}
    )
    assert years.status_code == 200
    assert [year.year for year in years.context["cl"].result_list] == [2025]
    days = admin_client.get(
        reverse("admin:approvals_calendarday_changelist"),
        {"q": "2025-10", "kind__exact": CalendarDay.Kind.WORKDAY},
    )
    assert days.status_code == 200
    assert [day.date for day in days.context["cl"].result_list] == [date(2025, 10, 11)]
    year_2025 = CalendarYear.objects.get(year=2025)
    change = admin_client.get(reverse("admin:approvals_calendaryear_change", args=[year_2025.pk]))
    assert change.status_code == 200
    assert change.context["inline_admin_formsets"][0].formset.queryset.count() == 33
