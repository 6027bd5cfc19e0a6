"""Reads of the front of house."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from hall.common.validators import normalize_id_number
from hall.models import Applicant, Case, CaseMaterial


def cases_owned_by(*, owner: User) -> QuerySet[Case]:
    """The first-contact owner's cases, referred ones included, followed to their end."""
    return (
        Case.objects.filter(owner=owner)
        .select_related("item", "applicant", "window")
        .order_by("status", "-created_at")
    )


def case_for_staff(*, receipt_no: str) -> Case | None:
    return (
        Case.objects.select_related("item", "applicant", "owner", "window", "agent")
        .filter(receipt_no=receipt_no)
        .first()
    )


def applicant_by_identity(*, identity: str) -> Applicant | None:
    value = normalize_id_number(identity)
    return Applicant.objects.filter(Q(id_number=value) | Q(uscc=value)).first()


def materials_editable(*, case: Case) -> list[CaseMaterial]:
    """What the window may check now: everything at first; once a correction notice was
    issued, only what the notices listed (the rest was accepted and is not asked for again)."""
    materials, editable = materials_with_editable(case=case)
    return [material for material in materials if material.pk in editable]


def materials_with_editable(*, case: Case) -> tuple[list[CaseMaterial], set[int]]:
    """All the case's materials and the ids of those the window may check now (see
    `materials_editable`), in one query."""
    materials = list(
        case.materials.annotate(
            listed=Count("corrections"),
            open_listed=Count("corrections", filter=Q(corrections__supplied_at__isnull=True)),
        )
    )
    if case.status == Case.Status.RECEIVED:
        listed = {material.pk for material in materials if material.listed}
        return materials, listed or {material.pk for material in materials}
    if case.status == Case.Status.AWAITING_CORRECTION:
        return materials, {material.pk for material in materials if material.open_listed}
    return materials, set()
