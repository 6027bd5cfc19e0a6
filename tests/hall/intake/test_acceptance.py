"""Acceptance (hall.intake.acceptance, Art. 32): the dated notice with the promised date,
once; refused while materials are missing; nothing half-written; the notice rendered after the
commit."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals.clock.calendar import working_calendar
from hall.cases.rendering import notice_verify
from hall.intake import decisions
from hall.models import (
    Case,
    CaseEvent,
    Notice,
    Notification,
)
from tests.hall.intake.conftest import mark_all, receive

# --- outcome 1: accept --------------------------------------------------------------------------


def test_accept_issues_a_hashed_acceptance_notice_with_promised_date(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    notice = decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    calendar = working_calendar()
    assert case.promised_due_date == calendar.add_working_days(case.accepted_on, item.promised_days)
    assert case.statutory_due_date == calendar.add_working_days(
        case.accepted_on, item.statutory_days
    )
    assert notice.kind == Notice.Kind.ACCEPTANCE
    assert notice.number.startswith("福田政服受字〔")
    assert notice_verify(notice)
    assert notice.content["receipt_no"] == case.receipt_no
    assert notice.content["verification_code"] == case.verification_code
    assert notice.content["owner_name"] == "王窗口"
    assert case.promised_due_date.strftime("%Y年").lstrip("0") in " ".join(
        notice.content["paragraphs"]
    )
    # the applicant hears of it by SMS, once
    sms = Notification.objects.filter(case=case, channel="sms", kind="accepted")
    assert sms.count() == 1
    assert case.verification_code in sms.get().body


def test_accept_twice_returns_the_same_notice(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    first = decisions.case_accept(case=case, clerk=clerk)
    second = decisions.case_accept(case=case, clerk=clerk)
    assert first.pk == second.pk
    assert Notice.objects.filter(case=case).count() == 1


def test_accept_refuses_while_materials_are_missing(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    with pytest.raises(ValidationError, match="身份证明"):
        decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED


def test_a_failed_acceptance_leaves_nothing_half_written(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    events_before = CaseEvent.objects.count()
    # the workflow start is the last write of the acceptance: it fails after the case row,
    # the notice, the event and the message were written in the same transaction
    failing_start = mock.patch(
        "hall.intake.acceptance.approval_start", side_effect=RuntimeError("workflow down")
    )
    with failing_start, pytest.raises(RuntimeError):
        decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert case.accepted_at is None
    assert Notice.objects.count() == 0
    assert CaseEvent.objects.count() == events_before
    assert not Notification.objects.filter(kind="accepted").exists()


@pytest.mark.django_db(transaction=True)
def test_a_notice_is_rendered_after_the_commit_and_a_lost_render_is_not_lost(item, person, clerk):
    from hall.cases import rendering

    case = receive(item, person, clerk)
    mark_all(case, clerk)
    # the render task never runs here (no worker): the notice is issued without its file
    with mock.patch("hall.cases.notices.render_notice.delay", side_effect=OSError("broker")):
        notice = decisions.case_accept(case=case, clerk=clerk)
    notice.refresh_from_db()
    assert notice.rendered_at is None and not notice.pdf and notice.number
    # the render fails the first time: the notice stays, waiting, and the sweep retries it
    with (
        mock.patch(
            "hall.cases.rendering.render_notice_pdf", side_effect=RuntimeError("printer on fire")
        ),
        pytest.raises(RuntimeError),
    ):
        rendering.notices_render_sweep(grace=datetime.timedelta(0))
    notice.refresh_from_db()
    assert notice.rendered_at is None
    assert rendering.notices_render_sweep(grace=datetime.timedelta(0)) == 1
    notice.refresh_from_db()
    assert notice.rendered_at is not None and rendering.notice_verify(notice)
    # rendering again changes nothing: the file and its hash are the first ones
    first_hash = notice.sha256
    assert rendering.notice_render(notice_id=notice.pk).sha256 == first_hash
    assert rendering.notices_render_sweep(grace=datetime.timedelta(0)) == 0


def test_the_first_reader_renders_a_notice_still_waiting(client, item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    notice = decisions.case_accept(case=case, clerk=clerk)  # on_commit never runs in this test
    assert Notice.objects.get(pk=notice.pk).rendered_at is None
    client.force_login(clerk)
    response = client.get(reverse("intake:notice_pdf", args=[case.receipt_no, notice.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert Notice.objects.get(pk=notice.pk).rendered_at is not None
