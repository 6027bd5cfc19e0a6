"""Reads for 亲友代办: a person's authorisations either way and the items one may name."""

from __future__ import annotations

from django.db.models import QuerySet

from approvals.catalogue.selectors import items_current
from approvals.models import ServiceItem
from hall.models import Applicant, ProxyAuthorisation

# An authorisation runs for at most a year; the applicant renews it (or not) after that.
MAX_PERIOD_DAYS = 366


def proxy_item_choices() -> list[tuple[str, str]]:
    """(code, name) of the items in force that a person may apply for, by code: what an
    authorisation may name."""
    rows = (
        items_current()
        .filter(
            applicant_type__in=[ServiceItem.ApplicantType.ANY, ServiceItem.ApplicantType.PERSON]
        )
        .order_by("code")
        .values_list("code", "name")
    )
    return list(dict(rows).items())


def authorisations_as_proxy(*, applicant: Applicant) -> QuerySet[ProxyAuthorisation]:
    return (
        ProxyAuthorisation.objects.filter(proxy=applicant)
        .select_related("principal", "case__item")
        .order_by("-confirmed_at")
    )


def authorisations_as_principal(*, applicant: Applicant) -> QuerySet[ProxyAuthorisation]:
    return (
        ProxyAuthorisation.objects.filter(principal=applicant)
        .select_related("proxy", "case__item")
        .order_by("-confirmed_at")
    )
