"""Result delivery (结果送达) as the applicant chose: window, post, courier with a tracking number
(booked through the courier backend when the clerk has none), or a pick-up locker with a
one-time code by SMS; each ends Art. 44's clock, is recorded on the case and shown to the
applicant in the portal and the lookup."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from approvals.models import CaseDecision
from approvals.reviews import delivery
from hall.cases.actions import CaseAction
from hall.models import Case, CaseEvent, Notification
from hall.outbox import delivery as outbox_delivery
from tests.approvals.workflow_helpers import (
    accepted_case,
    case_granted,
    department_with_staff,
    make_clerk,
    staged_item,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def files(settings, tmp_path):
    settings.HALL_VAR_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def granted(roles, files):
    dept = department_with_staff("SC", "区市场监管局", roles)
    clerk = make_clerk(roles)
    case = accepted_case(staged_item([[(dept, 5)]], lead_department=dept), clerk)
    case_granted(case, dept)
    return Case.objects.select_related("applicant").get(pk=case.pk), clerk


def test_the_applicant_chooses_until_delivered(granted):
    case, _clerk = granted
    with pytest.raises(ValidationError) as missing:
        delivery.case_delivery_choose(case=case, method="courier", address=" ")
    assert "address" in missing.value.message_dict
    with pytest.raises(ValidationError):
        delivery.case_delivery_choose(case=case, method="drone")
    delivery.case_delivery_choose(case=case, method="courier", address="福田区福华路 1 号 张三")
    case.refresh_from_db()
    assert case.delivery_choice == "courier" and case.delivery_address.startswith("福田区")
    delivery.case_delivery_choose(case=case, method="window", address="ignored")
    case.refresh_from_db()
    assert case.delivery_address == ""


def test_courier_delivery_books_a_waybill_and_the_applicant_sees_the_tracking(
    granted, files, client, make_user
):
    case, clerk = granted
    delivery.case_delivery_choose(case=case, method="courier", address="福田区福华路 1 号")
    case.refresh_from_db()
    with pytest.raises(ValidationError) as no_carrier:
        delivery.case_deliver(case=case, clerk=clerk, method="courier")
    assert "carrier" in no_carrier.value.message_dict
    delivery.case_deliver(case=case, clerk=clerk, method="courier", carrier="顺丰速运")
    decision = CaseDecision.objects.get(case=case)
    booking = json.loads((files / "courier.jsonl").read_text().splitlines()[0])
    assert decision.tracking_no == booking["waybill"] and booking["reference"] == case.receipt_no
    assert booking["address"] == "福田区福华路 1 号" and decision.delivered_at is not None
    assert not decision.issued_late  # delivered within Art. 44's ten working days
    event = CaseEvent.objects.get(case=case, action=CaseAction.DELIVERED)
    assert event.details["tracking_no"] == decision.tracking_no
    assert event.details["carrier"] == "顺丰速运"
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    with pytest.raises(ValidationError):  # delivered once
        delivery.case_deliver(case=case, clerk=clerk, method="window")
    # the applicant sees the carrier and the number in the portal
    user = make_user("13800138000", "applicant")
    case.applicant.user = user
    case.applicant.save(update_fields=["user"])
    client.force_login(user)
    page = client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert decision.tracking_no in page and "顺丰速运" in page
    # and in the lookup
    client.logout()
    client.post(
        reverse("lookup:home"), {"receipt_no": case.receipt_no, "code": case.verification_code}
    )
    page = client.get(reverse("lookup:case", args=[case.receipt_no])).content.decode()
    assert decision.tracking_no in page and "结果送达" in page


def _sent_pick_up_code(sms: Notification, files) -> str:
    """Deliver the message through the file backend (the gateway's stand-in) and read the code
    the applicant's phone gets; once sent, the row keeps no trace of it."""
    with override_settings(
        HALL_SMS_BACKEND="hall.platform.messaging.FileSmsBackend",
        HALL_SMS_FILE=str(files / "sms.jsonl"),
    ):
        assert outbox_delivery.notification_deliver(notification_id=sms.pk)
    (line,) = (files / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    sent = json.loads(line)
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.sealed_secret == "" and "********" in sms.body
    return re.search(r"取件码 (\d{8})", sent["text"]).group(1)


def test_the_console_backend_never_logs_the_pick_up_code(granted, files, caplog):
    case, clerk = granted
    delivery.case_deliver(case=case, clerk=clerk, method="locker", locker_cell="B-03")
    sms = Notification.objects.get(kind="pickup_code")
    caplog.set_level(logging.DEBUG)
    with override_settings(HALL_SMS_BACKEND="hall.platform.messaging.ConsoleSmsBackend"):
        assert outbox_delivery.notification_deliver(notification_id=sms.pk)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "取件码 ********" in logged
    assert not re.search(r"\d{8}", logged.replace(case.receipt_no, ""))


def test_a_locker_pick_up_code_opens_the_cell_once(granted, files, client):
    case, clerk = granted
    with pytest.raises(ValidationError) as no_cell:
        delivery.case_deliver(case=case, clerk=clerk, method="locker")
    assert "locker_cell" in no_cell.value.message_dict
    delivery.case_deliver(case=case, clerk=clerk, method="locker", locker_cell="A-12")
    sms = Notification.objects.get(kind="pickup_code")
    # stored masked, the code sealed beside it: a look at the outbox does not open the cell
    assert "取件码 ********" in sms.body and sms.sealed_secret
    assert sms.recipient_address == case.applicant.phone
    code = _sent_pick_up_code(sms, files)
    assert code not in sms.sealed_secret
    decision = CaseDecision.objects.get(case=case)
    assert decision.pickup_digest and code not in decision.pickup_digest and decision.delivered_at
    wrong = client.post(reverse("kiosk:locker"), {"code": f"{(int(code) + 1) % 10**8:08d}"})
    assert wrong.status_code == 400 and "取件码不正确或已使用" in wrong.content.decode()
    opened = client.post(reverse("kiosk:locker"), {"code": code})
    assert opened.status_code == 200 and "A-12 号柜门已打开" in opened.content.decode()
    assert json.loads((files / "lockers.jsonl").read_text())["open"] == "A-12"
    again = client.post(reverse("kiosk:locker"), {"code": code})
    assert again.status_code == 400 and "取件码不正确或已使用" in again.content.decode()
    assert len((files / "lockers.jsonl").read_text().splitlines()) == 1
    decision.refresh_from_db()
    assert decision.picked_up_at is not None
    assert CaseEvent.objects.filter(case=case, action=CaseAction.PICKED_UP).count() == 1
    with pytest.raises(ValidationError, match="取件码不正确"):
        delivery.result_pick_up(code="abc")
