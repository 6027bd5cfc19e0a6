"""Case events to machine clients' webhooks: signed CloudEvents through an outbox.

When case events are written, a delivery row is written beside them in the same transaction for
every active subscription that may see the case and asked for that kind of event (a platform:
the cases it filed; a department's system: cases with a step of its department; the supervision
system: every case). The rows are delivered after the commit and by a periodic sweep, so none is
lost while the broker or the receiver is down; a receiver that is down is retried with back-off
(30 s, 1, 2, 4 … minutes, at most an hour apart, for `MAX_ATTEMPTS`).

Each request is a CloudEvents 1.0 structured event (`application/cloudevents+json`) with the
headers of the Standard Webhooks specification: `webhook-id` (the event id, the same on every
retry), `webhook-timestamp` (Unix seconds), and `webhook-signature: v1,<base64 HMAC-SHA256 of
"<id>.<timestamp>.<body>">`, keyed with the base64-decoded part of the subscription's
`whsec_…` secret — so the reference libraries (`standardwebhooks` and its ports) verify it as it
is. During a secret's rotation the header carries a second signature, with the previous secret,
until the overlap ends. A receiver checks a signature and the timestamp's age, and dedupes on
the id.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Sequence

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from approvals.models import CaseStep
from hall.common.bulk import rows_insert_new
from hall.models import (
    ApiClient,
    CaseEvent,
    WebhookDelivery,
    WebhookSubscription,
    WorkOrder,
    WorkOrderEvent,
)
from hall.models.api import WEBHOOK_SECRET_PREFIX, webhook_secret_new
from hall.outbox.delivery import sending_stale_after
from hall.platform import egress
from hall.platform.broker import broker_publish

logger = logging.getLogger(__name__)
EventType = WebhookSubscription.EventType
Status = WebhookDelivery.Status
MAX_ATTEMPTS = 12
TIMEOUT_SECONDS = 10
# The case actions each subscribable event stands for.
EVENT_TYPES_BY_ACTION = {
    "accepted": EventType.ACCEPTED,
    "deemed_accepted": EventType.ACCEPTED,
    "correction_requested": EventType.CORRECTION_REQUESTED,
    "correction_asked_by_department": EventType.CORRECTION_REQUESTED,
    "review_decided": EventType.STEP_DECIDED,
    "review_deemed": EventType.DEEMED_APPROVED,
    "decided": EventType.DECIDED,
    "delivered": EventType.DELIVERED,
    "warning": EventType.WARNING_RAISED,
}
CLOUDEVENT_TYPE_PREFIX = "cn.gov.hall.case."
ORDER_CLOUDEVENT_TYPE_PREFIX = "cn.gov.hall.order."
# The work-order actions that go back to the platform that sent the order.
ORDER_EVENT_TYPES = {
    "replied": EventType.ORDER_REPLIED,
    "extension_requested": EventType.ORDER_EXTENSION_REQUESTED,
    "closed": EventType.ORDER_CLOSED,
}
DELIVER_TASK = "hall.tasks.deliver_webhooks"

# Subscriptions change rarely and every case action asks: a process keeps them for a few
# seconds instead of querying on every action (a change takes effect within that time). That is
# safe because subscriptions and clients are never deleted, only switched off (the admin offers
# no delete), so a kept subscription always still exists.
_CACHE_SECONDS = 10.0
_cache: tuple[float, list[WebhookSubscription]] = (0.0, [])


def _subscriptions() -> list[WebhookSubscription]:
    global _cache
    loaded_at, subscriptions = _cache
    if time.monotonic() - loaded_at > _CACHE_SECONDS:
        subscriptions = list(
            WebhookSubscription.objects.filter(is_active=True, client__is_active=True)
            .select_related("client")
            .order_by("pk")
        )
        _cache = (time.monotonic(), subscriptions)
    return subscriptions


def subscriptions_forget() -> None:
    """Drop the process's copy (tests, and the admin after a change)."""
    global _cache
    _cache = (0.0, [])


