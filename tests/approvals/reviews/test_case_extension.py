"""Art. 42 per case: one extension per case, asked before the limit expires, within the cap,
approved by the right person; the case's dates move with it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.models import CaseStep, ServiceItem, StepExtension
from approvals.reviews import extensions
from hall.models import Case, Notice
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
def depts(roles):
    return [department_with_staff(f"X{i}", f"区{name}局", roles) for i, name in enumerate("规环")]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


@pytest.fixture
def case(depts, clerk):
    return accepted_case(
        staged_item([[(depts[0], 10), (depts[1], 10)]], lead_department=depts[0]), clerk
    )


def test_one_extension_per_case_whichever_department_asks(case, depts):
    first, second = open_steps(case)
    extensions.step_extension_request(
        step=first, officer=officer_of(depts[0]), days=5, reason="需要现场核查"
    )
    with pytest.raises(ValidationError, match="每个办件只能延长一次") as refused:
        extensions.step_extension_request(
            step=second, officer=officer_of(depts[1]), days=3, reason="会商"
        )
    assert refused.value.code == "second_extension"
    assert StepExtension.objects.filter(step__case=case).count() == 1


def test_a_rejected_request_is_no_extension(case, depts):
    first, second = open_steps(case)
    asked = extensions.step_extension_request(
        step=first, officer=officer_of(depts[0]), days=5, reason="需要核查"
    )
    extensions.step_extension_decide(
        extension=asked, head=officer_of(depts[0], head=True), approve=False
    )
    extensions.step_extension_request(
        step=second, officer=officer_of(depts[1]), days=3, reason="会商"
    )


def test_eleven_days_are_over_the_cap(case, depts):
    first, _second = open_steps(case)
    with pytest.raises(ValidationError, match="1 至 10"):
        extensions.step_extension_request(
            step=first, officer=officer_of(depts[0]), days=11, reason="情况复杂"
        )


def test_no_extension_after_the_limit_expired(case, depts):
    first, _second = open_steps(case)
    CaseStep.objects.filter(pk=first.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError, match="不能再申请延长") as refused:
        extensions.step_extension_request(
            step=first, officer=officer_of(depts[0]), days=5, reason="补救"
        )
    assert refused.value.code == "limit_expired"
    # nor when the case's own statutory date has passed
    first.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(
        statutory_due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    CaseStep.objects.filter(pk=first.pk).update(due_at=timezone.now() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="不能再申请延长"):
        extensions.step_extension_request(
            step=first, officer=officer_of(depts[0]), days=5, reason="补救"
        )


def test_only_the_head_approves_and_the_case_dates_move(case, depts):
    first, _second = open_steps(case)
    before = (case.promised_due_date, case.statutory_due_date)
    asked = extensions.step_extension_request(
        step=first, officer=officer_of(depts[0]), days=5, reason="需要现场核查"
    )
    with pytest.raises(ValidationError, match="部门负责人"):
        extensions.step_extension_decide(extension=asked, head=officer_of(depts[0]), approve=True)
    extensions.step_extension_decide(
        extension=asked, head=officer_of(depts[0], head=True), approve=True
    )
    case.refresh_from_db()
    calendar = working_calendar()
    assert case.statutory_due_date == calendar.add_working_days(case.accepted_on, 20 + 5)
    assert case.promised_due_date == calendar.add_working_days(case.accepted_on, 10 + 5)
    assert (case.promised_due_date, case.statutory_due_date) > before
    notice = case.notices.get(kind=Notice.Kind.EXTENSION)
    assert "法定办结期限相应延至" in " ".join(notice.content["paragraphs"])


def test_joint_handling_needs_the_government_head(depts, clerk, make_user, client):
    item = staged_item(
        [[(depts[0], 20), (depts[1], 20)]],
        lead_department=depts[0],
        handling_type=ServiceItem.HandlingType.JOINT,
        statutory_days=45,
        promised_days=30,
    )
    case = accepted_case(item, clerk)
    first, _second = open_steps(case)
    # up to 15 working days for joint handling
    asked = extensions.step_extension_request(
        step=first, officer=officer_of(depts[0]), days=15, reason="多部门联合踏勘"
    )
    with pytest.raises(ValidationError, match="本级人民政府负责人"):
        extensions.step_extension_decide(
            extension=asked, head=officer_of(depts[0], head=True), approve=True
        )
    mayor = make_user("gov-head", "government_head")
    client.force_login(mayor)
    listed = client.get(reverse("desk:joint_extensions")).content.decode()
    assert case.receipt_no in listed
    response = client.post(
        reverse("desk:joint_extension", args=[asked.pk]), {"extension-decision": "approve"}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == StepExtension.Status.APPROVED and asked.decided_by == mayor
    case.refresh_from_db()
    assert case.statutory_due_date == working_calendar().add_working_days(case.accepted_on, 60)
    # an officer cannot reach the government head's page
    client.force_login(officer_of(depts[0], head=True))
    assert client.get(reverse("desk:joint_extensions")).status_code == 403


def test_the_catalogue_refuses_a_longer_limit_without_its_legal_basis(depts):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    item.statutory_days = 30
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert "limit_legal_basis" in refused.value.message_dict
    item.limit_legal_basis = "《某条例》第十条规定 30 日"
    item.full_clean()
