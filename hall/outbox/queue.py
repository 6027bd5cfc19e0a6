"""Queuing messages: rows in the caller's transaction, their delivery tasks enqueued on commit;
a second call with the same dedupe key does nothing.

All the messages of one call go in one statement (`rows_insert_new`), and the rows of a whole
batch (a sweep) can be queued together with `notifications_queue`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction

from hall.common.bulk import rows_insert_new
from hall.common.localised import in_language
from hall.models import Case, CaseEvent, LanguagePreference, Notification
from hall.outbox.tasks import deliver_notification, deliver_notifications
from hall.platform.broker import broker_publish
from hall.platform.secret_box import SECRET_MASK, secret_seal


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
    secret: str = "",
    language: str | None = None,
) -> Notification | None:
    """Queue one message; a second call with the same key does nothing and returns None."""
    queued = notifications_queue(
        [
            notification_build(
                dedupe_key=dedupe_key,
                channel=channel,
                kind=kind,
                subject=subject,
                body=body,
                case=case,
                user=user,
                address=address,
                secret=secret,
                language=language,
            )
        ]
    )
    return queued[0] if queued else None


def notification_build(
    *,
    dedupe_key: str,
    channel: str,
    kind: str,
    subject: str,
    body: str,
    case: Case | None = None,
    user: User | None = None,
    user_id: int | None = None,
    address: str = "",
    secret: str = "",
    language: str | None = None,
) -> Notification:
    """An unsaved message row, for `notifications_queue`. `user_id` names the recipient when
    the caller has only the id (no read of the user). A `secret` in the body (a one-time
    code) is stored masked, and sealed beside it until it is sent.

    The subject and body are written in the recipient's `language` when the row is queued
    (`notifications_queue`): given here for an applicant (their `language`), otherwise the
    preference of the recipient user, otherwise Chinese — never the sender's."""
    sealed = ""
    if secret:
        body = in_language(body, language or settings.LANGUAGE_CODE)
        if secret not in body:
            raise ValueError("the secret is not in the message's body")
        body, sealed = body.replace(secret, SECRET_MASK), secret_seal(secret)
    message = Notification(
        dedupe_key=dedupe_key,
        channel=channel,
        kind=kind,
        subject=subject,
        body=body,
        sealed_secret=sealed,
        case=case,
        recipient_user=user,
        recipient_address=address,
    )
    if user is None and user_id is not None:
        message.recipient_user_id = user_id
    message.hall_language = language
    return message


def _written_in_recipients_language(notifications: Sequence[Notification]) -> None:
    """Write each message's subject and body in its recipient's language (one query for the
    users' preferences of the whole batch)."""
    wanted = {
        n.recipient_user_id
        for n in notifications
        if getattr(n, "hall_language", None) is None and n.recipient_user_id is not None
    }
    preferences = _languages_of(wanted) if wanted else {}
    for notification in notifications:
        language = (
            getattr(notification, "hall_language", None)
            or preferences.get(notification.recipient_user_id)
            or settings.LANGUAGE_CODE
        )
        notification.subject = in_language(notification.subject, language)[:200]
        notification.body = in_language(notification.body, language)


_LANGUAGES_SQL = (
    f"SELECT user_id, language FROM {LanguagePreference._meta.db_table} WHERE user_id = ANY(%s)"
)


def _languages_of(user_ids: set[int]) -> dict[int, str]:
    """The chosen languages of `user_ids` (those who chose one). One statement of fixed text on
    PostgreSQL: every action that tells someone asks this, and building the queryset cost more
    than running it."""
    if connection.vendor != "postgresql":
        rows = LanguagePreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "language"
        )
        return dict(rows)
    with connection.cursor() as cursor:
        cursor.execute(_LANGUAGES_SQL, [list(user_ids)])
        return dict(cursor.fetchall())


def notifications_queue(notifications: Sequence[Notification]) -> list[Notification]:
    """Insert the messages whose keys are new (one statement) and enqueue their delivery on
    commit (one callback). Returns the messages queued now."""
    _written_in_recipients_language(notifications)
    inserted = rows_insert_new(notifications, unique="dedupe_key")
    queued = [n for n in notifications if n.dedupe_key in inserted]
    to_send = [n.pk for n in queued if n.channel != Notification.Channel.INBOX]
    if to_send:
        transaction.on_commit(lambda: _enqueue_all(deliver_notification, to_send))
    return queued


BATCH_ENQUEUE_FROM = 5  # more messages than this from one transaction go as one task