def _may_see(client: ApiClient, case_id: int, filed_by_id: int | None, departments) -> bool:
    if client.has_scope(ApiClient.Scope.SUPERVISION_READ):
        return True
    if client.has_scope(ApiClient.Scope.CASES_READ) and filed_by_id == client.pk:
        return True
    return (
        client.has_scope(ApiClient.Scope.STEPS_ACT)
        and client.department_id is not None
        and (case_id, client.department_id) in departments
    )


def cloudevent(event: CaseEvent, event_type: str) -> dict:
    case = event.case
    return {
        "specversion": "1.0",
        "id": f"hall-case-event-{event.pk}",
        "source": f"{settings.HALL_PUBLIC_URL}/api/v1/cases/{case.receipt_no}/",
        "type": f"{CLOUDEVENT_TYPE_PREFIX}{event_type}",
        "subject": case.receipt_no,
        "time": timezone.localtime(event.at).isoformat(),
        "datacontenttype": "application/json",
        "data": {
            "receipt_no": case.receipt_no,
            "action": event.action,
            "case_status": case.status,
        },
    }


def webhook_deliveries_queue(events: Sequence[CaseEvent]) -> None:
    """Write the delivery rows for just-written events (in the caller's transaction) and
    publish their delivery after the commit."""
    subscriptions = _subscriptions()
    typed = [
        (e, EVENT_TYPES_BY_ACTION[e.action]) for e in events if e.action in EVENT_TYPES_BY_ACTION
    ]
    if not subscriptions or not typed:
        return
    case_ids = {event.case_id for event, _type in typed}
    departments: set[tuple[int, int]] = set()
    subscribed_departments = {
        s.client.department_id for s in subscriptions if s.client.department_id
    }
    if subscribed_departments:
        departments = set(
            CaseStep.objects.filter(
                case_id__in=case_ids, department_id__in=subscribed_departments
            ).values_list("case_id", "department_id")
        )
    rows = []
    for event, event_type in typed:
        for subscription in subscriptions:
            if event_type not in (subscription.event_types or []):
                continue
            case = event.case
            if not _may_see(subscription.client, case.pk, case.filed_by_client_id, departments):
                continue
            rows.append(
                WebhookDelivery(
                    subscription=subscription,
                    dedupe_key=f"{subscription.pk}:{event.pk}",
                    event_type=event_type,
                    payload=cloudevent(event, event_type),
                    next_attempt_at=timezone.now(),
                )
            )
    inserted = rows_insert_new(rows, unique="dedupe_key")
    if inserted:
        ids = sorted(inserted.values())
        # by name: the task module imports this one
        transaction.on_commit(
            lambda: broker_publish(
                lambda: current_app.send_task(DELIVER_TASK, args=[ids], ignore_result=True),
                what=f"{len(ids)} webhook deliveries",
            )
        )


