"""Reads for supervision (电子监察)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.utils import timezone

from hall.models import Case, CaseEvent, Notice


def cases_by_status() -> list[dict]:
    labels = dict(Case.Status.choices)
    rows = Case.objects.values("status").annotate(total=Count("pk")).order_by("status")
    return [{"status": labels[row["status"]], "total": row["total"]} for row in rows]


def one_time_breaches(*, limit: int = 50) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(one_time_override_by__isnull=False)
        .select_related("case", "case__item", "one_time_override_by", "issued_by")
        .order_by("-issued_at")[:limit]
    )


def deemed_acceptances(*, limit: int = 50) -> QuerySet[Case]:
    return (
        Case.objects.filter(deemed_accepted=True)
        .select_related("item", "owner", "window")
        .order_by("-accepted_at")[:limit]
    )


def intake_decisions_due(*, limit: int = 50) -> QuerySet[Case]:
    """Cases still waiting for the Art. 32 intake decision, soonest first."""
    return (
        Case.objects.filter(status=Case.Status.RECEIVED, intake_due_date__isnull=False)
        .select_related("item", "owner", "window")
        .order_by("intake_due_date")[:limit]
    )


def case_history(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "on_behalf_of").order_by("at", "pk")


def clerks() -> QuerySet[User]:
    return User.objects.filter(groups__name="clerk", is_active=True).order_by("username")


def today():
    return timezone.localdate()
