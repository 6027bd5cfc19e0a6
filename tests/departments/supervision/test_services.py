"""督办: `case_remind` records one event and tells the people responsible, once per click."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from approvals.reviews import steps as reviews
from departments.supervision import services as supervision
from departments.supervision.services import case_remind
from hall.models import Case, CaseEvent, Notification
from tests.approvals.workflow_helpers import accepted_case, make_clerk, officer_of, staged_item
from tests.departments.builders import departments


@pytest.fixture
def world(roles, make_user):
    planning, environment = departments(roles, "区规划局", "区环保局")
    clerk = make_clerk(roles)
    item = staged_item([[(planning, 5), (environment, 5)]], lead_department=planning)
    case = accepted_case(item, clerk)
    return {
        "case": case,
        "planning": planning,
        "environment": environment,
        "clerk": clerk,
        "supervisor": make_user("sup", "supervisor", last_name="监", first_name="察"),
    }


def told() -> set[str]:
    return set(
        Notification.objects.filter(kind="reminder").values_list(
            "recipient_user__username", flat=True
        )
    )


def test_a_step_reminds_its_claimant_the_head_and_the_owner(world):
    case, planning = world["case"], world["planning"]
    step = case.steps.get(department=planning)
    officer = officer_of(planning)
    reviews.step_claim(step=step, officer=officer)

    event = case_remind(case=case, supervisor=world["supervisor"], step=step, note="请本周内办结")

    assert event.action == "reminder" and event.actor == world["supervisor"]
    assert event.details["department"] == "区规划局"
    assert event.details["note"] == "请本周内办结"
    assert event.details["recipients"] == ["区科员", "区科长", "王窗口"]
    assert told() == {officer.username, officer_of(planning, head=True).username, "clerk-wang"}
    message = Notification.objects.filter(recipient_user=officer).get()
    assert message.subject == f"督办提醒 {case.receipt_no}"
    assert "区规划局" in message.body and "请本周内办结" in message.body


def test_the_whole_case_reminds_every_open_step(world):
    case_remind(case=world["case"], supervisor=world["supervisor"], note="")
    # nobody claimed: every officer of both departments (heads among them), and the owner
    assert told() == {"s0-0", "s0-1", "s1-0", "s1-1", "clerk-wang"}
    event = CaseEvent.objects.get(action="reminder")
    assert event.details["department"] == "区规划局、区环保局"
    assert "请抓紧办理" in Notification.objects.filter(kind="reminder").first().body


def test_the_same_click_twice_reminds_once(world):
    reminder_id = uuid.uuid4()
    first = case_remind(
        case=world["case"], supervisor=world["supervisor"], note="x", reminder_id=reminder_id
    )
    again = case_remind(
        case=world["case"], supervisor=world["supervisor"], note="x", reminder_id=reminder_id
    )
    assert again.pk == first.pk
    assert CaseEvent.objects.filter(action="reminder").count() == 1
    assert Notification.objects.filter(kind="reminder").count() == 5
    # a new click (a new id) is a new reminder
    case_remind(
        case=world["case"], supervisor=world["supervisor"], note="x", reminder_id=uuid.uuid4()
    )
    assert CaseEvent.objects.filter(action="reminder").count() == 2


def test_without_an_id_the_minute_bucket_dedupes(world):
    with mock.patch.object(supervision, "_bucket", return_value=42):
        case_remind(case=world["case"], supervisor=world["supervisor"], note="")
        case_remind(case=world["case"], supervisor=world["supervisor"], note="")
    with mock.patch.object(supervision, "_bucket", return_value=43):
        case_remind(case=world["case"], supervisor=world["supervisor"], note="")
    assert CaseEvent.objects.filter(action="reminder").count() == 2


def test_who_and_what_may_be_reminded(world, roles):
    case = world["case"]
    with pytest.raises(ValidationError, match="只有监察人员"):
        case_remind(case=case, supervisor=world["clerk"], note="")
    other = accepted_case(case.item, world["clerk"])
    with pytest.raises(ValidationError, match="不属于这个办件"):
        case_remind(case=case, supervisor=world["supervisor"], step=other.steps.first(), note="")
    with pytest.raises(ValidationError):
        case_remind(case=case, supervisor=world["supervisor"], note="长" * 501)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    with pytest.raises(ValidationError, match="已办结"):
        case_remind(case=case, supervisor=world["supervisor"], note="")
    assert not CaseEvent.objects.filter(action="reminder").exists()


def test_the_case_page_reminds_with_a_note(client, world):
    case = world["case"]
    client.force_login(world["supervisor"])
    url = f"/supervision/case/{case.receipt_no}/"
    page = client.get(url).content.decode()
    reminder_id = page.split('name="remind-reminder_id" value="', 1)[1].split('"', 1)[0]
    step = case.steps.get(department=world["environment"])
    data = {
        "action": "remind",
        "remind-step": step.pk,
        "remind-note": "申请人反映进度慢",
        "remind-reminder_id": reminder_id,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click
    assert CaseEvent.objects.filter(case=case, action="reminder").count() == 1
    page = client.get(url).content.decode()
    assert "督办提醒" in page and "申请人反映进度慢" in page
