"""The case event log: every action appends one row, in the transaction that made the change.

The log is append-only (an ORM guard and a PostgreSQL trigger refuse updates and deletes). An
action whose `CaseAction.tells_owner` is set also puts a message in the first-contact owner's
inbox, unless the owner made the change; that is the one side effect here, and the enum says
when it happens.

Inside `events_batch()` the rows are collected and written when the block ends: all events in
one INSERT, and all messages of the block (the owners', and every other queued through
`hall.outbox.queue.messages_queue`) in one more. One human action, a workflow start that opens
five department steps, or a sweep batch that deems a hundred, writes its log and its messages
in two statements. The rows are still written in the caller's transaction, before it commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.common.bulk import rows_insert
from hall.models import Applicant, Case, CaseEvent, Notification
from hall.outbox.queue import messages_batch, messages_queue, owner_message
from hall.outbox.webhooks import webhook_deliveries_queue

_pending: ContextVar[list[CaseEvent] | None] = ContextVar("case_events_pending", default=None)


def event_record(
    *,
    case: Case,
    action: CaseAction,
    actor: User | None = None,
    on_behalf_of: Applicant | None = None,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one event (and the owner's message when the action tells the owner). Inside
    `events_batch()` the row is written when the batch ends and has no id until then."""
    if not isinstance(action, CaseAction):
        raise TypeError(f"event_record takes a CaseAction, not {action!r}")
    event = CaseEvent(
        case=case,
        at=timezone.now(),
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        details=details or {},
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
        return event
    event.save(force_insert=True)
    messages_queue(_owner_messages([event]))
    webhook_deliveries_queue([event])
    return event


@contextmanager
def events_batch() -> Iterator[None]:
    """Collect the events recorded inside the block and write them together at its end. A
    nested batch joins the outer one; an exception discards them with the transaction."""
    if _pending.get() is not None:
        yield
        return
    pending: list[CaseEvent] = []
    with messages_batch():
        token = _pending.set(pending)
        try:
            yield
        finally:
            _pending.reset(token)
        events_write(pending)


def events_write(events: list[CaseEvent]) -> None:
    """Insert `events` in one statement; their owners' messages go with the batch's others."""
    if not events:
        return
    rows_insert(events)
    messages_queue(_owner_messages(events))
    webhook_deliveries_queue(events)


def _owner_messages(events: list[CaseEvent]) -> list[Notification]:
    messages = []
    labels: dict[str, str] = {}  # a batch's events share a few actions
    for event in events:
        action, case = CaseAction(event.action), event.case
        if action.tells_owner and case.owner_id and case.owner_id != event.actor_id:
            label = labels.get(action)
            if label is None:
                label = labels[action] = str(action.label)
            subject, body = wording.owner_told(case=case, label=label)
            messages.append(owner_message(case=case, event=event, subject=subject, body=body))
    return messages
