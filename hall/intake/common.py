"""What the intake services share: the Art. 32 five-day limit, the material marks, the one-time
rule's error, and the case row lock."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File

from hall.models import (
    Case,
)

INTAKE_WORKING_DAYS = 5  # Art. 32: accept or notify once within 5 working days


class OneTimeNotificationError(ValidationError):
    """A second correction notice asked for something the first did not list."""


@dataclass(frozen=True)
class MaterialMark:
    status: str
    reason: str = ""
    scan: File | None = None


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "applicant", "owner")
        .get(pk=case.pk)
    )
