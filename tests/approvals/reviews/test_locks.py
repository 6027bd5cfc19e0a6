"""`processes_with_due_steps_locked`: the deemed-approval sweep's batch of processes, from the
due steps through their tasks' primary keys, locked with SKIP LOCKED (PostgreSQL), and the same
on the embedded SQLite default."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import CaseStep
from approvals.reviews.locks import processes_with_due_steps_locked
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    staged_item,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _process_of(case) -> int:
    return case.steps.values_list("task__process_id", flat=True).first()


@pytest.fixture
def cases(roles):
    depts = [department_with_staff(f"L{i}", f"区{n}局", roles) for i, n in enumerate("规环")]
    item = staged_item([[(d, 5) for d in depts]], lead_department=depts[0])
    clerk = make_clerk(roles)
    made = [accepted_case(item, clerk) for _ in range(4)]
    for case in made[:3]:  # three due, one not
        CaseStep.objects.filter(case=case).update(
            due_at=timezone.now() - datetime.timedelta(hours=1)
        )
    return made


def test_the_due_processes_in_id_order_within_the_batch(cases):
    due = sorted(_process_of(case) for case in cases[:3])
    with transaction.atomic():
        assert processes_with_due_steps_locked(now=timezone.now(), batch=10) == due
    with transaction.atomic():
        assert processes_with_due_steps_locked(now=timezone.now(), batch=2) == due[:2]
    with transaction.atomic():
        before = timezone.now() - datetime.timedelta(days=1)
        assert processes_with_due_steps_locked(now=before, batch=10) == []


def test_a_second_sweeper_passes_over_the_processes_the_first_holds(cases):
    due = sorted(_process_of(case) for case in cases[:3])
    held, release = threading.Event(), threading.Event()
    seen: dict[str, list[int]] = {}

    def first():
        try:
            with transaction.atomic():
                seen["first"] = processes_with_due_steps_locked(now=timezone.now(), batch=2)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert held.wait(30)
    try:
        with transaction.atomic():
            seen["second"] = processes_with_due_steps_locked(now=timezone.now(), batch=10)
    finally:
        release.set()
        thread.join(30)
    assert seen["first"] == due[:2]
    assert seen["second"] == due[2:]  # not waiting, not the held ones


def test_one_statement_after_turning_the_jit_off(cases):
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        processes_with_due_steps_locked(now=timezone.now(), batch=10)
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SET", "SELECT"]
    assert "SKIP LOCKED" in captured.captured_queries[-1]["sql"]


def test_the_sweep_runs_on_the_embedded_sqlite_default(tmp_path):
    """make run without PostgreSQL uses SQLite: the sweep takes its ORM path there."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/hall.sqlite3",
        "HALL_DEVELOPMENT": "1",
        "DJANGO_SETTINGS_MODULE": "hall.settings",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from approvals.reviews.sweeps import steps_deem_overdue_sweep as s; print(s())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "0"
