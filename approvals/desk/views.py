"""The officer's inbox and task page, and the actions on one step."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import extension_cap
from approvals.desk import selectors
from approvals.desk.common import back_url, own_step, receipt_context, service_run, status_for
from approvals.desk.forms import (
    ConfirmForm,
    CorrectionForm,
    ExtensionRequestForm,
    SpecialProcedureForm,
    StepDecideForm,
    WrittenOpinionForm,
)
from approvals.desk.rows import inbox_rows_html, lead_rows_html, owed_rows_html
from approvals.models import CaseStep, ServiceItem, StepSuspension
from approvals.reviews import decisions, extensions, steps
from approvals.reviews import selectors as review_selectors
from approvals.reviews import suspensions as reviews_suspensions
from approvals.reviews.selectors import case_opinions, single_decision_applies
from hall.common.permissions import officer_desk_required
from hall.platform import audit


@officer_desk_required
def desk_home(request: HttpRequest) -> HttpResponse:
    """The department's open steps by deadline, lead work, owed written opinions and, for the
    head, extension requests. The query count does not grow with the number of rows."""
    officer = selectors.officer_of(user=request.user)
    if officer is None:
        return render(request, "approvals/desk/home.html", {"officer": None})
    department = officer.department
    now = timezone.now()
    calendar = working_calendar()
    limit = selectors.SIDE_LIST_SIZE
    lead = selectors.lead_work(department=department, limit=limit)
    owed = selectors.written_opinions_owed_first(department=department)
    inbox = selectors.inbox_page(
        department=department, calendar=calendar, now=now, after=request.GET.get("after")
    )
    return render(
        request,
        "approvals/desk/home.html",
        {
            "officer": officer,
            "department": department,
            "is_head": officer.is_head,
            "inbox": inbox,
            "inbox_next_url": "?" + urlencode({"after": inbox.next_cursor or ""}),
            "rows": inbox.rows,
            "rows_html": inbox_rows_html(rows=inbox.rows, request=request),
            "lead": {key: rows[:limit] for key, rows in lead.items()},
            "lead_rows": lead_rows_html(
                stages=lead["stages"][:limit], decisions=lead["decisions"][:limit]
            ),
            "owed_rows": owed_rows_html(steps=owed[:limit]),
            "lead_more": any(len(rows) > limit for rows in lead.values()),
            "owed": owed[:limit],
            "owed_more": len(owed) > limit,
            "side_limit": limit,
            "yellow_days": settings.HALL_WARNING_YELLOW_DAYS,
            "extensions": (
                selectors.extensions_waiting_list(department=department) if officer.is_head else []
            ),
        },
    )


@officer_desk_required
@require_POST
def step_claim(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)
    try:
        claimed = steps.step_claim(step=step, officer=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if claimed:
            messages.success(
                request, _("已认领 %(receipt)s，其他人员将看到由您办理。") % receipt_context(step)
            )
        else:
            messages.warning(
                request, _("%(receipt)s 已由他人认领或已办结。") % receipt_context(step)
            )
    return redirect(back_url(request, "desk:home"))


@officer_desk_required
@require_POST
def step_release(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)
    try:
        released = steps.step_release(step=step, officer=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if released:
            messages.success(request, _("已取消认领 %(receipt)s。") % receipt_context(step))
        else:
            messages.warning(request, _("%(receipt)s 不是由您认领的。") % receipt_context(step))
    return redirect(back_url(request, "desk:home"))


def _step_forms(step: CaseStep, materials, cap: int, data=None, bound: str = "") -> dict:
    """The action forms of the task page; the one named `bound` carries the posted data."""

    def make(name, form_class, **kwargs):
        return form_class(data if bound == name else None, prefix=name, **kwargs)

    return {
        "decide": make("decide", StepDecideForm),
        "correction": make("correction", CorrectionForm, materials=materials),
        "special": make("special", SpecialProcedureForm),
        "extension": make("extension", ExtensionRequestForm, cap=cap),
        "written": make("written", WrittenOpinionForm),
        "special_end": make("special_end", ConfirmForm),
    }


def _step_page(
    request: HttpRequest, step: CaseStep, *, data=None, bound: str = "", run=None
) -> HttpResponse:
    """Render the task page; with `run`, first call it with the bound form and redirect to
    the task page (or where it says) when it succeeds."""
    case = step.case
    materials = list(review_selectors.case_materials(case=case))
    cap = extension_cap(joint=case.item.handling_type == ServiceItem.HandlingType.JOINT)
    forms = _step_forms(step, materials, cap, data=data, bound=bound)
    status = 200
    if run is not None:
        error = service_run(forms[bound], lambda cleaned: run(forms[bound], cleaned))
        if error is None:
            target = getattr(forms[bound], "success_url", "")
            return redirect(target) if target else redirect("desk:step", step_id=step.pk)
        status = status_for(error)
        # Someone (a colleague, the sweep) may have changed the step meanwhile: show it as it is.
        step = selectors.step_of_department(step_id=step.pk, department=step.department)
    suspensions = selectors.step_suspensions(step=step)
    open_suspension = next((s for s in suspensions if s.ends_on is None), None)
    correction_asked = any(s.kind == StepSuspension.Kind.CORRECTION for s in suspensions)
    extension = selectors.step_extension(step=step)
    clock = selectors.step_clock(step=step, calendar=working_calendar(), now=timezone.now())
    opinions = [other for other in case_opinions(case=case) if other.pk != step.pk]
    is_open = step.status == CaseStep.Status.OPEN
    shown = {
        "decide": is_open,
        "correction": is_open and not correction_asked,
        "special": is_open,
        "special_end": (
            step.status == CaseStep.Status.SUSPENDED
            and open_suspension is not None
            and open_suspension.kind != StepSuspension.Kind.CORRECTION
        ),
        "extension": step.status in CaseStep.OPEN_STATUSES and extension is None,
        "written": step.status == CaseStep.Status.DEEMED and step.written_opinion_at is None,
    }
    # The posted form may no longer be on the page (the step was decided meanwhile): its
    # message is then shown above the actions instead.
    orphan_errors = (
        [message for messages_ in forms[bound].errors.values() for message in messages_]
        if bound and forms[bound].is_bound and not shown[bound]
        else []
    )
    audit.personal_data_read(request=request, case=case)
    return render(
        request,
        "approvals/desk/step.html",
        {
            "step": step,
            "case": case,
            "materials": materials,
            "notices": list(review_selectors.case_notices(case=case)),
            "opinions": opinions,
            "suspensions": suspensions,
            "open_suspension": open_suspension,
            "extension": extension,
            "clock": clock,
            "cap": cap,
            "forms": forms,
            "bound": bound,
            "can_decide": shown["decide"],
            "single_decision": shown["decide"] and single_decision_applies(step=step),
            "can_correct": shown["correction"],
            "correction_asked": correction_asked,
            "can_start_special": shown["special"],
            "can_end_special": shown["special_end"],
            "can_extend": shown["extension"],
            "owes_written": shown["written"],
            "orphan_errors": orphan_errors,
        },
        status=status,
    )


@officer_desk_required
def step_detail(request: HttpRequest, step_id: int) -> HttpResponse:
    return _step_page(request, own_step(request, step_id))


@officer_desk_required
@require_POST
def step_decide(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)

    def run(form, cleaned):
        approve = cleaned["decision"] == "approve"
        if request.POST.get("at_once") == "1":
            notice = decisions.case_decide_at_once(
                step=step, officer=request.user, grant=approve, reasons=cleaned["opinion"]
            )
            messages.success(
                request,
                _("已作出%(kind)s，文号 %(number)s：%(receipt)s。")
                % {
                    "kind": notice.get_kind_display(),
                    "number": notice.number,
                    **receipt_context(step),
                },
            )
            form.success_url = "desk:home"
            return
        steps.step_decide(
            step=step, officer=request.user, approve=approve, opinion=cleaned["opinion"]
        )
        messages.success(
            request,
            (
                _("已提交审查意见（同意）：%(receipt)s。")
                if approve
                else _("已提交审查意见（不同意）：%(receipt)s。")
            )
            % receipt_context(step),
        )
        form.success_url = "desk:home"

    return _step_page(request, step, data=request.POST, bound="decide", run=run)


@officer_desk_required
@require_POST
def step_correction(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)

    def run(form, cleaned):
        notice = reviews_suspensions.step_correction_request(
            step=step, officer=request.user, items=cleaned["items"]
        )
        messages.success(
            request,
            _("已出具一次性补正告知书 %(number)s，审查期限中止，补正材料由首问责任人接收。")
            % {"number": notice.number},
        )

    return _step_page(request, step, data=request.POST, bound="correction", run=run)


@officer_desk_required
@require_POST
def step_special_start(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)

    def run(form, cleaned):
        notice = reviews_suspensions.step_special_procedure_start(
            step=step,
            officer=request.user,
            kind=cleaned["kind"],
            reason=cleaned["reason"],
            expected_days=cleaned["expected_days"],
        )
        messages.success(
            request,
            _("特别程序已启动，已出具特别程序告知书 %(number)s，期间不计入审批期限。")
            % {"number": notice.number},
        )

    return _step_page(request, step, data=request.POST, bound="special", run=run)


@officer_desk_required
@require_POST
def step_special_end(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)

    def run(form, cleaned):
        ended = reviews_suspensions.step_special_procedure_end(step=step, officer=request.user)
        messages.success(
            request,
            _("特别程序已结束，审查期限恢复计算，到期日 %(due)s。")
            % {"due": ended.due_date.isoformat()},
        )

    return _step_page(request, step, data=request.POST, bound="special_end", run=run)


@officer_desk_required
@require_POST
def step_extension(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)

    def run(form, cleaned):
        extensions.step_extension_request(
            step=step, officer=request.user, days=cleaned["days"], reason=cleaned["reason"]
        )
        messages.success(request, _("延长期限申请已提交，等待部门负责人审批。"))

    return _step_page(request, step, data=request.POST, bound="extension", run=run)


@officer_desk_required
@require_POST
def step_written_opinion(request: HttpRequest, step_id: int) -> HttpResponse:
    step = own_step(request, step_id)

    def run(form, cleaned):
        steps.step_written_opinion_file(step=step, officer=request.user, opinion=cleaned["opinion"])
        messages.success(request, _("书面意见已提交：%(receipt)s。") % receipt_context(step))
        form.success_url = "desk:home"

    return _step_page(request, step, data=request.POST, bound="written", run=run)
