"""Reads of 免申即享: a person's offers, a department's benefits with their lists."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet

from approvals.catalogue.selectors import item_current_by_code
from approvals.models import Benefit
from hall.models import Applicant, BenefitBatch, BenefitOffer


def offers_of_applicant(*, applicant: Applicant) -> QuerySet[BenefitOffer]:
    return (
        BenefitOffer.objects.filter(applicant=applicant)
        .select_related("benefit", "case")
        .order_by("-offered_at")
    )


def offers_waiting_count(*, applicant: Applicant) -> int:
    return BenefitOffer.objects.filter(
        applicant=applicant, status=BenefitOffer.Status.OFFERED
    ).count()


def benefits_of_department(*, officer: User) -> list[dict]:
    """The benefits whose item the officer's department leads, with their offers by status."""
    department_id = getattr(getattr(officer, "officer", None), "department_id", None)
    rows = []
    for benefit in Benefit.objects.order_by("code"):
        item = item_current_by_code(code=benefit.item_code)
        if item is None or item.lead_department_id != department_id:
            continue
        counts = dict(
            BenefitOffer.objects.filter(benefit=benefit)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        rows.append({"benefit": benefit, "item": item, "counts": counts})
    return rows


def benefit_of_department(*, officer: User, code: str) -> dict | None:
    return next(
        (row for row in benefits_of_department(officer=officer) if row["benefit"].code == code),
        None,
    )


def offers_to_confirm(*, benefit: Benefit) -> QuerySet[BenefitOffer]:
    return (
        BenefitOffer.objects.filter(benefit=benefit, status=BenefitOffer.Status.CONFIRMED)
        .select_related("applicant")
        .order_by("pk")
    )


def batches_of(*, benefit: Benefit) -> QuerySet[BenefitBatch]:
    return (
        BenefitBatch.objects.filter(benefit=benefit)
        .select_related("decided_by")
        .order_by("-number")
    )
