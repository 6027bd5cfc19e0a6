"""Reads of the access log and of who may see a case's personal data."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from approvals.models import CaseStep
from hall.models import Applicant, Case, PersonalDataAccess


def accesses_of(*, applicant: Applicant) -> QuerySet[PersonalDataAccess]:
    """Every recorded look by staff at this applicant's data, newest first."""
    return PersonalDataAccess.objects.filter(applicant_id=applicant.pk).order_by("-at", "-pk")


def staff_names_shown() -> bool:
    """Whether the applicant sees a looker's name, or only their role and department (the
    hall's policy, `HALL_ACCESS_LOG_SHOWS_NAMES`)."""
    return bool(getattr(settings, "HALL_ACCESS_LOG_SHOWS_NAMES", False))


def case_for_reveal(*, user: AbstractBaseUser, receipt_no: str) -> Case | None:
    """The case if this member of staff handles it: any window clerk or supervisor (一窗受理:
    every window takes every case; supervision sees all), an officer whose department has a step
    on it, the agent assigned to it. None otherwise, so the answer is the same as for a receipt
    number that does not exist."""
    case = Case.objects.select_related("applicant", "item").filter(receipt_no=receipt_no).first()
    if case is None or not user.is_authenticated:
        return None
    if user.has_perm("hall.use_workbench") or user.has_perm("hall.view_supervision"):
        return case
    if user.has_perm("hall.act_as_agent") and case.agent_id == user.pk:
        return case
    officer = getattr(user, "officer", None) if user.has_perm("hall.use_officer_desk") else None
    if (
        officer is not None
        and CaseStep.objects.filter(case=case, department_id=officer.department_id).exists()
    ):
        return case
    return None
