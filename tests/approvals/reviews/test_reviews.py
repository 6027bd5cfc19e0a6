"""Parallel approval on viewflow: stages, steps, officer actions, deadlines, deemed approval."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Process, Task

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import Suspension, compute_deadline
from approvals.flows import ApprovalFlow
from approvals.models import CaseDecision, CaseStep, StepExtension
from approvals.reviews import common, decisions, delivery, extensions, suspensions, sweeps
from approvals.reviews import steps as reviews_steps
from hall.models import Case, CaseEvent, Notice, Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)


@pytest.fixture
def depts(roles):
    names = ["规划", "环保", "消防", "人防", "水务", "交通", "住建", "城管"]
    return [department_with_staff(f"D{i}", f"区{name}局", roles) for i, name in enumerate(names)]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def approve_all(steps, opinion="同意"):
    for step in steps:
        reviews_steps.step_decide(
            step=step, officer=officer_of(step.department), approve=True, opinion=opinion
        )


def finish(case, clerk, grant=True, reasons=""):
    decision = CaseDecision.objects.get(case=case)
    lead = case.item.lead_department
    notice = decisions.case_decide(
        case=case, officer=officer_of(lead), grant=grant, reasons=reasons
    )
    delivery.case_deliver(case=case, clerk=clerk, method="window")
    case.refresh_from_db()
    decision.refresh_from_db()
    return notice, decision


def test_parallel_stage_opens_every_department_at_once(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 8), (depts[2], 3)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    steps = open_steps(case)
    assert [s.department for s in steps] == depts[:3]
    calendar = working_calendar()
    for step in steps:
        assert step.task.status == STATUS.NEW
        assert step.task.data == {"step_id": step.pk, "department": step.department.code}
        assert step.due_date == calendar.add_working_days(step.opened_on, step.promised_days)
    # nothing for the lead until every department has answered
    stage = case.stages.get()
    approve_all(steps[:2])
    stage.refresh_from_db()
    assert stage.decision_task is None
    approve_all(steps[2:])
    stage.refresh_from_db()
    assert stage.decision_task is not None
    decisions.stage_decide(stage=stage, officer=officer_of(depts[0]), approve=True, opinion="")
    notice, decision = finish(case, clerk)
    assert case.status == Case.Status.CLOSED
    assert decision.decision == "grant" and decision.delivery == "window"
    assert notice.kind == Notice.Kind.GRANT
    assert "区规划局：同意" in " ".join(notice.content["paragraphs"])
    process = Process.objects.get(artifact_object_id=case.pk)
    assert process.status == STATUS.DONE
    # exactly one join fired
    assert Task.objects.filter(process=process, flow_task__endswith="join_reviews").count() == 1


def test_serial_item_opens_one_department_after_another(depts, clerk):
    item = staged_item(
        [[(depts[0], 5), (depts[1], 5), (depts[2], 5)]], lead_department=depts[0], serial=True
    )
    case = accepted_case(item, clerk)
    seen = []
    for _ in range(3):
        (step,) = open_steps(case)
        seen.append(step.department)
        approve_all([step])
    assert seen == depts[:3]
    assert case.stages.get().decision_task is not None


def test_serial_stops_at_a_refusal_and_the_lead_refuses_with_rights(depts, clerk):
    item = staged_item(
        [[(depts[0], 5), (depts[1], 5)], [(depts[2], 5)]], lead_department=depts[0], serial=True
    )
    case = accepted_case(item, clerk)
    (first,) = open_steps(case)
    with pytest.raises(ValidationError):
        reviews_steps.step_decide(
            step=first, officer=officer_of(depts[0]), approve=False, opinion=" "
        )
    reviews_steps.step_decide(
        step=first, officer=officer_of(depts[0]), approve=False, opinion="用地不符合规划"
    )
    assert open_steps(case) == []  # the second department is never asked
    stage = case.stages.get(number=1)
    decisions.stage_decide(
        stage=stage, officer=officer_of(depts[0]), approve=False, opinion="不符合规划"
    )
    assert not case.steps.filter(case_stage__number=2).exclude(status="pending").exists()
    with pytest.raises(ValidationError):
        decisions.case_decide(case=case, officer=officer_of(depts[0]), grant=False, reasons="")
    notice, _decision = finish(case, clerk, grant=False, reasons="用地不符合控制性详细规划")
    assert notice.kind == Notice.Kind.REFUSAL
    assert "行政复议" in " ".join(notice.content["footer_notes"])
    assert "用地不符合控制性详细规划" in " ".join(notice.content["paragraphs"])


def test_staged_item_with_eight_departments_runs_to_the_end(depts, clerk):
    item = staged_item(
        [
            [(depts[0], 10), (depts[1], 15), (depts[2], 5)],
            [(depts[3], 10), (depts[4], 8), (depts[5], 12)],
            [(depts[6], 10), (depts[7], 5)],
        ],
        lead_department=depts[6],
    )
    case = accepted_case(item, clerk)
    for number, lead in ((1, depts[0]), (2, depts[3]), (3, depts[6])):
        steps = open_steps(case)
        assert {s.case_stage.number for s in steps} == {number}
        approve_all(steps)
        decisions.stage_decide(
            stage=case.stages.get(number=number), officer=officer_of(lead), approve=True, opinion=""
        )
    finish(case, clerk)
    assert case.status == Case.Status.CLOSED
    assert case.steps.filter(status="approved").count() == 8
    actions = list(case.events.values_list("action", flat=True))
    assert actions.count("review_started") == 8 and actions.count("stage_decided") == 3


def test_officers_act_only_on_their_own_department(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    step = open_steps(case)[0]
    intruder = officer_of(depts[1])
    for call in (
        lambda: reviews_steps.step_decide(step=step, officer=intruder, approve=True, opinion=""),
        lambda: reviews_steps.step_claim(step=step, officer=intruder),
        lambda: extensions.step_extension_request(step=step, officer=intruder, days=3, reason="x"),
        lambda: suspensions.step_special_procedure_start(
            step=step, officer=intruder, kind="testing", reason="x", expected_days=3
        ),
        lambda: suspensions.step_correction_request(
            step=step, officer=intruder, items=[("x", "y")]
        ),
    ):
        with pytest.raises(ValidationError, match="本部门"):
            call()
    step.refresh_from_db()
    assert step.status == CaseStep.Status.OPEN


def test_claim_and_release(depts, clerk):
    item = staged_item([[(depts[0], 5)]], lead_department=depts[0])
    step = open_steps(accepted_case(item, clerk))[0]
    head, clerkish = officer_of(depts[0], head=True), officer_of(depts[0])
    assert reviews_steps.step_claim(step=step, officer=clerkish)
    assert not reviews_steps.step_claim(step=step, officer=head)  # already claimed
    with pytest.raises(ValidationError, match="认领"):
        reviews_steps.step_decide(step=step, officer=head, approve=True, opinion="")
    assert not reviews_steps.step_release(step=step, officer=head)
    assert reviews_steps.step_release(step=step, officer=clerkish)
    reviews_steps.step_decide(step=step, officer=head, approve=True, opinion="同意")
    step.refresh_from_db()
    assert step.decided_by == head


def test_deciding_twice_is_refused(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0])
    step = open_steps(accepted_case(item, clerk))[0]
    reviews_steps.step_decide(step=step, officer=officer_of(depts[0]), approve=True, opinion="")
    with pytest.raises(common.AlreadyDecided):
        reviews_steps.step_decide(
            step=step, officer=officer_of(depts[0]), approve=False, opinion="改主意"
        )
    step.refresh_from_db()
    assert step.status == CaseStep.Status.APPROVED


# --- deemed approval ------------------------------------------------------------------------


def overdue(step, days=1):
    CaseStep.objects.filter(pk=step.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_deemed_approval_completes_the_step_and_the_join_proceeds(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    late, punctual = open_steps(case)
    reviews_steps.step_claim(step=late, officer=officer_of(depts[0]))
    approve_all([punctual])
    overdue(late)
    assert sweeps.steps_deem_overdue_sweep() == 1
    late.refresh_from_db()
    assert late.status == CaseStep.Status.DEEMED
    assert late.late and late.decided_by is None
    assert late.written_opinion_due == working_calendar().add_working_days(timezone.localdate(), 1)
    assert case.stages.get().decision_task is not None  # the join went on
    recipients = set(
        Notification.objects.filter(kind="review_deemed", channel="inbox").values_list(
            "recipient_user__username", flat=True
        )
    )
    assert recipients == {
        officer_of(depts[0]).username,
        officer_of(depts[0], head=True).username,
        clerk.username,
    }
    assert Notification.objects.filter(kind="review_deemed", channel="sms").count() == 1
    assert sweeps.steps_deem_overdue_sweep() == 0
    # the written opinion is still owed, and filed once
    reviews_steps.step_written_opinion_file(
        step=late, officer=officer_of(depts[0]), opinion="同意，补交"
    )
    late.refresh_from_db()
    assert late.written_opinion == "同意，补交"


def test_set_based_sweep_routes_only_processes_whose_join_is_complete(depts, clerk):
    """One sweep batch over several processes: every due step is deemed in bulk, a process
    with a step still open waits at its join (the deemed task linked to the join), and the
    later officer decision routes it on with the same join."""
    item = staged_item([[(depts[0], 5), (depts[1], 5), (depts[2], 5)]], lead_department=depts[0])
    all_due = [accepted_case(item, clerk) for _ in range(3)]
    partly = accepted_case(item, clerk)
    for case in all_due:
        for step in open_steps(case):
            overdue(step)
    first, second, waiting = open_steps(partly)
    approve_all([first])  # creates the join, which now waits for the other two
    overdue(second)
    assert sweeps.steps_deem_overdue_sweep(batch=2) == 3 * 3 + 1  # two batches of processes
    assert sweeps.steps_deem_overdue_sweep() == 0
    for case in all_due:
        assert set(case.steps.values_list("status", flat=True)) == {"deemed"}
        assert case.stages.get().decision_task is not None
        tasks = Task.objects.filter(process__in=Process.objects.filter(artifact_object_id=case.pk))
        assert tasks.filter(flow_task=ApprovalFlow.join_reviews, status=STATUS.DONE).count() == 1
        assert tasks.filter(flow_task=ApprovalFlow.review, status=STATUS.DONE).count() == 3
        # the join lists the three reviews it waited for (viewflow's history)
        join = tasks.get(flow_task=ApprovalFlow.join_reviews)
        assert join.previous.count() == 3
    assert partly.stages.get().decision_task is None
    join = Task.objects.get(
        process__artifact_object_id=partly.pk, flow_task=ApprovalFlow.join_reviews
    )
    assert join.status != STATUS.DONE
    assert join.previous.count() == 2  # the officer's and the deemed one
    events = CaseEvent.objects.filter(action="review_deemed")
    assert events.count() == 10 and events.filter(case=partly).count() == 1
    assert Notification.objects.filter(kind="review_deemed", channel="sms").count() == 10
    approve_all([waiting])
    assert partly.stages.get().decision_task is not None
    assert join.previous.count() == 3


def test_sweep_on_a_serial_item_opens_the_next_step(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0], serial=True)
    case = accepted_case(item, clerk)
    (first,) = open_steps(case)
    overdue(first)
    assert sweeps.steps_deem_overdue_sweep() == 1
    (following,) = open_steps(case)
    assert following.department == depts[1] and following.task_id is not None
    assert following.due_date is not None
    assert CaseEvent.objects.filter(case=case, action="review_started").count() == 2


def test_sweep_leaves_non_deemable_suspended_and_future_steps(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5), (depts[2], 5)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    strict, paused, _future = open_steps(case)
    CaseStep.objects.filter(pk=strict.pk).update(deemed_approval=False)
    overdue(strict)
    suspensions.step_special_procedure_start(
        step=paused,
        officer=officer_of(depts[1]),
        kind="testing",
        reason="水质检测",
        expected_days=5,
    )
    overdue(paused)
    assert sweeps.steps_deem_overdue_sweep() == 0
    assert set(case.steps.values_list("status", flat=True)) == {"open", "suspended"}
    # the strict one gets a red card instead, once
    assert sweeps.steps_warn_sweep() >= 1
    strict.refresh_from_db()
    assert strict.warned_red_at is not None
    reds = Notification.objects.filter(kind="warning_red").count()
    sweeps.steps_warn_sweep()
    assert Notification.objects.filter(kind="warning_red").count() == reds


def test_yellow_card_once_when_the_limit_is_near(depts, clerk):
    item = staged_item([[(depts[0], 1)]], lead_department=depts[0])
    step = open_steps(accepted_case(item, clerk))[0]
    assert step.warn_on <= timezone.localdate()  # one working day: yellow from the start
    assert sweeps.steps_warn_sweep() == 1
    assert sweeps.steps_warn_sweep() == 0
    step.refresh_from_db()
    assert step.warned_yellow_at is not None
    assert Notification.objects.filter(
        kind="warning_yellow", recipient_user=officer_of(depts[0], head=True)
    ).exists()


# --- the clock stops and moves ------------------------------------------------------------


def test_special_procedure_stops_the_clock_for_the_days_it_took(depts, clerk):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    step = open_steps(case)[0]
    notice = suspensions.step_special_procedure_start(
        step=step,
        officer=officer_of(depts[0]),
        kind="expert_review",
        reason="组织专家评审",
        expected_days=5,
    )
    assert notice.kind == Notice.Kind.SPECIAL_PROCEDURE
    assert "预计需要5个工作日" in " ".join(notice.content["paragraphs"])
    step.refresh_from_db()
    calendar = working_calendar()
    assert step.status == CaseStep.Status.SUSPENDED
    assert step.due_date == calendar.add_working_days(step.opened_on, 15)  # projected
    with pytest.raises(ValidationError, match="计时中止"):
        reviews_steps.step_decide(step=step, officer=officer_of(depts[0]), approve=True, opinion="")
    # pretend the review opened 20 days ago and the expert review started 12 days ago
    opened = timezone.localdate() - datetime.timedelta(days=20)
    started = timezone.localdate() - datetime.timedelta(days=12)
    CaseStep.objects.filter(pk=step.pk).update(opened_on=opened)
    step.suspensions.update(starts_on=started)
    suspensions.step_special_procedure_end(step=step, officer=officer_of(depts[0]))
    step.refresh_from_db()
    expected = compute_deadline(
        calendar=calendar,
        start=opened,
        working_days=10,
        suspensions=[Suspension("expert_review", started, timezone.localdate(), 5)],
    )
    assert step.status == CaseStep.Status.OPEN
    assert step.due_date == expected.due_date
    assert step.due_date > calendar.add_working_days(opened, 10)
    assert (
        Notification.objects.filter(case=case, kind="special_procedure", channel="sms").count() == 1
    )


def test_extension_once_within_the_cap_approved_by_the_head(depts, clerk):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    step = open_steps(case)[0]
    officer, head = officer_of(depts[0]), officer_of(depts[0], head=True)
    with pytest.raises(ValidationError, match="1 至 10"):
        extensions.step_extension_request(step=step, officer=officer, days=11, reason="情况复杂")
    extension = extensions.step_extension_request(
        step=step, officer=officer, days=5, reason="需现场核查"
    )
    with pytest.raises(ValidationError, match="只能延长一次"):
        extensions.step_extension_request(step=step, officer=officer, days=2, reason="再延")
    with pytest.raises(ValidationError, match="负责人"):
        extensions.step_extension_decide(extension=extension, head=officer, approve=True)
    before = step.due_date
    extensions.step_extension_decide(extension=extension, head=head, approve=True)
    step.refresh_from_db()
    assert step.due_date == working_calendar().add_working_days(step.opened_on, 15)
    assert step.due_date > before
    assert StepExtension.objects.get().status == "approved"
    notice = case.notices.get(kind=Notice.Kind.EXTENSION)
    assert "延长5个工作日" in " ".join(notice.content["paragraphs"])
    assert Notification.objects.filter(case=case, kind="extension", channel="sms").count() == 1


def test_joint_items_may_extend_by_fifteen(depts, clerk):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0], handling_type="joint")
    step = open_steps(accepted_case(item, clerk))[0]
    extensions.step_extension_request(
        step=step, officer=officer_of(depts[0]), days=15, reason="联办协调"
    )


def test_department_correction_goes_through_the_owner_once(depts, clerk):
    item = staged_item([[(depts[0], 10), (depts[1], 10)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    step = open_steps(case)[0]
    officer = officer_of(depts[0])
    notice = suspensions.step_correction_request(
        step=step, officer=officer, items=[("总平面图", "比例不符"), ("消防设计说明", "缺少")]
    )
    assert [row[0] for row in notice.content["table"]["rows"]] == ["总平面图", "消防设计说明"]
    step.refresh_from_db()
    assert step.status == CaseStep.Status.SUSPENDED
    # the owner is told (inbox), the applicant too (sms)
    assert Notification.objects.filter(
        recipient_user=clerk, kind="correction_asked_by_department"
    ).exists()
    assert Notification.objects.filter(case=case, kind="correction", channel="sms").exists()
    with pytest.raises(ValidationError):
        suspensions.step_correction_supplied(step=step, clerk=officer)  # officers do not receive it
    suspensions.step_correction_supplied(step=step, clerk=clerk)
    step.refresh_from_db()
    assert step.status == CaseStep.Status.OPEN
    with pytest.raises(ValidationError, match="一次性告知"):
        suspensions.step_correction_request(step=step, officer=officer, items=[("又一份", "缺少")])


def test_a_deadline_into_a_year_without_calendar_data_is_flagged_and_logged(depts, clerk, caplog):
    from approvals.models import CalendarYear

    CalendarYear.objects.filter(year__gte=2027).delete()
    item = staged_item(  # reaches into next year, within the case's (longer, lawful) limit
        [[(depts[0], 249)]],
        lead_department=depts[0],
        statutory_days=260,
        limit_legal_basis="某条例规定的审查时限",
    )
    with caplog.at_level("WARNING"):
        case = accepted_case(item, clerk)
    step = open_steps(case)[0]
    next_year = timezone.localdate().year + 1
    assert next_year in step.calendar_assumed_years
    assert any("without holiday data" in record.message for record in caplog.records)


def test_only_the_first_contact_owner_receives_corrections_and_delivers(depts, clerk, roles):
    other_clerk = make_clerk(roles, username="clerk-li")
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    step = open_steps(case)[0]
    suspensions.step_correction_request(
        step=step, officer=officer_of(depts[0]), items=[("图纸", "缺少")]
    )
    with pytest.raises(ValidationError, match="首问责任人"):
        suspensions.step_correction_supplied(step=step, clerk=other_clerk)
    suspensions.step_correction_supplied(step=step, clerk=clerk)
    approve_all([step])
    decisions.stage_decide(
        stage=case.stages.get(), officer=officer_of(depts[0]), approve=True, opinion=""
    )
    decisions.case_decide(case=case, officer=officer_of(depts[0]), grant=True, reasons="")
    with pytest.raises(ValidationError, match="首问责任人"):
        delivery.case_deliver(case=case, clerk=other_clerk, method="window")
    delivery.case_deliver(case=case, clerk=clerk, method="window")
