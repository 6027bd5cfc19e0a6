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
from tests.dates import shanghai

pytestmark = pytest.mark.django_db

# the approver confirms: the decision cannot be undone (issue 32)
APPROVE_CONFIRMED = {"extension-decision": "approve", "extension-confirm": "on"}


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
    head = officer_of(depts[0], head=True)
    with pytest.raises(ValidationError) as missing:
        extensions.step_extension_decide(extension=asked, head=head, approve=False, reason=" ")
    assert "reason" in missing.value.message_dict
    asked.refresh_from_db()
    assert asked.status == StepExtension.Status.REQUESTED
    extensions.step_extension_decide(
        extension=asked, head=head, approve=False, reason="材料齐全，无需延长"
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
        reverse("desk:joint_extension", args=[asked.pk]),
        APPROVE_CONFIRMED,
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


# --- Art. 42 on the asking step: the step's own limit moves with the case's -------------------


def _three_department_case(depts, clerk, roles, time_machine, **item):
    third = department_with_staff("X9", "区住建局", roles)
    time_machine.move_to(shanghai(2026, 3, 2))
    departments = [*depts, third]
    days = item.pop("step_days", 20)
    case = accepted_case(
        staged_item(
            [[(department, days) for department in departments]],
            lead_department=depts[0],
            **item,
        ),
        clerk,
    )
    return case, departments


def test_an_approved_extension_moves_the_asking_steps_own_deadline(
    depts, clerk, roles, time_machine
):
    # Given a three-department item whose steps each have the statutory 20 days, accepted on
    # Monday 2 March 2026
    case, departments = _three_department_case(
        depts, clerk, roles, time_machine, statutory_days=20, promised_days=20
    )
    asking, other, _third = open_steps(case)
    assert asking.due_date == case.statutory_due_date == datetime.date(2026, 3, 30)
    # When department A's head approves 10 more working days on 20 March
    time_machine.move_to(shanghai(2026, 3, 20))
    asked = extensions.step_extension_request(
        step=asking, officer=officer_of(departments[0]), days=10, reason="需要现场核查"
    )
    extensions.step_extension_decide(
        extension=asked, head=officer_of(departments[0], head=True), approve=True
    )
    # Then the case and the asking step are both due on 14 April (清明 补假 on 6 April)
    case.refresh_from_db()
    asking.refresh_from_db()
    assert case.statutory_due_date == datetime.date(2026, 4, 14)
    assert asking.due_date == datetime.date(2026, 4, 14)
    assert asking.due_at == shanghai(2026, 4, 15, 0)
    # and the written notice tells the applicant that date, not the old one
    notice = " ".join(case.notices.get(kind=Notice.Kind.EXTENSION).content["paragraphs"])
    assert "延长后的期限为2026年4月14日" in notice
    assert "2026年3月30日" not in notice
    # the other departments keep their own limit
    other.refresh_from_db()
    assert other.due_date == datetime.date(2026, 3, 30)
    # and the sweep at the old limit deems only those, never the extended step
    from approvals.reviews import sweeps

    time_machine.move_to(shanghai(2026, 3, 31, 0, 1))
    sweeps.steps_deem_overdue_sweep()
    asking.refresh_from_db()
    other.refresh_from_db()
    assert asking.status == CaseStep.Status.OPEN
    assert other.status == CaseStep.Status.DEEMED


def test_one_department_case_extension_reaches_the_step(depts, clerk, time_machine):
    time_machine.move_to(shanghai(2026, 3, 2))
    case = accepted_case(
        staged_item([[(depts[0], 20)]], lead_department=depts[0], promised_days=20), clerk
    )
    (step,) = open_steps(case)
    time_machine.move_to(shanghai(2026, 3, 27))
    asked = extensions.step_extension_request(
        step=step, officer=officer_of(depts[0]), days=3, reason="专家评审"
    )
    extensions.step_extension_decide(
        extension=asked, head=officer_of(depts[0], head=True), approve=True
    )
    step.refresh_from_db()
    case.refresh_from_db()
    calendar = working_calendar()
    assert (
        step.due_date
        == case.statutory_due_date
        == calendar.add_working_days(datetime.date(2026, 3, 2), 23)
    )


def test_joint_handling_extension_moves_the_asking_step(
    depts, clerk, roles, make_user, time_machine
):
    case, departments = _three_department_case(
        depts,
        clerk,
        roles,
        time_machine,
        handling_type=ServiceItem.HandlingType.JOINT,
        statutory_days=45,
        promised_days=45,
        step_days=45,
    )
    asking = open_steps(case)[0]
    before = asking.due_date
    time_machine.move_to(shanghai(2026, 4, 20))
    asked = extensions.step_extension_request(
        step=asking, officer=officer_of(departments[0]), days=15, reason="多部门联合踏勘"
    )
    extensions.step_extension_decide(
        extension=asked, head=make_user("gov-head", "government_head"), approve=True
    )
    asking.refresh_from_db()
    case.refresh_from_db()
    calendar = working_calendar()
    assert case.statutory_due_date == calendar.add_working_days(datetime.date(2026, 3, 2), 60)
    assert asking.due_date == case.statutory_due_date > before


def test_an_approval_after_the_limit_is_refused_and_lateness_stays(depts, clerk, time_machine):
    # Given an extension asked in time but still pending when the step's limit passed
    time_machine.move_to(shanghai(2026, 3, 2))
    item = staged_item([[(depts[0], 20)]], lead_department=depts[0], promised_days=20)
    case = accepted_case(item, clerk)
    (step,) = open_steps(case)
    CaseStep.objects.filter(pk=step.pk).update(deemed_approval=False)
    time_machine.move_to(shanghai(2026, 3, 27))
    asked = extensions.step_extension_request(
        step=step, officer=officer_of(depts[0]), days=5, reason="需要核查"
    )
    time_machine.move_to(shanghai(2026, 3, 31, 9))
    from approvals.reviews import sweeps

    sweeps.steps_warn_sweep()
    # When the head approves after the limit
    with pytest.raises(ValidationError, match="不能再批准") as refused:
        extensions.step_extension_decide(
            extension=asked, head=officer_of(depts[0], head=True), approve=True
        )
    # Then it is refused with its reason, nothing moved, and a decision now is late
    assert refused.value.code == "limit_expired"
    asked.refresh_from_db()
    step.refresh_from_db()
    assert asked.status == StepExtension.Status.REQUESTED
    assert step.due_date == datetime.date(2026, 3, 30)
    from approvals.reviews import steps as step_services

    decided = step_services.step_decide(
        step=step, officer=officer_of(depts[0]), approve=True, opinion="同意"
    )
    assert decided.late is True


def test_an_approval_on_a_deemed_step_is_refused(depts, clerk, time_machine):
    time_machine.move_to(shanghai(2026, 3, 2))
    case = accepted_case(
        staged_item([[(depts[0], 20)]], lead_department=depts[0], promised_days=20), clerk
    )
    (step,) = open_steps(case)
    time_machine.move_to(shanghai(2026, 3, 27))
    asked = extensions.step_extension_request(
        step=step, officer=officer_of(depts[0]), days=5, reason="需要核查"
    )
    from approvals.reviews import sweeps

    time_machine.move_to(shanghai(2026, 3, 31, 0, 5))
    assert sweeps.steps_deem_overdue_sweep() == 1
    with pytest.raises(ValidationError, match="不能再批准"):
        extensions.step_extension_decide(
            extension=asked, head=officer_of(depts[0], head=True), approve=True
        )
    case.refresh_from_db()
    assert not case.events.filter(action="extension").exists()


def test_a_red_card_is_never_erased_by_a_later_date(depts, clerk, time_machine):
    time_machine.move_to(shanghai(2026, 3, 2))
    case = accepted_case(
        staged_item([[(depts[0], 20)]], lead_department=depts[0], promised_days=20), clerk
    )
    (step,) = open_steps(case)
    CaseStep.objects.filter(pk=step.pk).update(
        deemed_approval=False, warned_red_at=shanghai(2026, 3, 31, 0, 1)
    )
    # the date moved later afterwards (say a corrected calendar): the decision stays late
    CaseStep.objects.filter(pk=step.pk).update(
        due_date=datetime.date(2026, 4, 20), due_at=shanghai(2026, 4, 21, 0)
    )
    time_machine.move_to(shanghai(2026, 4, 1))
    from approvals.reviews import steps as step_services

    decided = step_services.step_decide(
        step=step, officer=officer_of(depts[0]), approve=True, opinion="同意"
    )
    assert decided.late is True
