"""The lead's stages waiting for a decision are listed oldest case first (issue 27: by the
stage's id, which follows its case's acceptance, so the index gives the first few)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from approvals.desk.selectors import SIDE_LIST_SIZE, lead_work
from approvals.reviews import steps as reviews_steps
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)

pytestmark = pytest.mark.django_db


def test_waiting_stages_come_oldest_accepted_case_first_whatever_order_they_began_waiting(
    roles, time_machine
):
    lead = department_with_staff("LO", "区牵头局", roles)
    item = staged_item([[(lead, 5)]], lead_department=lead)
    clerk = make_clerk(roles)
    time_machine.move_to(timezone.now(), tick=True)
    cases = []
    for _ in range(3):
        cases.append(accepted_case(item, clerk))
        time_machine.shift(60)  # accepted a minute apart
    for case in reversed(cases):  # the newest case's review ends first
        (step,) = open_steps(case)
        reviews_steps.step_decide(step=step, officer=officer_of(lead), approve=True, opinion="")
    accepted = sorted(cases, key=lambda case: case.accepted_at)
    listed = [stage.case_id for stage in lead_work(department=lead)["stages"]]
    assert listed == [case.pk for case in accepted]
    assert SIDE_LIST_SIZE != 2  # the other read: a limit of its own
    # a limit of two reads three: the two listed and one to tell that there are more
    limited = [stage.case_id for stage in lead_work(department=lead, limit=2)["stages"]]
    assert limited == [case.pk for case in accepted]
