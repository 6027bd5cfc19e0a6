"""The custom viewflow parts (approvals.workflow): DynamicSplit opens one review task per
department of the stage (one at a time for a serial item), PlainJoin fires once when every
review of the stage is decided, and complete_human_task completes a task exactly once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from approvals.models import CaseStep
from approvals.reviews import steps
from approvals.workflow.driver import SYSTEM_USERNAME, complete_human_task
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
    return [department_with_staff(f"W{i}", f"区部门{i}", roles) for i in range(3)]


def _tasks(case, node: str):
    return Task.objects.filter(
        process__artifact_object_id=case.pk, flow_task__endswith=f".{node}"
    ).order_by("pk")


def test_dynamic_split_opens_one_review_per_department_of_the_stage(depts, roles):
    case = accepted_case(
        staged_item([[(d, 5) for d in depts]], lead_department=depts[0]), make_clerk(roles)
    )
    reviews = list(_tasks(case, "review"))
    assert len(reviews) == 3
    assert {task.status for task in reviews} == {STATUS.NEW}
    # each task is its step's (the hook links them), one step per department
    steps = open_steps(case)
    assert {step.task_id for step in steps} == {task.pk for task in reviews}
    assert {step.department_id for step in steps} == {d.pk for d in depts}


def test_a_serial_item_opens_its_steps_one_after_another(depts, roles):
    case = accepted_case(
        staged_item([[(d, 5) for d in depts]], lead_department=depts[0], serial=True),
        make_clerk(roles),
    )
    (first,) = open_steps(case)
    assert _tasks(case, "review").count() == 1
    steps.step_decide(step=first, officer=officer_of(first.department), approve=True, opinion="")
    assert len(open_steps(case)) == 1 and open_steps(case)[0].pk != first.pk
    assert _tasks(case, "review").count() == 2


def test_the_join_fires_once_when_every_review_is_decided(depts, roles):
    case = accepted_case(
        staged_item([[(d, 5) for d in depts]], lead_department=depts[0]), make_clerk(roles)
    )
    steps = open_steps(case)
    for step in steps[:2]:
        assert complete_human_task(step.task_id, user=officer_of(step.department))
    assert not _tasks(case, "stage_decision").exists()  # one review still open
    assert complete_human_task(steps[2].task_id, user=officer_of(steps[2].department))
    joins = _tasks(case, "join_reviews")
    assert joins.count() == 1 and joins.get().status == STATUS.DONE
    (decision,) = _tasks(case, "stage_decision")
    assert decision.status == STATUS.NEW


def test_a_task_is_completed_once_and_only_by_its_owner(depts, roles):
    case = accepted_case(
        staged_item([[(depts[0], 5)]], lead_department=depts[0]), make_clerk(roles)
    )
    (step,) = open_steps(case)
    officer, other = officer_of(depts[0]), officer_of(depts[0], head=True)
    # a change the caller takes back (apply returns False) writes nothing
    assert complete_human_task(step.task_id, user=officer, apply=lambda activation: False) is False
    assert Task.objects.get(pk=step.task_id).status == STATUS.NEW
    # claimed by one officer, the task is refused to another
    Task.objects.filter(pk=step.task_id).update(status=STATUS.ASSIGNED, owner=officer)
    with pytest.raises(PermissionDenied), transaction.atomic():
        complete_human_task(step.task_id, user=other)
    assert complete_human_task(step.task_id, user=officer) is True
    assert complete_human_task(step.task_id, user=officer) is False  # done: a no-op
    assert Task.objects.get(pk=step.task_id).status == STATUS.DONE


def test_the_system_completes_an_unclaimed_task_as_the_system_user(depts, roles):
    case = accepted_case(
        staged_item([[(depts[0], 5)]], lead_department=depts[0]), make_clerk(roles)
    )
    (step,) = open_steps(case)
    assert complete_human_task(step.task_id) is True
    task = Task.objects.select_related("owner").get(pk=step.task_id)
    assert task.owner.username == SYSTEM_USERNAME and task.status == STATUS.DONE
    assert CaseStep.objects.get(pk=step.pk).task_id == task.pk
