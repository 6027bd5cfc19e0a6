"""`rows_insert_new`: one statement for any number of rows, existing keys skipped (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hall.common.bulk import rows_insert_new
from hall.models import Notification
from hall.outbox.queue import notification_build

pytestmark = pytest.mark.django_db


def _messages(keys):
    return [
        notification_build(
            dedupe_key=key,
            channel="sms",
            kind="received",
            subject="收件",
            body=f"办件 {key} 已收件",
        )
        for key in keys
    ]


def test_thousands_of_rows_in_one_statement_beyond_the_protocols_parameter_limit():
    # 5,000 rows of ~17 columns are ~85,000 values: more than the 65,535 parameters a
    # server-side bound statement may carry, so they must travel as one array per column
    keys = [f"bulk:{n}" for n in range(5000)]
    with CaptureQueriesContext(connection) as captured:
        inserted = rows_insert_new(_messages(keys), unique="dedupe_key")
    assert len(captured) == 1
    assert set(inserted) == set(keys)
    assert Notification.objects.filter(dedupe_key__startswith="bulk:").count() == 5000
    row = Notification.objects.get(dedupe_key="bulk:4999")
    assert row.body == "办件 bulk:4999 已收件" and row.pk == inserted["bulk:4999"]


def test_existing_keys_are_skipped_and_reported_as_not_new():
    first = _messages(["k:1", "k:2"])
    rows_insert_new(first, unique="dedupe_key")
    again = _messages(["k:2", "k:3", "k:3"])  # one old key, one new key given twice
    inserted = rows_insert_new(again, unique="dedupe_key")
    assert set(inserted) == {"k:3"}
    assert again[0].pk is None and again[1].pk == inserted["k:3"]
    assert Notification.objects.filter(dedupe_key__startswith="k:").count() == 3