def _enqueue_all(task, notification_ids: Sequence[int]) -> None:
    """One task per message for a human action's few; one task for a sweep's many (one
    broker round trip instead of hundreds, after the sweep's commit). With the broker down the
    rows stay pending and the periodic drain delivers them (hall.platform.broker)."""
    if len(notification_ids) <= BATCH_ENQUEUE_FROM:
        for notification_id in notification_ids:
            broker_publish(
                lambda n=notification_id: task.delay(n), what=f"notification {notification_id}"
            )
        return
    ids = list(notification_ids)
    broker_publish(lambda: deliver_notifications.delay(ids), what=f"{len(ids)} notifications")


def owner_message(*, case: Case, event: CaseEvent, subject: str, body: str) -> Notification:
    """The first-contact owner's inbox message about `event` (once per event), unsaved."""
    return notification_build(
        dedupe_key=f"event:{event.pk}:owner",
        channel=Notification.Channel.INBOX,
        kind=event.action,
        subject=subject,
        body=body,
        case=case,
        user_id=case.owner_id,
    )


def sms_queue(
    *,
    key: str,
    phone: str,
    kind: str,
    subject: str,
    body: str,
    case: Case | None = None,
    secret: str = "",
    language: str | None = None,
) -> Notification | None:
    """One SMS to `phone`, once per `key` (a second call does nothing and returns None). A
    `secret` in the body is never stored in clear (see `notification_build`). `language`: the
    recipient's, when the caller knows who they are (Chinese otherwise)."""
    return notification_queue(
        dedupe_key=key,
        channel=Notification.Channel.SMS,
        kind=kind,
        subject=subject,
        body=body,
        case=case,
        address=phone,
        secret=secret,
        language=language,
    )


def staff_notify(*, user: User, case: Case, key: str, kind: str, subject: str, body: str) -> None:
    messages_queue(
        [staff_message(user_id=user.pk, case=case, key=key, kind=kind, subject=subject, body=body)]
    )


def staff_message(
    *, user_id: int, case: Case | None, key: str, kind: str, subject: str, body: str
) -> Notification:
    """A staff member's inbox message about `key`, once per person, unsaved (`case` None: a
    message about several cases)."""
    return notification_build(
        dedupe_key=f"{key}:user:{user_id}",
        channel=Notification.Channel.INBOX,
        kind=kind,
        subject=subject,
        body=body,
        case=case,
        user_id=user_id,
    )


def applicant_notify(*, case: Case, key: str, kind: str, subject: str, body: str) -> None:
    """Tell the applicant by SMS, and by email when they gave an address; once per key."""
    messages_queue(applicant_messages(case=case, key=key, kind=kind, subject=subject, body=body))


# --- one statement for all the messages of one action -------------------------------------------

_pending: ContextVar[list[Notification] | None] = ContextVar("messages_pending", default=None)


def messages_queue(notifications: Sequence[Notification]) -> None:
    """Queue messages whose outcome the caller does not need: inside `messages_batch()` they
    are inserted with the batch's others when it ends, otherwise now."""
    pending = _pending.get()
    if pending is not None:
        pending.extend(notifications)
    else:
        notifications_queue(notifications)


@contextmanager
def messages_batch() -> Iterator[None]:
    """Collect the messages queued inside the block (`messages_queue`, `staff_notify`,
    `applicant_notify`) and insert them in one statement at its end, in the caller's
    transaction. A nested batch joins the outer one; an exception discards them with the
    transaction."""
    if _pending.get() is not None:
        yield
        return
    pending: list[Notification] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    notifications_queue(pending)


def applicant_messages(
    *, case: Case, key: str, kind: str, subject: str, body: str
) -> list[Notification]:
    """The applicant's messages about one thing (SMS, email if given, the portal inbox), unsaved:
    a sweep collects them for a whole batch and queues them in one statement."""
    applicant = case.applicant
    common = {
        "kind": kind,
        "subject": subject,
        "body": body,
        "case": case,
        "language": applicant.language,  # theirs, whoever acted
    }
    messages = [
        notification_build(
            dedupe_key=f"{key}:sms",
            channel=Notification.Channel.SMS,
            address=applicant.phone,
            **common,
        )
    ]
    if applicant.email:
        messages.append(
            notification_build(
                dedupe_key=f"{key}:email",
                channel=Notification.Channel.EMAIL,
                address=applicant.email,
                **common,
            )
        )
    if applicant.user_id:
        messages.append(
            notification_build(
                dedupe_key=f"{key}:inbox",
                channel=Notification.Channel.INBOX,
                user_id=applicant.user_id,  # the id is enough; no read of the user
                **common,
            )
        )
    return messages
