"""Small worlds for the supervision tests: departments with staff, cases built through the
services, and dates set afterwards by updating the rows (the figures read only those columns).

Times are Asia/Shanghai. `at(2026, 10, 9, 10)` is 10:00 on 9 October 2026 in Shanghai.
"""

from __future__ import annotations

import datetime
import uuid
from itertools import count

from approvals.clock.deadlines import SHANGHAI
from approvals.models import CaseDecision, CaseStep
from departments.models import Department
from hall.models import Applicant, Case
from tests.approvals.workflow_helpers import department_with_staff
from tests.factories import PersonFactory, ServiceItemFactory

_receipts = count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def day(year: int, month: int, day_: int) -> datetime.date:
    return datetime.date(year, month, day_)


def departments(roles, *names: str, start: int = 0) -> list[Department]:
    """Departments with a head (科长) and an officer (科员) each; codes S0, S1, … (from `start`)."""
    return [
        department_with_staff(f"S{index}", name, roles)
        for index, name in enumerate(names, start=start)
    ]


def applicant() -> Applicant:
    existing = Applicant.objects.filter(
        **Applicant.id_number_lookup(PersonFactory.id_number)
    ).first()
    return existing or PersonFactory()


def bare_case(*, item=None, owner=None, **fields) -> Case:
    """A case row without the intake services, for figures that read only its dates."""
    item = item or ServiceItemFactory()
    number = next(_receipts)
    defaults = {
        "receipt_no": f"T{number:08d}",
        "verification_code": "000000",
        "submission_key": uuid.uuid4(),
        "applicant": applicant(),
        "item": item,
        "channel": Case.Channel.WINDOW,
        "owner": owner,
        "materials_received_at": at(2026, 10, 1),
    }
    defaults.update(fields)
    return Case.objects.create(**defaults)


def set_step(step: CaseStep, **fields) -> CaseStep:
    CaseStep.objects.filter(pk=step.pk).update(**fields)
    step.refresh_from_db()
    return step


def decide_row(case: Case, *, decided_at: datetime.datetime, decision: str = "grant") -> None:
    CaseDecision.objects.update_or_create(
        case=case, defaults={"decision": decision, "decided_at": decided_at}
    )
