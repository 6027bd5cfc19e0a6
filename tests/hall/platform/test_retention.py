"""Each record kept for its period and no longer: outbox texts blanked, one-time codes and old
API call records deleted, expired sessions cleared; the rest untouched."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from hall.models import ApiCallRecord, ApiClient, Notification, SmsCode
from hall.platform import retention

NOW = datetime.datetime(2026, 12, 6, 3, 37, tzinfo=datetime.UTC)


def _message(key: str, *, channel: str, status: str, sent_days_ago: int) -> Notification:
    message = Notification.objects.create(
        dedupe_key=key,
        channel=channel,
        kind="accepted",
        subject="受理",
        body="张三，您的办件已受理。",
        status=status,
        recipient_address="13800138000",
    )
    sent = NOW - datetime.timedelta(days=sent_days_ago)
    Notification.objects.filter(pk=message.pk).update(
        created_at=sent, sent_at=sent if status == "sent" else None
    )
    return message


@pytest.mark.django_db
def test_the_retention_sweep_keeps_each_record_for_its_period(settings):
    settings.HALL_OUTBOX_BODY_DAYS = 180
    settings.HALL_SMS_CODE_DAYS = 2
    settings.HALL_API_RECORD_DAYS = 365
    old_sms = _message("old-sms", channel="sms", status="sent", sent_days_ago=181)
    old_failed = _message("old-failed", channel="email", status="failed", sent_days_ago=200)
    fresh_sms = _message("fresh-sms", channel="sms", status="sent", sent_days_ago=10)
    pending = _message("old-pending", channel="sms", status="pending", sent_days_ago=400)
    inbox = _message("old-inbox", channel="inbox", status="sent", sent_days_ago=400)
    for days in (1, 3):
        SmsCode.objects.create(
            phone_digest="d" * 64,
            purpose="login",
            code_hash="x$y",
            created_at=NOW - datetime.timedelta(days=days),
            expires_at=NOW - datetime.timedelta(days=days) + datetime.timedelta(minutes=5),
        )
    client = ApiClient.objects.create(name="platform", scopes=["cases:read"])
    for days in (100, 400):
        record = ApiCallRecord.objects.create(
            client=client, request_id=f"r{days}", method="GET", path="/api/", status=200
        )
        ApiCallRecord.objects.filter(pk=record.pk).update(at=NOW - datetime.timedelta(days=days))
    Session.objects.create(
        session_key="expired", session_data="x", expire_date=NOW - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=timezone.now() + datetime.timedelta(1)
    )

    swept = retention.retention_sweep(now=NOW)

    assert (swept.outbox_bodies, swept.sms_codes, swept.api_records) == (2, 1, 1)
    for message in (old_sms, old_failed):
        message.refresh_from_db()
        assert message.body == retention.BODY_REMOVED and message.subject == "受理"
    for message in (fresh_sms, pending, inbox):  # too young, not yet sent, the staff inbox
        message.refresh_from_db()
        assert message.body == "张三，您的办件已受理。"
    assert SmsCode.objects.count() == 1
    assert list(ApiCallRecord.objects.values_list("request_id", flat=True)) == ["r100"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    # a second run changes nothing more
    assert retention.retention_sweep(now=NOW).outbox_bodies == 0


@pytest.mark.django_db
def test_api_call_records_are_kept_at_least_six_months_whatever_the_setting(settings):
    settings.HALL_API_RECORD_DAYS = 30
    client = ApiClient.objects.create(name="platform", scopes=["cases:read"])
    for days in (100, 200):
        record = ApiCallRecord.objects.create(
            client=client, request_id=f"r{days}", method="GET", path="/api/", status=200
        )
        ApiCallRecord.objects.filter(pk=record.pk).update(at=NOW - datetime.timedelta(days=days))
    assert retention.retention_sweep(now=NOW).api_records == 1
    assert list(ApiCallRecord.objects.values_list("request_id", flat=True)) == ["r100"]


@pytest.mark.django_db
def test_contact_details_go_after_their_period_unless_a_matter_is_open(settings, make_user):
    from hall.models import Applicant, Case
    from tests.departments.builders import bare_case

    settings.HALL_CONTACT_DAYS = 1095

    def person(n: int, **extra) -> Applicant:
        return Applicant.objects.create(
            kind="person",
            name=f"申请人{n}",
            phone=f"1380013{n:04d}",
            email=f"p{n}@example.cn",
            id_number=f"11010519491231{n + 10:03d}X",
            **extra,
        )

    long_ago = NOW - datetime.timedelta(days=1200)
    gone = person(1)
    bare_case(applicant=gone, closed_at=long_ago, delivery_address="深圳市福田区福华路 1 号")
    recent = person(2)
    bare_case(applicant=recent, closed_at=NOW - datetime.timedelta(days=30))
    open_matter = person(3)
    bare_case(applicant=open_matter, closed_at=long_ago)
    bare_case(applicant=open_matter, closed_at=None)  # still open: nothing goes
    with_account = person(4, user=make_user("online-4", "applicant"))
    bare_case(applicant=with_account, closed_at=long_ago)
    never_filed = person(5)
    Applicant.objects.filter(pk=never_filed.pk).update(created_at=long_ago)

    swept = retention.retention_sweep(now=NOW)
    assert swept.contacts_anonymised == 2
    gone.refresh_from_db()
    assert (gone.phone, gone.phone_digest, gone.email) == ("", "", "")
    assert gone.contact_anonymised_at == NOW
    assert gone.name == "申请人1" and gone.id_number == "11010519491231011X"  # with the files
    assert Case.objects.get(applicant=gone).delivery_address == ""
    assert Applicant.objects.get(pk=never_filed.pk).phone == ""
    for kept in (recent, open_matter, with_account):
        assert Applicant.objects.get(pk=kept.pk).phone == kept.phone
    assert retention.retention_sweep(now=NOW).contacts_anonymised == 0  # once
