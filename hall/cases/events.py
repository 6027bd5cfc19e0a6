"""The case event log: every action appends one row, in the transaction that made the change.

The log is append-only (an ORM guard and a PostgreSQL trigger refuse updates and deletes). An
action whose `CaseAction.tells_owner` is set also puts a message in the first-contact owner's
inbox, unless the owner made the change; that is the one side effect here, and the enum says
when it happens.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.models import Applicant, Case, CaseEvent
from hall.outbox.queue import owner_notify


def event_record(
    *,
    case: Case,
    action: CaseAction,
    actor: User | None = None,
    on_behalf_of: Applicant | None = None,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
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
    event.save(force_insert=True)
    if action.tells_owner and case.owner_id and case.owner_id != getattr(actor, "pk", None):
        subject, body = wording.owner_told(case=case, label=str(action.label))
        owner_notify(case=case, event=event, subject=subject, body=body)
    return event
