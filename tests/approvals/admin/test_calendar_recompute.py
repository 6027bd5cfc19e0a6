"""Entering a year of the holiday calendar in the admin recomputes every open deadline that
reaches into it, in one transaction, records each moved date and tells the people concerned."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.models import CaseStep
from approvals.reviews.common import case_dates_reschedule, step_reschedule
from hall.intake import receiving
from hall.models import Case, CaseEvent, Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    open_steps,
    staged_item,
)
from tests.dates import shanghai

pytestmark = pytest.mark.django_db
D = datetime.date


def _add_2027(admin_client):
    """The State Council's notice for 2027 (this test's version): New Year's Day off and
    Saturday 2 January worked."""
    return admin_client.post(
        reverse("admin:approvals_calendaryear_add"),
        {
            "year": "2027",
            "source": "国办发明电〔2026〕",
            "notes": "",
            "days-TOTAL_FORMS": "2",
            "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000",
            "days-0-date": "2027-01-01",
            "days-0-kind": "holiday",
            "days-0-name": "元旦",
            "days-1-date": "2027-01-02",
            "days-1-kind": "workday",
            "days-1-name": "元旦调休",
        },
    )


def test_entering_a_year_moves_the_open_deadlines_that_reach_into_it(admin_client, roles):
    dept = department_with_staff("Y0", "区规划局", roles)
    clerk = make_clerk(roles)
    # Given an accepted case whose review and limits run into 2027 (counted provisionally)
    case = accepted_case(staged_item([[(dept, 10)]], lead_department=dept), clerk)
    Case.objects.filter(pk=case.pk).update(accepted_on=D(2026, 12, 24))
    case.refresh_from_db()
    case_dates_reschedule(case=case)
    (step,) = open_steps(case)
    CaseStep.objects.filter(pk=step.pk).update(opened_on=D(2026, 12, 24))
    step = CaseStep.objects.select_related("case__item").get(pk=step.pk)
    step_reschedule(step)
    step.save()
    case.refresh_from_db()
    before = (case.promised_due_date, step.due_date)
    assert step.calendar_assumed_years == [2027]
    # and a filing at the window whose five days cross New Year
    waiting = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=case.applicant,
        item=case.item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    arrived = datetime.datetime(2026, 12, 28, 10, tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=waiting.pk).update(
        materials_received_at=arrived,
        intake_due_date=working_calendar().add_working_days(D(2026, 12, 28), 5),
    )
    waiting.refresh_from_db()
    intake_before = waiting.intake_due_date
    # When the administrator enters 2027
    response = _add_2027(admin_client)
    assert response.status_code == 302
    # Then every one of them moved one working day earlier (2 January is worked)
    case.refresh_from_db()
    step.refresh_from_db()
    waiting.refresh_from_db()
    calendar = working_calendar()
    assert case.promised_due_date == calendar.add_working_days(D(2026, 12, 24), 10)
    assert case.promised_due_date < before[0]
    assert step.due_date == calendar.add_working_days(D(2026, 12, 24), 10) < before[1]
    assert step.calendar_assumed_years == []
    # and none of them is provisional any more (暂定期限 is gone from every page)
    assert case.calendar_assumed_years == []
    assert waiting.calendar_assumed_years == []
    assert waiting.intake_due_date == calendar.add_working_days(D(2026, 12, 28), 5) < intake_before
    # each move is on the case's log, and the applicant and the department were told
    assert CaseEvent.objects.filter(case=case, action="deadline_moved").count() == 2
    assert CaseEvent.objects.filter(case=waiting, action="deadline_moved").count() == 1
    assert Notification.objects.filter(case=case, kind="deadline_moved", channel="sms").exists()
    assert Notification.objects.filter(case=waiting, kind="deadline_moved", channel="sms").exists()
    assert Notification.objects.filter(
        case=case, kind="deadline_moved", recipient_user__officer__department=dept
    ).exists()


def test_a_deadline_that_does_not_move_disturbs_nobody(admin_client, roles, time_machine):
    # A case accepted in June 2026: none of its dates reaches 2027.
    time_machine.move_to(shanghai(2026, 6, 1))
    dept = department_with_staff("Y1", "区环保局", roles)
    case = accepted_case(staged_item([[(dept, 3)]], lead_department=dept), make_clerk(roles))
    _add_2027(admin_client)
    assert not CaseEvent.objects.filter(case=case, action="deadline_moved").exists()
