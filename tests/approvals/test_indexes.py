"""The indexes issue 27 dropped stay dropped, and the ones the sweeps, the desk and viewflow's
timer dispatcher need are there (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

DROPPED = {
    "viewflow_task_external_task_id_2f93bc2f",
    "viewflow_task_artifact_content_type_id_50385e8d",
    "viewflow_process_seed_content_type_id_d648268f",
    "viewflow_task_status_ffb4516b_like",
}
KEPT = {
    "step_opinion_owed",  # the desk's written opinions owed
    "stage_waiting_lead",  # the desk's stages waiting for their lead
    "step_deemable_due",  # the deemed-approval sweep
    "step_yellow_due",  # the warning sweep
    "step_department_open_due",  # the officer's inbox
}


def _indexes(*tables: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)])
        return {row[0] for row in cursor.fetchall()}


def test_never_searched_indexes_are_gone_and_the_needed_ones_kept():
    present = _indexes(
        "viewflow_task", "viewflow_process", "approvals_casestep", "approvals_casestage",
        "approvals_casedecision", "hall_caseevent", "hall_notice",
    )  # fmt: skip
    assert not DROPPED & present
    assert present >= KEPT
    # no index on a column the hall never searches by: the step's deciding user, the event's
    # action (read per case through the case's index)
    assert not {name for name in present if "decided_by" in name}
    assert not {name for name in present if name.startswith("hall_caseevent_action")}
    # viewflow's timer dispatcher and its lookups keep theirs
    assert any(name.startswith("viewflow_task_scheduled") for name in present)
    assert any(name.startswith("viewflow_task_process_id") for name in present)


def test_the_outbox_has_no_like_indexes_and_its_key_stays_unique():
    from django.db import IntegrityError, transaction

    from hall.models import Notification

    present = _indexes("hall_notification")
    assert not {name for name in present if name.endswith("_like")}
    assert {"notification_status", "notification_dedupe_key_unique"} <= present
    Notification.objects.create(dedupe_key="once", channel="sms", kind="received", body="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(dedupe_key="once", channel="sms", kind="received", body="y")
