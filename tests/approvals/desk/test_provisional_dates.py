"""暂定期限 where people act on a date: a deadline that crosses a year without the State
Council's holiday notice is marked in the officer's inbox and in the applicant's acceptance SMS,
and the mark goes when the year is entered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from approvals.clock.calendar import calendar_load_package_years
from approvals.models import CalendarYear
from approvals.reviews.recompute import review_deadlines_recompute
from hall.models import Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.dates import shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def crossing_case(roles, time_machine):
    # Accepted on 10 December 2026 with 20 working days everywhere: every date falls in January
    # 2027, a year this test keeps without the State Council's notice.
    CalendarYear.objects.filter(year__gte=2027).delete()
    calendar_load_package_years(years=range(2004, 2027))
    time_machine.move_to(shanghai(2026, 12, 10))
    department = department_with_staff("PV", "区规划局", roles)
    item = staged_item([[(department, 20)]], lead_department=department, promised_days=20)
    return accepted_case(item, make_clerk(roles)), department


def test_the_acceptance_sms_says_the_date_is_provisional(crossing_case):
    case, _department = crossing_case
    assert case.calendar_assumed_years == [2027]
    sms = Notification.objects.get(case=case, kind="accepted", channel="sms")
    assert f"{case.promised_due_date.isoformat()}（2027年调休安排未公布，为暂定日期）" in sms.body


def test_the_officer_inbox_marks_a_provisional_row(client, crossing_case):
    case, department = crossing_case
    (step,) = open_steps(case)
    assert step.calendar_assumed_years == [2027]
    client.force_login(officer_of(department))
    html = client.get(reverse("desk:home")).content.decode()
    row = html.split(case.receipt_no, 1)[0].rsplit("<tr>", 1)[1]
    assert "暂定期限" in row


def test_entering_the_year_clears_the_mark_everywhere(client, crossing_case):
    case, department = crossing_case
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕")
    review_deadlines_recompute(year=2027)
    case.refresh_from_db()
    (step,) = open_steps(case)
    assert case.calendar_assumed_years == []
    assert step.calendar_assumed_years == []
    client.force_login(officer_of(department))
    html = client.get(reverse("desk:home")).content.decode()
    assert case.receipt_no in html
    assert "暂定期限" not in html
