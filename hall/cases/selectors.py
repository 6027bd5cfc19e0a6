"""Reads of the front of house."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hall.cases.actions import CaseAction
from hall.common.people import display_name
from hall.common.validators import normalize_id_number
from hall.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseGroup,
    CaseMaterial,
    Clerk,
    CreditMark,
    InstantApproval,
    Notice,
    Window,
)


def cases_owned_by(*, owner: User) -> QuerySet[Case]:
    """The first-contact owner's cases, referred ones included, followed to their end."""
    return (
        Case.objects.filter(owner=owner)
        .select_related("item", "applicant", "window")
        .order_by("status", "-created_at")
    )


def case_rows_owned_by(*, owner: User) -> QuerySet:
    """`cases_owned_by` as the window's case table shows it: named rows of the receipt number,
    status, the two limits, the item's and the applicant's names. Rows, not model instances: a
    hundred and fifty instances a workbench page were a third of its case table (issue 27); the
    applicant's and the case's sealed columns stay unread (each would be decrypted for nothing)."""
    return (
        Case.objects.filter(owner=owner)
        .order_by("status", "-created_at")
        .values_list(
            "receipt_no", "status", "intake_due_date", "promised_due_date",
            "item__name", "applicant__name", named=True,
        )
    )  # fmt: skip


def clerk_window(*, user: User) -> Window | None:
    """The window the clerk sits at now (one query), or None."""
    clerk = Clerk.objects.select_related("window").filter(user=user).first()
    return clerk.window if clerk else None


def case_for_staff(*, receipt_no: str) -> Case | None:
    return (
        Case.objects.select_related("item", "applicant", "owner", "window", "agent")
        .filter(receipt_no=receipt_no)
        .first()
    )


def case_notices(*, case: Case) -> QuerySet[Notice]:
    """The case's notices, with those of its whole 一件事 application (one acceptance notice,
    at most one correction notice, issued on the group's first case)."""
    if case.group_id is None:
        return Notice.objects.filter(case_id=case.pk)
    return Notice.objects.filter(Q(case_id=case.pk) | Q(group_id=case.group_id))


def case_notice(*, case: Case, notice_id: int) -> Notice | None:
    """One notice of the case (or of its application), for its PDF or print view."""
    return case_notices(case=case).filter(pk=notice_id).select_related("case").first()


@dataclass(frozen=True)
class ApplicationItem:
    receipt_no: str
    item_name: str
    department: str
    status: str
    status_label: str
    promised_due_date: datetime.date | None
    done: bool


@dataclass(frozen=True)
class ApplicationStatus:
    """一件事 in one place: the application's items, their states and dates, how many are done
    and the latest promised date (when the whole application is due)."""

    group_id: int
    bundle_name: str
    lead_department: str
    owner_name: str
    deliver_together: bool
    items: list[ApplicationItem]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def promised_due_date(self) -> datetime.date | None:
        dates = [item.promised_due_date for item in self.items if item.promised_due_date]
        return max(dates) if dates else None

    @property
    def receipt_nos(self) -> list[str]:
        return [item.receipt_no for item in self.items]


# An item of a 一件事 application with these states has nothing more to wait for (its results
# can go out together; it counts as done in the application's status).
APPLICATION_ITEM_DONE = (
    Case.Status.DECIDED,
    Case.Status.CLOSED,
    Case.Status.NOT_ACCEPTED,
    Case.Status.REFERRED,
)


def application_status(*, group_id: int) -> ApplicationStatus | None:
    """The whole application of a group in two queries (the group, its cases)."""
    group = (
        CaseGroup.objects.select_related("bundle", "lead_department").filter(pk=group_id).first()
    )
    if group is None:
        return None
    cases = list(
        Case.objects.filter(group_id=group_id)
        .select_related("item__lead_department", "owner")
        .order_by("pk")
    )
    owner = next((case.owner for case in cases if case.owner_id), None)
    return ApplicationStatus(
        group_id=group.pk,
        bundle_name=group.bundle.name,
        lead_department=group.lead_department.label if group.lead_department_id else "",
        owner_name=display_name(owner) if owner else "",
        deliver_together=group.deliver_together,
        items=[
            ApplicationItem(
                receipt_no=case.receipt_no,
                item_name=case.item.name,
                department=case.item.lead_department.label,
                status=case.status,
                status_label=str(case.get_status_display()),
                promised_due_date=case.promised_due_date,
                done=case.status in APPLICATION_ITEM_DONE,
            )
            for case in cases
        ],
    )


def applicant_by_identity(*, identity: str) -> Applicant | None:
    value = normalize_id_number(identity)
    return Applicant.objects.filter(Q(**Applicant.id_number_lookup(value)) | Q(uscc=value)).first()


def materials_editable(*, case: Case) -> list[CaseMaterial]:
    """What the window may check now: everything at first; once a correction notice was
    issued, only what the notices listed (the rest was accepted and is not asked for again)."""
    materials, editable = materials_with_editable(case=case)
    return [material for material in materials if material.pk in editable]


