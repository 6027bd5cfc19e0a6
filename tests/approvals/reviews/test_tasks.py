"""The sweeps and the notification outbox through a real Celery worker on Redis."""

from __future__ import annotations

import datetime
import json
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from approvals.models import CaseStep
from approvals.reviews import tasks as approval_tasks
from hall.models import Notification
from hall.outbox import delivery as notifications
from hall.outbox import tasks as hall_tasks
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    open_steps,
    staged_item,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]


@pytest.fixture
def sms_file(tmp_path):
    path = tmp_path / "sms.jsonl"
    with override_settings(
        HALL_SMS_BACKEND="hall.platform.messaging.FileSmsBackend", HALL_SMS_FILE=str(path)
    ):
        yield path


def sms_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for(predicate, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_deemed_approval_sweep_runs_on_the_worker(celery_worker, roles):
    departments = [department_with_staff(f"W{i}", f"区部门{i}", roles) for i in range(3)]
    clerk = make_clerk(roles)
    item = staged_item([[(d, 5) for d in departments]], lead_department=departments[0])
    case = accepted_case(item, clerk)
    CaseStep.objects.filter(case=case).update(due_at=timezone.now() - datetime.timedelta(hours=2))
    assert approval_tasks.sweep_deemed_approvals.delay().get(timeout=30) == 3
    assert approval_tasks.sweep_deemed_approvals.delay().get(timeout=30) == 0
    assert set(CaseStep.objects.filter(case=case).values_list("status", flat=True)) == {"deemed"}
    assert open_steps(case) == []
    assert case.stages.get().decision_task is not None


def test_acceptance_sms_is_sent_once_by_the_worker_after_commit(celery_worker, roles, sms_file):
    clerk = make_clerk(roles)
    department = department_with_staff("W9", "区市场监管局", roles)
    case = accepted_case(staged_item([[(department, 5)]], lead_department=department), clerk)
    assert wait_for(
        lambda: Notification.objects.filter(case=case, channel="sms", status="sent").count() == 1
    )
    lines = sms_lines(sms_file)
    assert len(lines) == 1
    assert lines[0]["phone"] == case.applicant.phone
    assert case.receipt_no in lines[0]["text"]
    # delivering the same message again sends nothing
    sent = Notification.objects.get(case=case, channel="sms")
    assert (
        hall_tasks.deliver_notification.apply_async((sent.pk,), ignore_result=False).get(timeout=20)
        is False
    )
    assert len(sms_lines(sms_file)) == 1


def test_outbox_delivers_after_a_broker_outage_exactly_once(celery_worker, roles, sms_file):
    clerk = make_clerk(roles)
    department = department_with_staff("W8", "区卫健局", roles)
    item = staged_item([[(department, 5)]], lead_department=department)
    # the broker is unreachable when the transaction commits: the publish fails
    with mock.patch.object(
        hall_tasks.deliver_notification, "delay", side_effect=OperationalError("Connection refused")
    ):
        case = accepted_case(item, clerk)
    pending = Notification.objects.filter(case=case, channel="sms")
    assert pending.get().status == Notification.Status.PENDING
    assert sms_lines(sms_file) == []
    # the broker is back: the periodic drain (grace 0 here) delivers what was left
    Notification.objects.filter(case=case).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert hall_tasks.drain_outbox.delay().get(timeout=30) >= 1
    assert pending.get().status == Notification.Status.SENT
    assert hall_tasks.drain_outbox.delay().get(timeout=30) == 0
    assert len([line for line in sms_lines(sms_file) if case.receipt_no in line["text"]]) == 1


def test_a_failing_gateway_is_retried_and_recorded(db, roles, sms_file):
    clerk = make_clerk(roles)
    department = department_with_staff("W7", "区水务局", roles)
    with mock.patch.object(hall_tasks.deliver_notification, "delay"):
        case = accepted_case(staged_item([[(department, 5)]], lead_department=department), clerk)
    message = Notification.objects.get(case=case, channel="sms")
    with (
        mock.patch(
            "hall.platform.messaging.FileSmsBackend.send",
            side_effect=ConnectionError("gateway down"),
        ),
        pytest.raises(ConnectionError),
    ):
        notifications.notification_deliver(notification_id=message.pk)
    message.refresh_from_db()
    assert message.status == Notification.Status.PENDING
    assert message.attempts == 1 and "gateway down" in message.last_error
    assert notifications.notification_deliver(notification_id=message.pk) is True
    assert notifications.notification_deliver(notification_id=message.pk) is False
    assert len(sms_lines(sms_file)) == 1
