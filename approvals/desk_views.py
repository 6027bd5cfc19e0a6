"""The officer desk (部门审批台): thin views over approvals.reviews.

An officer sees and acts only on the department's own rows. Every lookup goes through a selector
scoped to the officer's department, so another department's id is answered with 404, never 403,
and ids cannot be probed. Each POST parses one form, calls one service, and either redirects with
a Chinese success message or renders the page again with the service's message at the form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import desk_selectors as selectors
from approvals import reviews
from approvals.calendar import working_calendar
from approvals.deadlines import extension_cap
from approvals.forms import (
    CaseDecideForm,
    ConfirmForm,
    CorrectionForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    ServiceForm,
    SpecialProcedureForm,
    StageDecideForm,
    StepDecideForm,
    WrittenOpinionForm,
)
from approvals.models import ServiceItem
from approvals.review_models import CaseStep, StepExtension, StepSuspension
from approvals.review_selectors import case_opinions
from departments.models import Officer
from hall.models import Notice
from hall.validators import UPLOAD_KINDS

desk_required = permission_required("hall.use_officer_desk", raise_exception=True)


def _officer(request: HttpRequest) -> Officer:
    officer = selectors.officer_of(user=request.user)
    if officer is None:
        raise Http404
    return officer


def _status_for(error: ValidationError) -> int:
    return 409 if isinstance(error, reviews.AlreadyDecided) else 400


def _run(form: ServiceForm, call) -> ValidationError | None:
    """Validate the form and call the service with its cleaned data. The error, if any, is put
    on the form and returned; None means the service succeeded."""
    if not form.is_valid():
        return ValidationError(_("请检查填写的内容。"))
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return error
    return None


# --- the inbox ------------------------------------------------------------------------------


@desk_required
def desk_home(request: HttpRequest) -> HttpResponse:
    """The department's open steps by deadline, lead work, owed written opinions and, for the
    head, extension requests. The query count does not grow with the number of rows."""
    officer = selectors.officer_of(user=request.user)
    if officer is None:
        return render(request, "approvals/desk/home.html", {"officer": None})
    department = officer.department
    now = timezone.now()
    calendar = working_calendar()
    lead = selectors.lead_work(department=department)
    rows, page = selectors.inbox_rows(
        department=department, calendar=calendar, now=now, page=request.GET.get("page")
    )
    return render(
        request,
        "approvals/desk/home.html",
        {
            "officer": officer,
            "department": department,
            "is_head": officer.is_head,
            "rows": rows,
            "page": page,
            "lead": lead,
            "lead_count": len(lead["stages"]) + len(lead["decisions"]),
            "yellow_days": settings.HALL_WARNING_YELLOW_DAYS,
            "owed": list(selectors.written_opinions_owed(department=department)),
            "extensions": (
                list(selectors.extensions_waiting(department=department)) if officer.is_head else []
            ),
        },
    )


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@desk_required
@require_POST
def step_claim(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)
    try:
        claimed = reviews.step_claim(step=step, officer=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if claimed:
            messages.success(
                request, _("已认领 %(receipt)s，其他人员将看到由您办理。") % _receipt(step)
            )
        else:
            messages.warning(request, _("%(receipt)s 已由他人认领或已办结。") % _receipt(step))
    return redirect(_back(request, "desk:home"))


@desk_required
@require_POST
def step_release(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)
    try:
        released = reviews.step_release(step=step, officer=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if released:
            messages.success(request, _("已取消认领 %(receipt)s。") % _receipt(step))
        else:
            messages.warning(request, _("%(receipt)s 不是由您认领的。") % _receipt(step))
    return redirect(_back(request, "desk:home"))


def _receipt(step: CaseStep) -> dict[str, str]:
    return {"receipt": step.case.receipt_no}


# --- the task page --------------------------------------------------------------------------


def _own_step(request: HttpRequest, step_id: int) -> CaseStep:
    step = selectors.step_of_department(step_id=step_id, department=_officer(request).department)
    if step is None:
        raise Http404
    return step


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
    materials = list(selectors.case_materials(case=case))
    cap = extension_cap(joint=case.item.handling_type == ServiceItem.HandlingType.JOINT)
    forms = _step_forms(step, materials, cap, data=data, bound=bound)
    status = 200
    if run is not None:
        error = _run(forms[bound], lambda cleaned: run(forms[bound], cleaned))
        if error is None:
            target = getattr(forms[bound], "success_url", "")
            return redirect(target) if target else redirect("desk:step", step_id=step.pk)
        status = _status_for(error)
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
    return render(
        request,
        "approvals/desk/step.html",
        {
            "step": step,
            "case": case,
            "materials": materials,
            "notices": list(selectors.case_notices(case=case)),
            "opinions": opinions,
            "suspensions": suspensions,
            "open_suspension": open_suspension,
            "extension": extension,
            "clock": clock,
            "cap": cap,
            "forms": forms,
            "bound": bound,
            "can_decide": shown["decide"],
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


@desk_required
def step_detail(request: HttpRequest, step_id: int) -> HttpResponse:
    return _step_page(request, _own_step(request, step_id))


@desk_required
@require_POST
def step_decide(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)

    def run(form, cleaned):
        approve = cleaned["decision"] == "approve"
        reviews.step_decide(
            step=step, officer=request.user, approve=approve, opinion=cleaned["opinion"]
        )
        messages.success(
            request,
            (
                _("已提交审查意见（同意）：%(receipt)s。")
                if approve
                else _("已提交审查意见（不同意）：%(receipt)s。")
            )
            % _receipt(step),
        )
        form.success_url = "desk:home"

    return _step_page(request, step, data=request.POST, bound="decide", run=run)


@desk_required
@require_POST
def step_correction(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)

    def run(form, cleaned):
        notice = reviews.step_correction_request(
            step=step, officer=request.user, items=cleaned["items"]
        )
        messages.success(
            request,
            _("已出具一次性补正告知书 %(number)s，审查期限中止，补正材料由首问责任人接收。")
            % {"number": notice.number},
        )

    return _step_page(request, step, data=request.POST, bound="correction", run=run)


@desk_required
@require_POST
def step_special_start(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)

    def run(form, cleaned):
        notice = reviews.step_special_procedure_start(
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


@desk_required
@require_POST
def step_special_end(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)

    def run(form, cleaned):
        ended = reviews.step_special_procedure_end(step=step, officer=request.user)
        messages.success(
            request,
            _("特别程序已结束，审查期限恢复计算，到期日 %(due)s。")
            % {"due": ended.due_date.isoformat()},
        )

    return _step_page(request, step, data=request.POST, bound="special_end", run=run)


@desk_required
@require_POST
def step_extension(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)

    def run(form, cleaned):
        reviews.step_extension_request(
            step=step, officer=request.user, days=cleaned["days"], reason=cleaned["reason"]
        )
        messages.success(request, _("延长期限申请已提交，等待部门负责人审批。"))

    return _step_page(request, step, data=request.POST, bound="extension", run=run)


@desk_required
@require_POST
def step_written_opinion(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _own_step(request, step_id)

    def run(form, cleaned):
        reviews.step_written_opinion_file(
            step=step, officer=request.user, opinion=cleaned["opinion"]
        )
        messages.success(request, _("书面意见已提交：%(receipt)s。") % _receipt(step))
        form.success_url = "desk:home"

    return _step_page(request, step, data=request.POST, bound="written", run=run)


# --- the lead department's decisions --------------------------------------------------------


@desk_required
def stage_decide(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The stage's lead department collects the opinions and decides the stage (Art. 26)."""
    stage = selectors.stage_of_lead(stage_id=stage_id, department=_officer(request).department)
    if stage is None:
        raise Http404
    form = StageDecideForm(request.POST or None, prefix="stage")
    status = 200
    if request.method == "POST":

        def call(cleaned):
            reviews.stage_decide(
                stage=stage,
                officer=request.user,
                approve=cleaned["decision"] == "approve",
                opinion=cleaned["opinion"],
            )

        error = _run(form, call)
        if error is None:
            messages.success(
                request,
                _("第%(number)s阶段“%(name)s”已作出阶段决定：%(decision)s。")
                % {
                    "number": stage.number,
                    "name": stage.name,
                    "decision": stage.get_decision_display(),
                },
            )
            return redirect("desk:stage", stage_id=stage.pk)
        status = _status_for(error)
    case = stage.case
    return render(
        request,
        "approvals/desk/stage.html",
        {
            "stage": stage,
            "case": case,
            "form": form,
            "stage_steps": [s for s in case_opinions(case=case) if s.case_stage_id == stage.pk],
            "materials": list(selectors.case_materials(case=case)),
            "notices": list(selectors.case_notices(case=case)),
            "can_decide": not stage.decision and stage.decision_task_id is not None,
        },
        status=status,
    )


