"""After a deemed approval the department owes its written opinion within one working day;
once that passes it is marked late and the department is reminded, once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from approvals.models import CaseStep
from approvals.reviews import steps as reviews_steps
from approvals.reviews import sweeps
from hall.models import Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def deemed(roles):
    dept = department_with_staff("W0", "区水务局", roles)
    case = accepted_case(staged_item([[(dept, 5)]], lead_department=dept), make_clerk(roles))
    (step,) = open_steps(case)
    CaseStep.objects.filter(pk=step.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    assert sweeps.steps_deem_overdue_sweep() == 1
    step.refresh_from_db()
    assert step.status == CaseStep.Status.DEEMED and step.written_opinion_due is not None
    return step


def test_an_overdue_written_opinion_is_marked_late_and_reminded_once(deemed):
    after = datetime.datetime.combine(
        deemed.written_opinion_due + datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    on_the_day = after - datetime.timedelta(days=1)
    assert sweeps.written_opinions_remind_sweep(now=on_the_day) == 0  # still in time
    assert sweeps.written_opinions_remind_sweep(now=after) == 1
    assert sweeps.written_opinions_remind_sweep(now=after) == 0
    deemed.refresh_from_db()
    assert deemed.written_opinion_late
    reminded = Notification.objects.filter(case=deemed.case, kind="written_opinion_overdue")
    assert reminded.filter(recipient_user=officer_of(deemed.department)).exists()
    assert reminded.filter(recipient_user=officer_of(deemed.department, head=True)).exists()
    # filing it afterwards keeps the mark
    reviews_steps.step_written_opinion_file(
        step=deemed, officer=officer_of(deemed.department), opinion="同意，补交书面意见"
    )
    deemed.refresh_from_db()
    assert deemed.written_opinion_at is not None and deemed.written_opinion_late


def test_an_opinion_filed_in_time_is_not_late_and_nobody_is_reminded(deemed):
    reviews_steps.step_written_opinion_file(
        step=deemed, officer=officer_of(deemed.department), opinion="同意"
    )
    later = timezone.now() + datetime.timedelta(days=30)
    assert sweeps.written_opinions_remind_sweep(now=later) == 0
    deemed.refresh_from_db()
    assert not deemed.written_opinion_late
