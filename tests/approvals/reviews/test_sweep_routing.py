"""The deemed-approval sweep routes a batch's completed parallel stages set-based
(`sweeps._joins_to_stage_decision`): the rows it writes must be the rows viewflow writes when an
officer's decision completes the join, and the flow must go on from them as from viewflow's."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Process, Task

from approvals.flows import ApprovalFlow
from approvals.models import CaseStep
from approvals.reviews import decisions, delivery, sweeps
from approvals.reviews import steps as reviews_steps
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)

AFTER_REVIEWS = (ApprovalFlow.join_reviews, ApprovalFlow.after_reviews, ApprovalFlow.stage_decision)


@pytest.fixture
def depts(roles):
    return [department_with_staff(f"R{i}", f"区{n}局", roles) for i, n in enumerate("规环消")]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def _tasks(case):
    return Task.objects.filter(process__in=Process.objects.filter(artifact_object_id=case.pk))


def shape(case) -> list[tuple]:
    """The join, the gateway after it and the stage decision as viewflow keeps them: node, type,
    status, token, which timestamps are set, owner, data, and the nodes each one follows."""
    rows = []
    for task in _tasks(case).filter(flow_task__in=AFTER_REVIEWS).order_by("pk"):
        previous = sorted(
            (str(p.flow_task), p.status)
            for p in task.previous.all()  # the tasks this one came from
        )
        rows.append(
            (
                str(task.flow_task),
                task.flow_task_type,
                task.status,
                str(task.token),
                task.assigned is not None,
                task.started is not None,
                task.finished is not None,
                task.owner_id,
                task.owner_permission,
                task.data,
                previous,
            )
        )
    return rows


def overdue(case):
    CaseStep.objects.filter(case=case).update(due_at=timezone.now() - datetime.timedelta(days=1))


def test_a_swept_stage_has_the_rows_an_officers_last_decision_writes(depts, clerk):
    item = staged_item([[(d, 5) for d in depts]], lead_department=depts[0])
    by_officers, swept, mixed = (accepted_case(item, clerk) for _ in range(3))
    for step in open_steps(by_officers):
        reviews_steps.step_decide(
            step=step, officer=officer_of(step.department), approve=True, opinion=""
        )
    overdue(swept)
    first, *_rest = open_steps(mixed)
    reviews_steps.step_decide(step=first, officer=officer_of(depts[0]), approve=True, opinion="")
    overdue(mixed)  # the join exists already (the first review reached it) and is open

    assert sweeps.steps_deem_overdue_sweep() == 3 + 2

    expected = shape(by_officers)
    assert [row[0] for row in expected] == [str(node) for node in AFTER_REVIEWS]
    assert expected[-1][2] == STATUS.NEW  # the stage decision waits for its lead
    assert len(expected[0][-1]) == 3  # the join follows the three reviews
    for case in (swept, mixed):
        assert shape(case) == expected
        assert case.stages.get().decision_task == _tasks(case).get(
            flow_task=ApprovalFlow.stage_decision
        )


def test_the_flow_goes_on_from_a_swept_stage_to_the_end(depts, clerk):
    """Two stages: the first swept, the second opened by its lead's decision, then the case
    decided and delivered, every viewflow task DONE at the end and the process DONE."""
    item = staged_item([[(depts[0], 5), (depts[1], 5)], [(depts[2], 5)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    overdue(case)
    assert sweeps.steps_deem_overdue_sweep() == 2
    stage = case.stages.get(number=1)
    decisions.stage_decide(stage=stage, officer=officer_of(depts[0]), approve=True, opinion="")
    (second,) = CaseStep.objects.filter(case=case, status=CaseStep.Status.OPEN)
    assert second.department == depts[2]
    reviews_steps.step_decide(step=second, officer=officer_of(depts[2]), approve=True, opinion="")
    decisions.stage_decide(  # a stage's lead is its first department
        stage=case.stages.get(number=2), officer=officer_of(depts[2]), approve=True, opinion=""
    )
    decisions.case_decide(case=case, officer=officer_of(depts[0]), grant=True, reasons="")
    delivery.case_deliver(case=case, clerk=clerk, method="window")
    process = Process.objects.get(artifact_object_id=case.pk)
    assert process.status == STATUS.DONE
    assert set(_tasks(case).values_list("status", flat=True)) == {STATUS.DONE}
    joins = _tasks(case).filter(flow_task=ApprovalFlow.join_reviews)
    assert sorted(joins.annotate(n=Count("previous")).values_list("n", flat=True)) == [1, 2]


def test_a_serial_item_still_goes_through_viewflow_to_its_next_step(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0], serial=True)
    case = accepted_case(item, clerk)
    overdue(case)
    assert sweeps.steps_deem_overdue_sweep() == 1  # the first step; the second opens now
    opened = CaseStep.objects.get(case=case, status=CaseStep.Status.OPEN)
    assert opened.department == depts[1]
    assert opened.task.status == STATUS.NEW


def test_serial_items_of_one_batch_each_go_on_to_their_own_next_step(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0], serial=True)
    cases = [accepted_case(item, clerk) for _ in range(3)]
    for case in cases:
        overdue(case)
    assert sweeps.steps_deem_overdue_sweep() == 3  # one batch: the first step of each
    for case in cases:
        opened = CaseStep.objects.get(case=case, status=CaseStep.Status.OPEN)
        assert opened.department == depts[1] and opened.task.status == STATUS.NEW
        assert opened.task.process.artifact_object_id == case.pk


def test_one_sweep_tells_each_person_once_and_each_applicant_per_step(depts, clerk):
    """Three cases of one item fall due together: each officer and head hears of their three
    steps in one message listing the receipts, the applicant of each case is told of each step
    (as before), and a person with one step in the batch gets that step's own message."""
    from hall.models import Notification

    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0])
    cases = [accepted_case(item, clerk) for _ in range(3)]
    for case in cases:
        overdue(case)
    assert sweeps.steps_deem_overdue_sweep() == 6
    officer = officer_of(depts[0])
    (message,) = Notification.objects.filter(
        kind="review_deemed", channel="inbox", recipient_user=officer
    )
    assert message.subject == "超时默许 3 件" and message.case is None
    assert all(case.receipt_no in message.body for case in cases)
    assert message.body.count("已视为同意") == 3
    assert Notification.objects.filter(kind="review_deemed", channel="sms").count() == 6
    # the same sweep again writes nothing
    assert sweeps.steps_deem_overdue_sweep() == 0
    assert (
        Notification.objects.filter(
            kind="review_deemed", channel="inbox", recipient_user=officer
        ).count()
        == 1
    )

    # a single due step: its own message, linked to its case
    late = accepted_case(item, clerk)
    first = CaseStep.objects.filter(case=late).order_by("pk").first()
    CaseStep.objects.filter(pk=first.pk).update(due_at=timezone.now() - datetime.timedelta(days=1))
    assert sweeps.steps_deem_overdue_sweep() == 1
    single = Notification.objects.filter(
        kind="review_deemed", channel="inbox", recipient_user=officer_of(first.department)
    ).latest("pk")
    assert single.case == late and single.subject == f"超时默许 {late.receipt_no}"


def test_an_officer_reading_english_gets_the_batchs_list_in_english(depts, clerk):
    """The list of a batch's steps is written in its reader's language like a single message:
    each line in English for an officer who chose English, in Chinese for the head."""
    from hall.models import LanguagePreference, Notification

    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0])
    cases = [accepted_case(item, clerk) for _ in range(2)]
    officer = officer_of(depts[0])
    LanguagePreference.objects.update_or_create(user=officer, defaults={"language": "en"})
    for case in cases:
        overdue(case)
    assert sweeps.steps_deem_overdue_sweep() == 4
    (english,) = Notification.objects.filter(
        kind="review_deemed", channel="inbox", recipient_user=officer
    )
    assert english.subject == "Deemed approval on timeout: 2 steps"
    lines = english.body.split("\n")
    assert len(lines) == 2 and all("deemed to have approved" in line for line in lines)
    for case in cases:  # one line per case's step, each opening with its receipt
        assert sum(line.startswith(case.receipt_no) for line in lines) == 1
    (chinese,) = Notification.objects.filter(
        kind="review_deemed", channel="inbox", recipient_user=officer_of(depts[0], head=True)
    )
    assert chinese.body.count("已视为同意") == 2 and "deemed" not in chinese.body