@desk_required
def case_decide(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The item's lead department issues the decision document (Art. 26, 38)."""
    decision = selectors.decision_of_lead(
        receipt_no=receipt_no, department=_officer(request).department
    )
    if decision is None:
        raise Http404
    case = decision.case
    form = CaseDecideForm(request.POST or None, prefix="decision")
    status = 200
    if request.method == "POST":
        issued: list[Notice] = []

        def call(cleaned):
            issued.append(
                reviews.case_decide(
                    case=case,
                    officer=request.user,
                    grant=cleaned["decision"] == "grant",
                    reasons=cleaned["reasons"],
                )
            )

        error = _run(form, call)
        if error is None:
            notice = issued[0]
            messages.success(
                request,
                _("已出具%(kind)s，文号 %(number)s。")
                % {"kind": notice.get_kind_display(), "number": notice.number},
            )
            return redirect("desk:decision", receipt_no=case.receipt_no)
        status = _status_for(error)
    return render(
        request,
        "approvals/desk/decision.html",
        {
            "decision": decision,
            "case": case,
            "form": form,
            "stages": list(selectors.case_stages(case=case)),
            "opinions": list(case_opinions(case=case)),
            "materials": list(selectors.case_materials(case=case)),
            "notices": list(selectors.case_notices(case=case)),
            "decision_notice": selectors.case_decision_notice(case=case),
            "can_decide": not decision.decision and decision.decision_task_id is not None,
        },
        status=status,
    )


# --- the head's extension decision ----------------------------------------------------------


@desk_required
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    """Art. 42: the department head approves or rejects an extension."""
    officer = _officer(request)
    extension = selectors.extension_of_department(
        extension_id=extension_id, department=officer.department
    )
    if extension is None:
        raise Http404
    step = extension.step
    form = ExtensionDecideForm(request.POST or None, prefix="extension")
    status = 200
    if request.method == "POST":
        results: list[StepExtension] = []

        def call(cleaned):
            results.append(
                reviews.step_extension_decide(
                    extension=extension,
                    head=request.user,
                    approve=cleaned["decision"] == "approve",
                )
            )

        error = _run(form, call)
        if error is None:
            decided = results[0]
            if decided.decided_by_id != request.user.pk:
                messages.warning(request, _("该申请已由他人处理。"))
            elif decided.status == StepExtension.Status.APPROVED:
                messages.success(
                    request,
                    _("已批准延长 %(days)s 个工作日，已书面告知申请人。") % {"days": decided.days},
                )
            else:
                messages.success(request, _("已决定不批准延长。"))
            return redirect("desk:home")
        status = _status_for(error)
    calendar = working_calendar()
    return render(
        request,
        "approvals/desk/extension.html",
        {
            "extension": extension,
            "step": step,
            "case": step.case,
            "form": form,
            "is_head": officer.is_head,
            "clock": selectors.step_clock(step=step, calendar=calendar, now=timezone.now()),
            "due_if_approved": (
                calendar.add_working_days(step.due_date, extension.days) if step.due_date else None
            ),
        },
        status=status,
    )


# --- files ----------------------------------------------------------------------------------


def _private_file(file, *, content_type: str, filename: str, inline: bool = True) -> FileResponse:
    response = FileResponse(
        file.open("rb"), content_type=content_type, filename=filename, as_attachment=not inline
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@desk_required
def material_scan(request: HttpRequest, material_id: int) -> FileResponse:
    """A material's scan, for a department that works on the case. Served as the type its
    content was detected as at upload, never as its name says."""
    material = selectors.material_of_department(
        material_id=material_id, department=_officer(request).department
    )
    if material is None or not material.scan:
        raise Http404
    known = UPLOAD_KINDS.get(material.scan_kind)
    if known is None:
        return _private_file(
            material.scan,
            content_type="application/octet-stream",
            filename=f"{material.name}",
            inline=False,
        )
    _magic, extension, content_type = known
    return _private_file(
        material.scan, content_type=content_type, filename=f"{material.name}{extension}"
    )


@desk_required
def notice_pdf(request: HttpRequest, notice_id: int) -> FileResponse:
    notice = selectors.notice_of_department(
        notice_id=notice_id, department=_officer(request).department
    )
    if notice is None:
        raise Http404
    return _private_file(
        notice.pdf, content_type="application/pdf", filename=f"{notice.number}.pdf"
    )
