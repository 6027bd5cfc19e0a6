"""The one place a case's status changes.

Intake (hall.intake) and the approvals app (approvals.reviews) both move cases along; they do it
through `case_status_set`, which knows the lifecycle and refuses a move it does not contain, so a
case can never jump (say, from received straight to closed) because a caller forgot a check.

    received ──► awaiting_correction ──► received (the listed materials were brought)
       │ │ └──► not_accepted (Art. 32, closed)
       │ └────► referred ──► closed (the competent office's outcome is recorded)
       └──────► accepted ──► decided (Art. 42 decision) ──► closed (delivered)

A case awaiting correction may also be accepted (the sweep's deemed acceptance, Art. 32), not
accepted or referred.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hall.models import Case

Status = Case.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset(
        {Status.AWAITING_CORRECTION, Status.ACCEPTED, Status.NOT_ACCEPTED, Status.REFERRED}
    ),
    Status.AWAITING_CORRECTION: frozenset(
        {Status.RECEIVED, Status.ACCEPTED, Status.NOT_ACCEPTED, Status.REFERRED}
    ),
    Status.ACCEPTED: frozenset({Status.DECIDED}),
    Status.DECIDED: frozenset({Status.CLOSED}),
    Status.REFERRED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.NOT_ACCEPTED: frozenset(),
}


def case_status_set(*, case: Case, status: Case.Status, **fields: Any) -> Case:
    """Move `case` to `status`, set the other `fields` given, and save exactly those columns.

    The caller holds the case's row lock and has checked the business rule; this checks only
    that the lifecycle contains the move (a repeat of the same status is a caller's bug too).
    """
    if status not in TRANSITIONS[case.status]:
        raise ValidationError(
            _("办件状态不能从“%(old)s”变为“%(new)s”。")
            % {"old": Status(case.status).label, "new": Status(status).label}
        )
    case.status = status
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *fields, "updated_at"])
    return case
