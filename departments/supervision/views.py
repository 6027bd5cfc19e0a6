"""Supervision pages (电子监察): the dashboard, opening a case, a case's history, reminders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.clock.calendar import working_calendar
from approvals.models import CaseStep
from approvals.reviews.instant import instant_review_record
from departments.supervision import selectors
from departments.supervision.figures import supervision_figures
from departments.supervision.forms import (
    HandoverForm,
    InstantReviewForm,
    OverrideForm,
    ReminderForm,
    WarningFilterForm,
)
from departments.supervision.rows import warning_rows_html
from departments.supervision.services import case_remind
from hall.cases.selectors import case_for_staff, case_notices
from hall.common.permissions import supervision_required
from hall.intake import decisions, ownership
from hall.intake.commitments import commitment_verify, commitments_to_verify
from hall.intake.common import MaterialMark
from hall.intake.tolerance import supplements_overdue
from hall.models import Commitment, InstantApproval
from hall.platform import audit
from hall.platform.replica import reads_from_replica


def _bad_ratings(now) -> list[dict]:
    return [
        {
            "rating": rating,
            "overdue": selectors.follow_up_overdue(rating, on=timezone.localdate(now)),
        }
        for rating in selectors.bad_ratings()
    ]


@supervision_required
@reads_from_replica
def supervision_home(request):
    now = timezone.now()
    today = timezone.localdate(now)  # the hall's day, not UTC's (they differ 00:00-08:00)
    filter_form = WarningFilterForm(request.GET or None)
    filters = selectors.WarningFilter()
    if filter_form.is_bound and filter_form.is_valid():
        filters = selectors.WarningFilter(**filter_form.filters())
    warnings = selectors.warning_rows(
        now=now, filters=filters, calendar=working_calendar(), after=request.GET.get("after")
    )
    # the next page keeps the filters
    query = request.GET.copy()
    query.pop("after", None)
    first_page = "?" + query.urlencode() if query else "?"
    next_page = None
    if warnings.next_cursor:
        query["after"] = warnings.next_cursor
        next_page = "?" + query.urlencode()
    totals = supervision_figures(now=now)
    return render(
        request,
        "departments/supervision_home.html",
        {
            "now": now,
            "today": today,
            "counts": totals.counts,
            "orders_today": totals.orders,
            "by_status": totals.by_status,
            "figures_at": totals.computed_at,
            "warnings": warnings,
            "warning_rows": warning_rows_html(page=warnings, request=request),
            "warning_limit": selectors.WARNING_LIMIT,
            "warnings_first_page": first_page,
            "warnings_next_page": next_page,
            "warnings_by_department": totals.warnings_by_department,
            "filter_form": filter_form,
            "filtered": filters != selectors.WarningFilter(),
            # The lists beside the warnings are read only when their cached fragment is stale:
            # they are kept with the figures snapshot (side_key), so they are as fresh as the
            # counts above them, and a page between two snapshots reads neither (issue 27).
            "side_seconds": settings.HALL_SUPERVISION_FIGURES_SECONDS,
            "side_key": f"{totals.computed_at.timestamp():.6f}:{today.isoformat()}",
            "breaches": selectors.one_time_breaches(),
            "deemed": selectors.deemed_acceptances(),
            "deemed_approvals": selectors.deemed_approvals(),
            "intake_due": selectors.intake_decisions_due(),
            "issuances_due": selectors.issuances_due(),
            "bad_ratings": SimpleLazyObject(lambda: _bad_ratings(now)),
            "assumed": SimpleLazyObject(selectors.calendar_assumed),
        },
    )


@supervision_required
def case_open(request):
    case = case_for_staff(receipt_no=request.GET.get("receipt_no", "").strip())
    if case is None:
        messages.error(request, _("没有这个收件编号。"))
        return redirect("supervision:home")
    return redirect("supervision:case", receipt_no=case.receipt_no)


def _open_steps(case):
    return selectors.case_steps(case=case).filter(status__in=CaseStep.OPEN_STATUSES)


@supervision_required
def case_detail(request, receipt_no: str):
    case = case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    unlisted = case.materials.filter(corrections__isnull=True)
    open_steps = list(_open_steps(case))
    override_form = OverrideForm(prefix="override", materials=unlisted)
    handover_form = HandoverForm(prefix="handover")
    reminder_form = ReminderForm(prefix="remind", steps=open_steps)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "override":
                override_form = OverrideForm(request.POST, prefix="override", materials=unlisted)
                if override_form.is_valid():
                    data = override_form.cleaned_data
                    notice = decisions.case_request_correction(
                        case=case,
                        clerk=case.owner or request.user,
                        override_by=request.user,
                        override_reason=data["reason"],
                        additional={
                            int(data["material"]): MaterialMark("defective", data["defect"])
                        }
                        if data["material"]
                        else None,
                    )
                    messages.warning(
                        request,
                        _("已批准补充告知，文号 %(number)s，记为违反一次性告知。")
                        % {"number": notice.number},
                    )
                    return redirect("supervision:case", receipt_no=case.receipt_no)
            elif action == "handover":
                handover_form = HandoverForm(request.POST, prefix="handover")
                if handover_form.is_valid():
                    ownership.case_owner_handover(
                        case=case,
                        supervisor=request.user,
                        new_owner=handover_form.cleaned_data["new_owner"],
                        reason=handover_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("首问责任人已变更。"))
                    return redirect("supervision:case", receipt_no=case.receipt_no)
            elif action == "remind":
                reminder_form = ReminderForm(request.POST, prefix="remind", steps=open_steps)
                if reminder_form.is_valid():
                    _remind(request, case, reminder_form, open_steps)
                    return redirect("supervision:case", receipt_no=case.receipt_no)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    now = timezone.now()
    audit.personal_data_read(request=request, case=case)
    return render(
        request,
        "departments/case_detail.html",
        {
            "case": case,
            "events": selectors.case_history_rows(case=case),
            "steps": selectors.case_step_rows(case=case, now=now),
            "notices": case_notices(case=case).select_related("one_time_override_by"),
            "override_form": override_form,
            "handover_form": handover_form,
            "reminder_form": reminder_form,
        },
    )


def _remind(request, case, form: ReminderForm, open_steps) -> None:
    step_id = form.cleaned_data["step"]
    step = next((s for s in open_steps if s.pk == step_id), None)
    event = case_remind(
        case=case,
        supervisor=request.user,
        step=step,
        note=form.cleaned_data["note"],
        reminder_id=form.cleaned_data["reminder_id"],
    )
    messages.success(
        request,
        _("已督办，提醒已发送给：%(people)s。")
        % {"people": "、".join(event.details.get("recipients", []))},
    )


@supervision_required
@require_POST
def case_remind_view(request, receipt_no: str):
    """督办 from a row of the dashboard's warnings; back to the same (filtered) list."""
    case = case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    open_steps = list(_open_steps(case))
    form = ReminderForm(request.POST, prefix="remind", steps=open_steps)
    if form.is_valid():
        try:
            _remind(request, case, form, open_steps)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("该环节已办结或不存在，未发送督办。"))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "supervision:home")


