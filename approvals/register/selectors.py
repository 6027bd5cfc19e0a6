"""Reads of the public register: grant decisions, newest first, searchable and paged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from hall.models import Applicant, Notice

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 50


@dataclass(frozen=True)
class GrantEntry:
    item: str
    item_code: str
    holder: str
    number: str
    decided_on: datetime.date
    valid_until: datetime.date | None  # None: valid without a time limit
    # Art. 69: a grant revoked afterwards stays in the register, marked revoked
    # (the reason is the applicant's to read, in the lookup and the portal, not the public's)
    revoked_on: datetime.date | None = None
    revocation_basis: str = ""

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_on else "valid"


def holder_public_name(applicant: Applicant) -> str:
    """An enterprise is published by name; a person by the family name only (张**), so the
    register names no private individual."""
    if applicant.kind == Applicant.Kind.ENTERPRISE:
        return applicant.name
    name = applicant.name.strip()
    return f"{name[:1]}{'*' * max(len(name) - 1, 1)}" if name else "*"


def _valid_until(decided_on: datetime.date, years: int | None) -> datetime.date | None:
    if not years:
        return None
    try:
        end = decided_on.replace(year=decided_on.year + years)
    except ValueError:  # 29 February in a year without one
        end = decided_on.replace(year=decided_on.year + years, day=28)
    return end - datetime.timedelta(days=1)


def grants_page(*, query: str = "", page: int | str = 1) -> tuple[Page, list[GrantEntry]]:
    """One page of grant decisions. The query matches the item's name or code, an enterprise
    holder's name, or the decision number; a person's name is never searchable."""
    notices = Notice.objects.filter(kind=Notice.Kind.GRANT)
    query = query.strip()[:QUERY_MAX_LENGTH]
    if query:
        notices = notices.filter(
            Q(case__item__name__icontains=query)
            | Q(case__item__code__icontains=query)
            | Q(number__icontains=query)
            | Q(
                case__applicant__kind=Applicant.Kind.ENTERPRISE,
                case__applicant__name__icontains=query,
            )
        )
    notices = notices.select_related("case__item", "case__applicant", "case__decision").order_by(
        "-issued_at", "-pk"
    )
    paged = Paginator(
        notices.only(
            "number",
            "issued_at",
            "case__item__name",
            "case__item__code",
            "case__item__licence_validity_years",
            "case__applicant__kind",
            "case__applicant__name",
            "case__decision__revoked_at",
            "case__decision__revocation_basis",
        ),
        PAGE_SIZE,
    ).get_page(page)
    entries = []
    for notice in paged.object_list:
        decided_on = timezone.localdate(notice.issued_at)
        decision = getattr(notice.case, "decision", None)
        revoked_at = decision.revoked_at if decision is not None else None
        entries.append(
            GrantEntry(
                item=notice.case.item.name,
                item_code=notice.case.item.code,
                holder=holder_public_name(notice.case.applicant),
                number=notice.number,
                decided_on=decided_on,
                valid_until=_valid_until(decided_on, notice.case.item.licence_validity_years),
                revoked_on=timezone.localdate(revoked_at) if revoked_at else None,
                revocation_basis=decision.revocation_basis if revoked_at else "",
            )
        )
    return paged, entries
