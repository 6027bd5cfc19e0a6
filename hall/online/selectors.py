"""Reads of the online hall: an applicant's cases, items and uploads, the online-intake queues,
and who may see an uploaded file."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F, QuerySet

from approvals.catalogue.selectors import bundle_current_items, items_current
from approvals.models import Bundle, CaseStep, ServiceItem
from hall.models import Applicant, Case, CaseMaterial, ProxyAuthorisation, UploadedMaterial


def applicant_for(*, user: User) -> Applicant | None:
    if not user.is_authenticated:
        return None
    return Applicant.objects.filter(user=user).first()


def online_items_for(*, applicant: Applicant) -> QuerySet[ServiceItem]:
    """Items in force that may be filed online by this kind of applicant."""
    return (
        items_current()
        .filter(
            online_filing=True, applicant_type__in=[ServiceItem.ApplicantType.ANY, applicant.kind]
        )
        .select_related("lead_department")
    )


def online_bundles_for(*, applicant: Applicant) -> list[tuple[Bundle, list[ServiceItem]]]:
    """Bundles whose every current item may be filed online by this applicant."""
    allowed = set(online_items_for(applicant=applicant).values_list("pk", flat=True))
    result = []
    for bundle in Bundle.objects.order_by("code"):
        items = bundle_current_items(bundle=bundle)
        if items and all(item.pk in allowed for item in items):
            result.append((bundle, items))
    return result


def cases_of_applicant(*, user: User) -> QuerySet[Case]:
    """The signed-in applicant's own cases, newest first."""
    return (
        Case.objects.filter(applicant__user=user)
        .select_related("item", "applicant", "group__bundle")
        .order_by("-created_at")
    )


def case_of_applicant(*, user: User, receipt_no: str) -> Case | None:
    """One of the applicant's own cases; None for anyone else's (the view answers 404)."""
    return cases_of_applicant(user=user).filter(receipt_no=receipt_no).first()


def cases_for_proxy(*, authorisation: ProxyAuthorisation) -> QuerySet[Case]:
    """The principal's cases an authorisation takes in (亲友代办), newest first: the one case,
    or the cases of the named items. Never the principal's other cases."""
    cases = Case.objects.filter(applicant_id=authorisation.principal_id)
    if authorisation.scope == ProxyAuthorisation.Scope.CASE:
        cases = cases.filter(pk=authorisation.case_id)
    else:
        cases = cases.filter(item__code__in=authorisation.item_codes)
    return cases.select_related("item", "applicant", "group__bundle").order_by("-created_at")


def case_for_proxy(*, authorisation: ProxyAuthorisation, receipt_no: str) -> Case | None:
    return cases_for_proxy(authorisation=authorisation).filter(receipt_no=receipt_no).first()


def user_may_see_case(*, user: User, case: Case) -> bool:
    """The applicant who owns the case, the hall's clerks and supervisors, the case's agent, and
    the officers of a department with a step on the case."""
    if not user.is_authenticated or not user.is_active:
        return False
    if case.applicant.user_id == user.pk or case.agent_id == user.pk:
        return True
    if user.has_perm("hall.use_workbench") or user.has_perm("hall.view_supervision"):
        return True
    officer = getattr(user, "officer", None)
    if officer is not None and user.has_perm("hall.use_officer_desk"):
        return CaseStep.objects.filter(case=case, department_id=officer.department_id).exists()
    return False


def upload_for_user(*, user: User, upload_id: int) -> UploadedMaterial | None:
    """The upload if this user may see it, else None (the view answers 404 either way)."""
    upload = (
        UploadedMaterial.objects.select_related("material__case__applicant")
        .filter(pk=upload_id)
        .first()
    )
    if upload is None or not user_may_see_case(user=user, case=upload.material.case):
        return None
    return upload


def upload_for_proxy(
    *, authorisation: ProxyAuthorisation, upload_id: int
) -> UploadedMaterial | None:
    """An upload of a case the authorisation takes in (亲友代办: the proxy sees the scans of the
    cases they act on, nothing else), else None."""
    return (
        UploadedMaterial.objects.select_related("material")
        .filter(pk=upload_id, material__case__in=cases_for_proxy(authorisation=authorisation))
        .first()
    )


def online_queue() -> QuerySet[Case]:
    """Online filings waiting for intake, oldest first (the 5-day Art. 32 clock runs)."""
    return (
        Case.objects.filter(channel=Case.Channel.ONLINE, status=Case.Status.RECEIVED)
        .select_related("item", "applicant", "owner")
        .order_by("materials_received_at", "pk")
    )


def corrections_uploaded_queue() -> QuerySet[Case]:
    """Cases awaiting correction where the applicant uploaded a listed material after the
    notice: supplied, pending the clerk's check."""
    return (
        Case.objects.filter(
            status=Case.Status.AWAITING_CORRECTION,
            materials__corrections__supplied_at__isnull=True,
            materials__uploads__uploaded_at__gt=F("materials__corrections__notice__issued_at"),
        )
        .distinct()
        .select_related("item", "applicant", "owner")
        .order_by("updated_at", "pk")
    )


def open_correction_materials(*, case: Case) -> list[CaseMaterial]:
    """The materials an open (window) correction notice lists and the clerk has not yet
    found in order: the only ones the applicant may upload for the correction."""
    if case.status != Case.Status.AWAITING_CORRECTION:
        return []
    return list(
        case.materials.filter(corrections__isnull=False, corrections__supplied_at__isnull=True)
        .select_related("requirement")
        .distinct()
        .order_by("requirement__order", "pk")
    )


def uploads_of_case(*, case: Case) -> QuerySet[UploadedMaterial]:
    return (
        UploadedMaterial.objects.filter(material__case=case)
        .select_related("material")
        .order_by("material__requirement__order", "material_id", "uploaded_at", "pk")
    )
