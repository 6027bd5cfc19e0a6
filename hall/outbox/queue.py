"""Queuing messages: one row in the caller's transaction, its delivery task enqueued on commit;
a second call with the same dedupe key does nothing."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from hall.models import Case, CaseEvent, Notification
from hall.outbox.delivery import logger
from hall.outbox.tasks import deliver_notification


def notification_queue(
    *,
    dedupe_key: str,
    channel: str,
    kind: str,
    subject: str,
    body: str,
    case: Case | None = None,
    user: User | None = None,
    address: str = "",
) -> Notification | None:
    """Queue one message; a second call with the same key does nothing and returns None."""
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "channel": channel,
            "kind": kind,
            "subject": str(subject)[:200],
            "body": str(body),
            "case": case,
            "recipient_user": user,
            "recipient_address": address,
        },
    )
    if not created:
        return None
    if channel != Notification.Channel.INBOX:
        transaction.on_commit(lambda: _enqueue(deliver_notification, notification.pk))
    return notification


def _enqueue(task, notification_id: int) -> None:
    try:
        task.delay(notification_id)
    except Exception:  # the broker is down: the periodic drain will deliver it
        logger.warning(
            "broker unavailable; notification %s left for the outbox drain", notification_id
        )


def owner_notify(*, case: Case, event: CaseEvent, subject: str, body: str) -> None:
    """Put one message about `event` in the first-contact owner's inbox, once per event."""
    notification_queue(
        dedupe_key=f"event:{event.pk}:owner",
        channel=Notification.Channel.INBOX,
        kind=event.action,
        subject=subject,
        body=body,
        case=case,
        user=case.owner,
    )


def staff_notify(*, user: User, case: Case, key: str, kind: str, subject: str, body: str) -> None:
    notification_queue(
        dedupe_key=f"{key}:user:{user.pk}",
        channel=Notification.Channel.INBOX,
        kind=kind,
        subject=subject,
        body=body,
        case=case,
        user=user,
    )


def applicant_notify(*, case: Case, key: str, kind: str, subject: str, body: str) -> None:
    """Tell the applicant by SMS, and by email when they gave an address; once per key."""
    applicant = case.applicant
    notification_queue(
        dedupe_key=f"{key}:sms",
        channel=Notification.Channel.SMS,
        kind=kind,
        subject=subject,
        body=body,
        case=case,
        address=applicant.phone,
    )
    if applicant.email:
        notification_queue(
            dedupe_key=f"{key}:email",
            channel=Notification.Channel.EMAIL,
            kind=kind,
            subject=subject,
            body=body,
            case=case,
            address=applicant.email,
        )
    if applicant.user_id:
        notification_queue(
            dedupe_key=f"{key}:inbox",
            channel=Notification.Channel.INBOX,
            kind=kind,
            subject=subject,
            body=body,
            case=case,
            user=applicant.user,
        )
