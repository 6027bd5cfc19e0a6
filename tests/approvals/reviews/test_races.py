"""Races on PostgreSQL with SelectForUpdateLock(nowait=False): joins fire once, a decision and
the sweep never both win, two sweepers never deem a step twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from approvals.models import CaseStage, CaseStep
from approvals.reviews import common, steps, sweeps
from approvals.reviews import decisions as reviews_decisions
from hall.models import CaseEvent
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def depts(roles):
    return [department_with_staff(f"R{i}", f"区部门{i}", roles) for i in range(4)]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def decide(step_id: int):
    step = CaseStep.objects.select_related("department").get(pk=step_id)
    return steps.step_decide(
        step=step, officer=officer_of(step.department), approve=True, opinion="同意"
    )


def test_every_branch_completed_at_the_same_moment_fires_each_join_once(depts, clerk):
    item = staged_item([[(d, 5) for d in depts], [(depts[0], 5)]], lead_department=depts[0])
    cases = [accepted_case(item, clerk) for _ in range(6)]
    step_ids = [step.pk for case in cases for step in open_steps(case)]
    results = run_at_once(*[lambda pk=pk: decide(pk) for pk in step_ids])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    for case in cases:
        stage = case.stages.get(number=1)
        assert stage.decision_task is not None
        joins = Task.objects.filter(
            process__artifact_object_id=case.pk, flow_task__endswith="join_reviews"
        )
        assert joins.count() == 1
        decisions = Task.objects.filter(
            process__artifact_object_id=case.pk, flow_task__endswith="stage_decision"
        )
        assert decisions.count() == 1
    # every case can go on to its end
    for case in cases:
        reviews_decisions.stage_decide(
            stage=case.stages.get(number=1), officer=officer_of(depts[0]), approve=True, opinion=""
        )
        (last,) = open_steps(case)
        decide(last.pk)
        assert CaseStage.objects.get(case=case, number=2).decision_task is not None


def test_officer_and_sweep_at_the_same_instant_make_one_decision(depts, clerk):
    item = staged_item([[(depts[0], 5), (depts[1], 5)]], lead_department=depts[0])
    cases = [accepted_case(item, clerk) for _ in range(8)]
    contested = [open_steps(case)[0] for case in cases]
    CaseStep.objects.filter(pk__in=[s.pk for s in contested]).update(
        due_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    calls = []
    for step in contested:
        calls.append(lambda pk=step.pk: decide(pk))
    calls.append(sweeps.steps_deem_overdue_sweep)
    results = run_at_once(*calls)
    unexpected = [
        r
        for r in results
        if isinstance(r, BaseException) and not isinstance(r, common.AlreadyDecided)
    ]
    assert unexpected == []
    for step in contested:
        step.refresh_from_db()
        assert step.status in {CaseStep.Status.APPROVED, CaseStep.Status.DEEMED}
        decided_events = CaseEvent.objects.filter(
            case=step.case, action__in=["review_decided", "review_deemed"]
        )
        assert decided_events.count() == 1
        assert Task.objects.get(pk=step.task_id).status == "DONE"
    deemed = sum(1 for s in contested if s.status == CaseStep.Status.DEEMED)
    assert results[-1] == deemed


def test_two_sweepers_deem_each_step_exactly_once(depts, clerk):
    item = staged_item([[(d, 5) for d in depts]], lead_department=depts[0])
    cases = [accepted_case(item, clerk) for _ in range(5)]
    CaseStep.objects.update(due_at=timezone.now() - datetime.timedelta(hours=1))
    results = run_at_once(
        lambda: sweeps.steps_deem_overdue_sweep(batch=2),
        lambda: sweeps.steps_deem_overdue_sweep(batch=2),
    )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 20
    assert CaseStep.objects.filter(status=CaseStep.Status.DEEMED).count() == 20
    assert CaseEvent.objects.filter(action="review_deemed").count() == 20
    for case in cases:
        assert case.stages.get().decision_task is not None
    assert sweeps.steps_deem_overdue_sweep() == 0


def test_two_departments_asking_for_a_correction_at_once_issue_one_notice_and_a_breach(
    depts, clerk
):
    """Art. 32's one-time rule during review, one request per stage: two departments of a stage
    asking at the same instant meet under the case lock, every round."""
    from approvals.models import StepSuspension
    from approvals.reviews import suspensions
    from hall.models import Notice

    item = staged_item([[(depts[0], 10), (depts[1], 10)]], lead_department=depts[0])
    for _round in range(5):
        case = accepted_case(item, clerk)
        first, second = open_steps(case)

        def ask(step_id: int):
            step = CaseStep.objects.select_related("department").get(pk=step_id)
            return suspensions.step_correction_request(
                step=step, officer=officer_of(step.department), items=[("申请表", "签名缺失")]
            )

        results = run_at_once(lambda a=first.pk: ask(a), lambda b=second.pk: ask(b))
        assert [r for r in results if isinstance(r, BaseException)] == []
        notices = Notice.objects.filter(case=case, kind=Notice.Kind.CORRECTION)
        assert notices.count() == 2
        # exactly one of them is the stage's notice, the other the recorded breach
        assert notices.exclude(one_time_override_by=None).count() == 1
        assert CaseEvent.objects.filter(case=case, action="one_time_breach").count() == 1
        assert (
            StepSuspension.objects.filter(
                step__case=case, kind=StepSuspension.Kind.CORRECTION
            ).count()
            == 2
        )