def order_cloudevent(order: WorkOrder, event: WorkOrderEvent, event_type: str) -> dict:
    data = {
        "number": order.number,
        "external_no": order.external_no,
        "status": order.status,
        "due_at": timezone.localtime(order.due_at).isoformat(),
        "reopen_count": order.reopen_count,
    }
    if event_type == EventType.ORDER_REPLIED:
        data["reply"] = order.reply
    elif event_type == EventType.ORDER_EXTENSION_REQUESTED:
        data["extension_days"] = order.extension_days
        data["extension_reason"] = order.extension_reason
    elif event_type == EventType.ORDER_CLOSED:
        data["closed_late"] = order.closed_late
    return {
        "specversion": "1.0",
        "id": f"hall-order-event-{event.pk}",
        "source": f"{settings.HALL_PUBLIC_URL}/api/v1/work-orders/{order.number}/",
        "type": f"{ORDER_CLOUDEVENT_TYPE_PREFIX}{event_type}",
        "subject": order.external_no or order.number,
        "time": timezone.localtime(event.at).isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


def order_webhooks_queue(*, order: WorkOrder, event: WorkOrderEvent) -> None:
    """Tell the platform that sent `order` of its answer, an extension request or its closing
    (idempotent: one delivery per subscription and event), after the commit."""
    event_type = ORDER_EVENT_TYPES.get(event.action)
    if event_type is None or order.source_client_id is None:
        return
    rows = [
        WebhookDelivery(
            subscription=subscription,
            dedupe_key=f"{subscription.pk}:order:{event.pk}",
            event_type=event_type,
            payload=order_cloudevent(order, event, event_type),
            next_attempt_at=timezone.now(),
        )
        for subscription in _subscriptions()
        if subscription.client_id == order.source_client_id
        and event_type in (subscription.event_types or [])
    ]
    inserted = rows_insert_new(rows, unique="dedupe_key")
    if inserted:
        ids = sorted(inserted.values())
        transaction.on_commit(
            lambda: broker_publish(
                lambda: current_app.send_task(DELIVER_TASK, args=[ids], ignore_result=True),
                what=f"{len(ids)} webhook deliveries",
            )
        )


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One Standard Webhooks signature: the key is the base64 after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signatures(
    *, subscription: WebhookSubscription, message_id: str, timestamp: int, body: bytes
) -> str:
    """The `webhook-signature` header: the current secret's signature, and the previous
    secret's while a rotation's overlap lasts (space-separated, as the specification allows)."""
    signed = [
        signature(secret=subscription.secret, message_id=message_id, timestamp=timestamp, body=body)
    ]
    if subscription.previous_secret and (
        subscription.previous_secret_until is not None
        and subscription.previous_secret_until > timezone.now()
    ):
        signed.append(
            signature(
                secret=subscription.previous_secret,
                message_id=message_id,
                timestamp=timestamp,
                body=body,
            )
        )
    return " ".join(signed)


def webhook_secret_rotate(
    *, subscription: WebhookSubscription, overlap: datetime.timedelta | None = None
) -> WebhookSubscription:
    """A new secret from now; the old one signs too until the overlap ends (default
    `HALL_WEBHOOK_SECRET_OVERLAP_HOURS`), so the receiver can switch without a lost delivery."""
    overlap = overlap or datetime.timedelta(hours=settings.HALL_WEBHOOK_SECRET_OVERLAP_HOURS)
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_until = timezone.now() + overlap
        locked.secret = webhook_secret_new()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    subscriptions_forget()
    return locked


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def webhook_deliver(*, delivery_id: int) -> bool:
    """Send one due delivery. True if the receiver took it (2xx). The attempt is recorded
    before the request; the answer after it."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(
                Q(status=Status.PENDING, next_attempt_at__lte=now)
                | Q(status=Status.SENDING, attempted_at__lt=now - sending_stale_after()),
                pk=delivery_id,
            )
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        delivery.status = Status.SENDING
        delivery.attempted_at = now
        delivery.save(update_fields=["attempts", "status", "attempted_at"])
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    message_id = delivery.payload["id"]
    headers = {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures(
            subscription=subscription, message_id=message_id, timestamp=timestamp, body=body
        ),
        "User-Agent": "SeamlessHall-Webhooks/1",
    }
    status_code, error = None, ""
    try:
        answer = egress.post(subscription.url, body=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except egress.EgressRefused as refused:
        error = f"refused: {refused}"
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    else:
        status_code = answer.status
        if 300 <= answer.status < 400:  # never followed: it could point inside the hall
            error = f"HTTP {answer.status} redirect to {answer.location[:200]} not followed"
        elif not 200 <= answer.status < 300:
            error = f"HTTP {answer.status}"
    delivered = status_code is not None and 200 <= status_code < 300
    if delivered:
        fields = {"status": Status.SENT, "delivered_at": timezone.now(), "last_error": ""}
    elif delivery.attempts >= MAX_ATTEMPTS:
        fields = {"status": Status.FAILED, "last_error": error[:300]}
    else:
        fields = {
            "status": Status.PENDING,
            "next_attempt_at": timezone.now() + _backoff(delivery.attempts),
            "last_error": error[:300],
        }
    WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        last_status_code=status_code, **fields
    )
    # how long the receiver has been failing (hall.api.subscriptions tells people and pauses)
    if delivered:
        WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=False).update(
            failing_since=None
        )
    else:
        WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=True).update(
            failing_since=now
        )
    return delivered


def webhooks_deliver_due(*, batch: int = 200) -> int:
    """The periodic sweep: every delivery that is due (and those left "sending" by a delivery
    that died), oldest first. Returns how many were delivered."""
    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            Q(status=Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, attempted_at__lt=now - sending_stale_after())
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(webhook_deliver(delivery_id=pk) for pk in due)
