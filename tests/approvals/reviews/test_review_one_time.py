"""During review: one correction request per stage (a second is a recorded breach), and a
department's step never runs past the case's statutory limit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from approvals.reviews import suspensions
from departments.supervision.selectors import one_time_breaches
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
    return [department_with_staff(f"Z{i}", f"区{name}局", roles) for i, name in enumerate("规环消")]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def test_a_second_request_in_the_same_stage_is_a_recorded_breach(depts, clerk):
    case = accepted_case(
        staged_item([[(depts[0], 10), (depts[1], 10)]], lead_department=depts[0]), clerk
    )
    first, second = open_steps(case)
    notice = suspensions.step_correction_request(
        step=first, officer=officer_of(depts[0]), items=[("图纸", "缺少签章")]
    )
    assert not notice.breaches_one_time_rule
    assert "第三十四条" in " ".join(notice.content["paragraphs"])
    # the same department never asks twice
    with pytest.raises(ValidationError, match="一次性告知"):
        suspensions.step_correction_request(
            step=first, officer=officer_of(depts[0]), items=[("照片", "模糊")]
        )
    # another department of the stage may, but it is a breach that supervision lists
    later = suspensions.step_correction_request(
        step=second, officer=officer_of(depts[1]), items=[("环评表", "缺少")]
    )
    assert later.breaches_one_time_rule
    assert notice.number in later.one_time_override_reason
    breach = case.events.get(action="one_time_breach")
    assert breach.details["first_notice"] == notice.number
    assert breach.details["department"] == depts[1].name
    assert later in list(one_time_breaches())


def test_a_step_never_runs_past_the_cases_statutory_date(depts, clerk):
    # a department promising 25 working days on an item with the law's 20
    case = accepted_case(staged_item([[(depts[0], 25)]], lead_department=depts[0]), clerk)
    (step,) = open_steps(case)
    assert step.due_date == case.statutory_due_date
    assert timezone.localtime(step.due_at).date() > step.due_date  # ends at 24:00 that day
