"""亲友代办 over HTTP: a daughter asks, her father reads her the code, she files for him in the
online hall, and the revocation at the window stops her at her next step."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.clock.deadlines import SHANGHAI
from hall.cases.proxies import ProxyRefused
from hall.intake import receiving
from hall.models import Appointment, Case, Notification, ProxyAuthorisation, UploadedMaterial
from hall.online import filing
from hall.online.portal.access import ACTING_SESSION_KEY
from hall.queue.appointment_selectors import booking_days
from hall.queue.appointments import appointment_book
from hall.queue.services import CATEGORY_LETTERS
from tests.factories import ClerkFactory, WindowFactory
from tests.hall.online.test_filing import png
from tests.hall.proxies.conftest import (
    DAUGHTER_ID,
    FATHER_PHONE,
    authorise,
    consent_code,
)


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


def upload_payload(item, acting_for: str) -> dict:
    payload = {
        "answered": "1",
        f"{item.pk}__agent": "no",
        "submission_key": str(uuid.uuid4()),
        "acting_for": acting_for,
    }
    for requirement in item.materials.filter(name__in=("申请表", "身份证明")):
        payload[filing.material_field(item, requirement)] = png()
    return payload


def test_a_daughter_files_for_her_father_until_the_window_revokes_it(
    client, daughter_user, father, item, other_item, sms_file, clerk
):
    client.force_login(daughter_user)
    # she names her father and the item
    asked = client.post(
        reverse("proxies:request"),
        {
            "principal_name": "张大山",
            "principal_id_number": father.id_number,
            "relationship": "child",
            "item_codes": [item.code],
            "valid_until": "2027-01-10",
        },
    )
    assert asked.status_code == 302 and asked["Location"] == reverse("proxies:confirm")
    # he reads her the code from his SMS
    confirmed = client.post(reverse("proxies:confirm"), {"code": consent_code(sms_file)})
    assert confirmed.status_code == 302
    authorisation = ProxyAuthorisation.objects.get()
    listing = client.get(reverse("proxies:list")).content.decode()
    assert "为 张大山 办理" in listing
    # she starts acting for him
    client.post(reverse("proxies:act", args=[authorisation.code]))
    home = client.get(reverse("portal:home")).content.decode()
    assert "您正在为 张大山 代办" in home
    catalogue = client.get(reverse("portal:catalogue")).content.decode()
    assert "高龄津贴申领" in catalogue and "居住证签注" not in catalogue
    assert client.get(reverse("portal:file_item", args=[other_item.pk])).status_code == 404
    # and files for him
    url = reverse("portal:file_item", args=[item.pk])
    filed = client.post(url, upload_payload(item, authorisation.code))
    case = Case.objects.get()
    assert filed.status_code == 302 and case.applicant == father
    page = client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "亲友代办：张**（子女）代为提交申请" in page
    # she can open the scans of the case she acts on
    scan = UploadedMaterial.objects.filter(material__case=case).first()
    assert client.get(reverse("portal:upload", args=[scan.pk])).status_code == 200
    assert (
        Notification.objects.filter(kind="proxy_acted", case=case, channel="sms")
        .get()
        .recipient_address
        == FATHER_PHONE
    )

    # a case of his that the authorisation does not name stays out of her sight
    other = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=father,
        item=other_item,
        answers={"agent": "no"},
        received_by=clerk,
        channel="window",
    )
    assert client.get(reverse("portal:case", args=[other.receipt_no])).status_code == 404
    assert other.receipt_no not in client.get(reverse("portal:home")).content.decode()

    # the window revokes it, with him there
    window = client.__class__()
    window.force_login(clerk)
    revoked = window.post(reverse("proxies:window_revoke", args=[authorisation.code]))
    assert revoked.status_code == 302
    # her next step: acting has ended, his case is gone from her view, a filing is refused
    after = client.get(reverse("portal:home"))
    assert "已撤销" in after.content.decode() and "您正在为" not in after.content.decode()
    assert ACTING_SESSION_KEY not in client.session
    assert client.get(reverse("portal:case", args=[case.receipt_no])).status_code == 404
    refused = client.post(url, upload_payload(item, authorisation.code))
    assert refused.status_code == 400 and "代办状态已经变化" in refused.content.decode()
    assert Case.objects.filter(item=item).count() == 1


def test_the_window_offers_and_grants_with_both_present(client, clerk, father, daughter_user, item):
    client.force_login(clerk)
    page = client.get(reverse("intake:file", args=[father.pk])).content.decode()
    assert "申请人已年满 70 周岁" in page and reverse("proxies:window", args=[father.pk]) in page
    url = reverse("proxies:window", args=[father.pk])
    assert client.get(url).status_code == 200
    form = {
        "request_key": str(uuid.uuid4()),
        "proxy_id_number": DAUGHTER_ID,
        "relationship": "child",
        "item_codes": [],
        "valid_until": "2026-12-31",
    }
    # nothing ticked: every problem in the same round, nothing written
    missing = client.post(url, form)
    html = missing.content.decode()
    assert missing.status_code == 400 and not ProxyAuthorisation.objects.exists()
    assert "请至少选择一个代办事项" in html and "双方均在场" in html
    granted = client.post(url, {**form, "item_codes": [item.code], "both_present": "on"})
    assert granted.status_code == 302
    authorisation = ProxyAuthorisation.objects.get()
    assert authorisation.confirmed_via == "window" and authorisation.proxy.name == "张小红"
    assert "1 项有效" in client.get(reverse("intake:file", args=[father.pk])).content.decode()


def test_strangers_can_neither_act_nor_revoke(
    client, daughter_user, stranger_user, father, item, sms_file
):
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    client.force_login(stranger_user)
    assert client.post(reverse("proxies:revoke", args=[authorisation.code])).status_code == 404
    acted = client.post(reverse("proxies:act", args=[authorisation.code]), follow=True)
    assert "没有这项代办授权" in acted.content.decode()
    assert ACTING_SESSION_KEY not in client.session
    assert ProxyAuthorisation.objects.get().revoked_at is None


def test_pages_answer_in_english_too(client, daughter_user, settings):
    client.force_login(daughter_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("proxies:request"))
    assert page.status_code == 200 and "Act for a relative or friend" in page.content.decode()


def test_a_daughter_books_an_appointment_for_her_father_within_the_authorisation(
    client, daughter_user, father, item, other_item, sms_file, clerk
):
    WindowFactory(number="09", categories=list(CATEGORY_LETTERS))
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    client.force_login(daughter_user)
    client.post(reverse("proxies:act", args=[authorisation.code]))
    day = booking_days()[0]
    start = datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI).isoformat()
    page = client.get(reverse("portal:appointment_new")).content.decode()
    assert item.name in page and other_item.name not in page  # only what she may do for him
    refused = client.post(
        reverse("portal:appointment_new"),
        {"item": other_item.pk, "day": day.isoformat(), "slot": start},
    )
    assert refused.status_code == 400 and not Appointment.objects.exists()
    booked = client.post(
        reverse("portal:appointment_new"), {"item": item.pk, "day": day.isoformat(), "slot": start}
    )
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.applicant == father and appointment.booked_under == authorisation
    told = [
        n
        for n in Notification.objects.filter(kind="proxy_acted", channel="sms")
        if n.recipient_address == FATHER_PHONE
    ]
    assert len(told) == 1 and "张小红" in told[0].body
    listing = client.get(reverse("portal:appointments")).content.decode()
    assert appointment.code in listing and "取消预约" not in listing
    # revoked: acting ends at once, so the next booking is hers, never her father's
    ProxyAuthorisation.objects.filter(pk=authorisation.pk).update(revoked_at=timezone.now())
    again = client.post(
        reverse("portal:appointment_new"),
        {"item": item.pk, "day": booking_days()[1].isoformat(), "slot": start},
    )
    assert again.status_code in (302, 400)
    assert list(Appointment.objects.filter(applicant=father)) == [appointment]


def test_a_revoked_authorisation_books_nothing(daughter_user, father, item, sms_file):
    WindowFactory(number="09", categories=list(CATEGORY_LETTERS))
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    ProxyAuthorisation.objects.filter(pk=authorisation.pk).update(revoked_at=timezone.now())
    day = booking_days()[0]
    with pytest.raises(ProxyRefused):
        appointment_book(
            applicant=father,
            item=item,
            starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI),
            proxy_user=daughter_user,
            proxy_code=authorisation.code,
        )
    assert not Appointment.objects.exists()
