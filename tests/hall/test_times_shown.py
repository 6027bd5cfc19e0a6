"""Every time shown to a person is in Asia/Shanghai: the admin's labels of the rows that carry
a time (their __str__), whatever time zone the value arrives in. 17:30 UTC is 01:30 the next
day in Shanghai."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from departments.models import FiguresSnapshot
from hall.models import (
    ApiCallRecord,
    AppointmentSlot,
    CaseEvent,
    SecurityEvent,
    SweepHeartbeat,
    UserSession,
)

UTC_EVENING = datetime.datetime(2026, 12, 6, 17, 30, 15, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        (CaseEvent(at=UTC_EVENING, action="accepted"), "2026-12-07 01:30 accepted"),
        (
            SecurityEvent(at=UTC_EVENING, kind="login_failed", username="u"),
            "2026-12-07 01:30:15",
        ),
        (
            UserSession(started_at=UTC_EVENING, user=User(username="clerk")),
            "clerk 2026-12-07 01:30",
        ),
        (AppointmentSlot(category="general", starts_at=UTC_EVENING), "general 2026-12-07 01:30"),
        (
            ApiCallRecord(at=UTC_EVENING, method="GET", path="/api/v1/cases/", status=200),
            "2026-12-07 01:30:15 GET /api/v1/cases/ 200",
        ),
        (FiguresSnapshot(name="supervision", computed_at=UTC_EVENING), "2026-12-07 01:30:15"),
        (SweepHeartbeat(name="hall-outbox-drain", ran_at=UTC_EVENING), "2026-12-07 01:30:15"),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else "",
)
def test_admin_labels_show_shanghai_time(row, shown):
    assert shown in str(row)
    assert "17:30" not in str(row)
