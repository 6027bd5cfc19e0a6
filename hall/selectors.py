"""Reads of the front of house."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from hall.models import Case


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
