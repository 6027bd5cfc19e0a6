"""Keeping what the hall holds no longer than it needs (issue 28; PIPL Art. 19, 等保 L3-CES1-33).

One daily sweep (`hall.tasks.sweep_retention`, 03:37) acts on what the other parts of the hall
leave behind, each for its own period (settings, README "Security"):

- an SMS's or email's text in the outbox: `HALL_OUTBOX_BODY_DAYS` after it was sent or given up,
  then blanked; the row stays as the record that a message went out (kind, subject, when, to);
- a one-time SMS code's row: `HALL_SMS_CODE_DAYS` (the daily cap needs today's), then deleted;
- a record of an API call: `HALL_API_RECORD_DAYS` (never under six months, like the security
  log), then deleted;
- a session: until it expires, then deleted (Django's `clear_expired`);
- a notice or licence file half-written by a render that died: an hour, then deleted (the render
  sweep, `hall.cases.rendering`);
- the contact details (phone, email, delivery addresses) of an applicant with no online account
  and no open case, `HALL_CONTACT_DAYS` after their last case closed (or after they were
  registered, with none): blanked, as Signalen anonymises reporters; the name and the identity
  stay with the case files, which the archive rules keep.

The case file itself, its notices and event log are records kept by the archive rules, not here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from hall.models import ApiCallRecord, Applicant, Case, Notification, SmsCode

BODY_REMOVED = "（正文已按保存期限删除）"
MINIMUM_RECORD_DAYS = 183


@dataclass(frozen=True)
class RetentionSwept:
    outbox_bodies: int
    sms_codes: int
    api_records: int
    sessions_cleared: bool
    contacts_anonymised: int = 0


def contacts_anonymise(*, now: datetime.datetime, batch: int = 1000) -> int:
    """Blank the contact details of applicants past their period (see the module's list)."""
    cutoff = now - datetime.timedelta(days=settings.HALL_CONTACT_DAYS)
    due = (
        Applicant.objects.filter(contact_anonymised_at__isnull=True, user__isnull=True)
        .exclude(pk__in=Case.objects.filter(closed_at__isnull=True).values("applicant_id"))
        .annotate(last_closed=Max("cases__closed_at"))
        .filter(Q(last_closed__lt=cutoff) | Q(last_closed__isnull=True, created_at__lt=cutoff))
    )
    done = 0
    while ids := list(due.order_by("pk").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            Case.objects.filter(applicant_id__in=ids).update(delivery_address="")
            done += Applicant.objects.filter(pk__in=ids, contact_anonymised_at__isnull=True).update(
                phone="", phone_digest="", email="", contact_anonymised_at=now
            )
    return done


def retention_sweep(*, now: datetime.datetime | None = None) -> RetentionSwept:
    now = now or timezone.now()
    body_cutoff = now - datetime.timedelta(days=settings.HALL_OUTBOX_BODY_DAYS)
    bodies = (
        Notification.objects.filter(
            channel__in=[Notification.Channel.SMS, Notification.Channel.EMAIL],
            status__in=[Notification.Status.SENT, Notification.Status.FAILED],
        )
        .filter(Q(sent_at__lt=body_cutoff) | Q(sent_at__isnull=True, created_at__lt=body_cutoff))
        .exclude(body=BODY_REMOVED)
        .update(body=BODY_REMOVED, sealed_secret="")
    )
    codes, _by_model = SmsCode.objects.filter(
        created_at__lt=now - datetime.timedelta(days=settings.HALL_SMS_CODE_DAYS)
    ).delete()
    record_days = max(settings.HALL_API_RECORD_DAYS, MINIMUM_RECORD_DAYS)
    records, _by_model = ApiCallRecord.objects.filter(
        at__lt=now - datetime.timedelta(days=record_days)
    ).delete()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return RetentionSwept(
        outbox_bodies=bodies,
        sms_codes=codes,
        api_records=records,
        sessions_cleared=True,
        contacts_anonymised=contacts_anonymise(now=now),
    )