@supervision_required
@reads_from_replica
def instant_page(request):
    """秒批: each instant item's decisions and the share the system made, and the instant grants
    drawn for after-the-fact review (事后抽查) with the form that records the outcome."""
    return render(
        request,
        "departments/supervision_instant.html",
        {
            "instant_shares": selectors.instant_shares(),
            "instant_reviews": selectors.instant_reviews_pending(),
        },
    )


@supervision_required
@require_POST
def instant_review_view(request, approval_id: int):
    """事后抽查 of a sampled instant approval: passed, or failed (which revokes the decision)."""
    approval = get_object_or_404(InstantApproval, pk=approval_id)
    form = InstantReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择抽查结论。"))
        return redirect("supervision:instant")
    try:
        instant_review_record(
            approval=approval,
            reviewer=request.user,
            passed=form.cleaned_data["outcome"] == "passed",
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已记录 %(receipt)s 的抽查结论。") % {"receipt": approval.case.receipt_no},
        )
    return redirect("supervision:instant")


@supervision_required
def commitments_page(request):
    """告知承诺制: the verifications still open, soonest due first, the overdue marked."""
    return render(
        request,
        "departments/supervision_commitments.html",
        {
            "commitments": commitments_to_verify(),
            "overdue_supplements": supplements_overdue(today=timezone.localdate()),
            "today": timezone.localdate(),
        },
    )


@supervision_required
@require_POST
def commitment_verify_view(request, commitment_id: int):
    commitment = get_object_or_404(Commitment, pk=commitment_id)
    outcome = request.POST.get("outcome")
    if outcome not in ("true", "false"):
        messages.error(request, _("请选择核查结论。"))
        return redirect("supervision:commitments")
    try:
        commitment_verify(
            commitment=commitment,
            by=request.user,
            truthful=outcome == "true",
            note=request.POST.get("note", "")[:500],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("已记录 %(receipt)s 的核查结论。") % {"receipt": commitment.case.receipt_no}
        )
    return redirect("supervision:commitments")