def materials_with_editable(*, case: Case) -> tuple[list[CaseMaterial], set[int]]:
    """All the case's materials and the ids of those the window may check now (see
    `materials_editable`), in one query."""
    materials = list(
        case.materials.select_related("licence", "requirement").annotate(
            listed=Count("corrections"),
            open_listed=Count("corrections", filter=Q(corrections__supplied_at__isnull=True)),
        )
    )
    if case.status == Case.Status.RECEIVED:
        listed = {material.pk for material in materials if material.listed}
        # a material taken from the licence library (免证办) is not the window's to check, unless
        # its licence no longer holds (revoked or expired since it was taken)
        today = timezone.localdate()
        return materials, listed or {
            m.pk
            for m in materials
            if m.licence_id is None
            or not m.licence.holds_for(holder_id=case.applicant_id, on=today)
        }
    if case.status == Case.Status.AWAITING_CORRECTION:
        return materials, {material.pk for material in materials if material.open_listed}
    return materials, set()


def cases_filed_by(
    *,
    client_id: int,
    status: str | None = None,
    item_code: str | None = None,
    department_code: str | None = None,
    created_after: datetime.date | None = None,
    created_before: datetime.date | None = None,
) -> QuerySet[Case]:
    """The cases an API client filed, narrowed by the filters given (dates are the hall's days:
    `created_after` inclusive, `created_before` exclusive)."""
    cases = Case.objects.select_related("item", "decision").filter(filed_by_client_id=client_id)
    if status:
        cases = cases.filter(status=status)
    if item_code:
        cases = cases.filter(item__code=item_code)
    if department_code:
        cases = cases.filter(item__lead_department__code=department_code)
    if created_after:
        cases = cases.filter(created_at__date__gte=created_after)
    if created_before:
        cases = cases.filter(created_at__date__lt=created_before)
    return cases


def case_filed_by(*, client_id: int, receipt_no: str) -> Case | None:
    """The case with this receipt number, only if this API client filed it."""
    return cases_filed_by(client_id=client_id).filter(receipt_no=receipt_no).first()


@dataclass(frozen=True)
class InstantOutcome:
    granted: bool
    failed: str = ""  # the condition that failed, as the rules say it


def case_instant_outcome(case: Case) -> InstantOutcome:
    """Whether the system granted the case instantly (秒批), or which condition failed."""
    if InstantApproval.objects.filter(case=case).exists():
        return InstantOutcome(True)
    declined = (
        CaseEvent.objects.filter(case=case, action=CaseAction.INSTANT_DECLINED)
        .order_by("-at")
        .values_list("details", flat=True)
        .first()
    )
    return InstantOutcome(False, (declined or {}).get("condition", ""))


def applicant_credit_marked(*, applicant_id: int) -> bool:
    """Whether the applicant has an open credit mark (it bars 容缺 and clean-record rules)."""
    return CreditMark.objects.filter(applicant_id=applicant_id, cleared_at__isnull=True).exists()


# 长辈版's short path (issue 32) lists the services people file most; what counts is the cases
# filed over this window, at the window and online alike.
MOST_FILED_DAYS = 90
MOST_FILED_CACHE_SECONDS = 6 * 3600
# how many services 长辈版's short lists show (the guide, the portal's filing, the kiosk)
ELDER_SHORT_LIST = 6
# enough that a page choosing among some items only (a person's, not a company's) finds its own
MOST_FILED_KEPT = 50


def item_codes_most_filed(*, today: datetime.date) -> list[str]:
    """The item codes with the most cases filed in the MOST_FILED_DAYS up to `today`, most first
    (ties by code), at most MOST_FILED_KEPT. Kept in the cache for the day: 长辈版 adds no query to
    a page but this one, once per cache and day."""
    key = f"cases:most-filed:{today.isoformat()}"
    codes = cache.get(key)
    if codes is None:
        since = datetime.datetime.combine(
            today - datetime.timedelta(days=MOST_FILED_DAYS),
            datetime.time.min,
            tzinfo=timezone.get_current_timezone(),
        )
        codes = list(
            Case.objects.filter(created_at__gte=since)
            .values("item__code")
            .annotate(filed=Count("id"))
            .order_by("-filed", "item__code")
            .values_list("item__code", flat=True)[:MOST_FILED_KEPT]
        )
        cache.set(key, codes, MOST_FILED_CACHE_SECONDS)
    return codes


def items_most_filed(items: list, *, today: datetime.date, limit: int) -> list:
    """Of `items` (already read, e.g. the catalogue or what an applicant may file), the `limit`
    filed most lately, most first; a hall with too few filings fills up with the rest in their
    given order, so the short list is never empty while there are items."""
    by_code = {item.code: item for item in items}
    filed = item_codes_most_filed(today=today)
    chosen = [by_code[code] for code in filed if code in by_code][:limit]
    if len(chosen) < limit:
        taken = {item.code for item in chosen}
        chosen += [item for item in items if item.code not in taken][: limit - len(chosen)]
    return chosen
