"""A deemed-approval sweeper killed in the middle of a batch (SIGKILL: no clean-up, no
rollback of its own) leaves nothing half-written, and the next sweep deems every step exactly
once: the batches it had committed stay, the one it was writing is rolled back by PostgreSQL
when its connection drops, and is done again (issue 27)."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from approvals.flows import ApprovalFlow
from approvals.models import CaseStep
from approvals.reviews import sweeps
from hall.models import CaseEvent, Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    staged_item,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The sweeper: its first batch commits, its second stops after writing the steps, tasks,
# events and messages (when it routes the joins), says so, and waits to be killed.
SWEEPER = """
import datetime, pathlib, sys, time
import django
django.setup()
from approvals.reviews import sweeps

marker, now = pathlib.Path(sys.argv[1]), datetime.datetime.fromisoformat(sys.argv[2])
routed = sweeps._joins_route
calls = []

def route_then_hang(steps, *, now):
    calls.append(len(steps))
    if len(calls) == 2:
        routed(steps, now=now)
        marker.write_text(str(calls))
        time.sleep(120)
    return routed(steps, now=now)

sweeps._joins_route = route_then_hang
sweeps.steps_deem_overdue_sweep(now=now, batch=2)
"""


def _wait_for(path, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the sweeper ended before the batch ({process.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError("the sweeper never reached its second batch")
        time.sleep(0.05)


def test_a_sweeper_killed_mid_batch_leaves_nothing_half_done_and_the_next_deems_once(
    roles, tmp_path
):
    depts = [department_with_staff(f"K{i}", f"区部门{i}", roles) for i in range(3)]
    item = staged_item([[(d, 5) for d in depts]], lead_department=depts[0])
    clerk = make_clerk(roles)
    cases = [accepted_case(item, clerk) for _ in range(4)]
    now = timezone.now()
    CaseStep.objects.update(due_at=now - datetime.timedelta(hours=1))
    marker = tmp_path / "second-batch-written"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
    }
    sweeper = subprocess.Popen(
        [sys.executable, "-c", SWEEPER, str(marker), now.isoformat()],
        env=environment,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(marker, sweeper)
        # mid-batch: the second batch's rows are written in its open transaction
        os.kill(sweeper.pid, signal.SIGKILL)
        sweeper.wait(timeout=30)
    finally:
        if sweeper.poll() is None:
            sweeper.kill()
    # the first batch (two processes, six steps) committed; the second did not
    assert CaseStep.objects.filter(status=CaseStep.Status.DEEMED).count() == 6
    assert CaseEvent.objects.filter(action="review_deemed").count() == 6

    assert sweeps.steps_deem_overdue_sweep(now=now) == 6
    assert sweeps.steps_deem_overdue_sweep(now=now) == 0
    assert CaseStep.objects.filter(status=CaseStep.Status.DEEMED).count() == 12
    assert CaseStep.objects.exclude(status=CaseStep.Status.DEEMED).count() == 0
    for case in cases:
        events = CaseEvent.objects.filter(case=case, action="review_deemed")
        assert sorted(events.values_list("details__department", flat=True)) == sorted(
            d.name for d in depts
        )
        tasks = Task.objects.filter(process__in=Process.objects.filter(artifact_object_id=case.pk))
        assert tasks.filter(flow_task=ApprovalFlow.join_reviews).count() == 1
        assert tasks.filter(flow_task=ApprovalFlow.stage_decision).count() == 1
        assert case.stages.get().decision_task is not None
    # each applicant told once per step, whoever wrote it
    assert Notification.objects.filter(kind="review_deemed", channel="sms").count() == 12
