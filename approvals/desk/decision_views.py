"""The lead department's stage and final decisions, the head's extension decision, and the
case's files (material scans, notice PDFs)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from approvals.desk import selectors
from approvals.desk.common import desk_officer, private_file_response, service_run, status_for
from approvals.desk.forms import (
    CaseDecideForm,
    ExtensionDecideForm,
    StageDecideForm,
)
from approvals.models import StepExtension
from approvals.reviews import decisions, extensions
from approvals.reviews import selectors as review_selectors
from approvals.reviews.selectors import case_opinions
from hall.cases.rendering import notice_ready
from hall.common.permissions import officer_desk_required
from hall.common.validators import UPLOAD_KINDS
from hall.models import Notice
from hall.platform import audit


@officer_desk_required
def stage_decide(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The stage's lead department collects the opinions and decides the stage (Art. 26)."""
    stage = selectors.stage_of_lead(stage_id=stage_id, department=desk_officer(request).department)
    if stage is None:
        raise Http404
    form = StageDecideForm(request.POST or None, prefix="stage")
    status = 200
    if request.method == "POST":

        def call(cleaned):
            decisions.stage_decide(
                stage=stage,
                officer=request.user,
                approve=cleaned["decision"] == "approve",
                opinion=cleaned["opinion"],
            )

        error = service_run(form, call)
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
        status = status_for(error)
    case = stage.case
    audit.personal_data_read(request=request, case=case)
    return render(
        request,
        "approvals/desk/stage.html",
        {
            "stage": stage,
            "case": case,
            "form": form,
            "stage_steps": [s for s in case_opinions(case=case) if s.case_stage_id == stage.pk],
            "materials": list(review_selectors.case_materials(case=case)),
            "notices": list(review_selectors.case_notices(case=case)),
            "can_decide": not stage.decision and stage.decision_task_id is not None,
        },
        status=status,
    )


@officer_desk_required
def case_decide(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The item's lead department issues the decision document (Art. 26, 38)."""
    decision = selectors.decision_of_lead(
        receipt_no=receipt_no, department=desk_officer(request).department
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
                decisions.case_decide(
                    case=case,
                    officer=request.user,
                    grant=cleaned["decision"] == "grant",
                    reasons=cleaned["reasons"],
                )
            )

        error = service_run(form, call)
        if error is None:
            notice = issued[0]
            messages.success(
                request,
                _("已出具%(kind)s，文号 %(number)s。")
                % {"kind": notice.get_kind_display(), "number": notice.number},
            )
            return redirect("desk:decision", receipt_no=case.receipt_no)
        status = status_for(error)
    audit.personal_data_read(request=request, case=case)
    return render(
        request,
        "approvals/desk/decision.html",
        {
            "decision": decision,
            "case": case,
            "form": form,
            "stages": list(review_selectors.case_stages(case=case)),
            "opinions": list(case_opinions(case=case)),
            "materials": list(review_selectors.case_materials(case=case)),
            "notices": list(review_selectors.case_notices(case=case)),
            "decision_notice": review_selectors.case_decision_notice(case=case),
            "can_decide": not decision.decision and decision.decision_task_id is not None,
        },
        status=status,
    )


@officer_desk_required
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    """Art. 42: the department head approves or rejects an extension."""
    officer = desk_officer(request)
    extension = selectors.extension_of_department(
        extension_id=extension_id, department=officer.department
    )
    if extension is None:
        raise Http404
    return extension_page(request, extension, may_decide=officer.is_head, joint=False)


def extension_page(
    request: HttpRequest, extension: StepExtension, *, may_decide: bool, joint: bool
) -> HttpResponse:
    """The extension request and the approver's form, for the department head's page and the
    government head's (joint handling); the service decides who may approve."""
    step = extension.step
    form = ExtensionDecideForm(request.POST or None, prefix="extension")
    status = 200
    if request.method == "POST":
        results: list[StepExtension] = []

        def call(cleaned):
            results.append(
                extensions.step_extension_decide(
                    extension=extension,
                    head=request.user,
                    approve=cleaned["decision"] == "approve",
                    reason=cleaned.get("reason") or "",
                )
            )

        error = service_run(form, call)
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
            return redirect("desk:joint_extensions" if joint else "desk:home")
        status = status_for(error)
    calendar = working_calendar()
    audit.personal_data_read(request=request, case_id=step.case_id)
    return render(
        request,
        "approvals/desk/extension.html",
        {
            "extension": extension,
            "step": step,
            "case": step.case,
            "form": form,
            "is_head": may_decide,
            "joint": joint,
            "clock": selectors.step_clock(step=step, calendar=calendar, now=timezone.now()),
            "due_if_approved": (
                calendar.add_working_days(step.due_date, extension.days) if step.due_date else None
            ),
        },
        status=status,
    )


@officer_desk_required
def material_scan(request: HttpRequest, material_id: int) -> FileResponse:
    """A material's scan, for a department that works on the case. Served as the type its
    content was detected as at upload, never as its name says."""
    material = selectors.material_of_department(
        material_id=material_id, department=desk_officer(request).department
    )
    if material is None or not material.scan:
        raise Http404
    known = UPLOAD_KINDS.get(material.scan_kind)
    if known is None:
        return private_file_response(
            material.scan,
            content_type="application/octet-stream",
            filename=f"{material.name}",
            inline=False,
        )
    _magic, extension, content_type = known
    # An applicant's PDF may carry script or forms: it is downloaded and opened outside the
    # browser session; a checked PNG or JPEG is shown inline, sandboxed like every file here.
    return private_file_response(
        material.scan,
        content_type=content_type,
        filename=f"{material.name}{extension}",
        inline=material.scan_kind != "pdf",
    )


@officer_desk_required
def notice_pdf(request: HttpRequest, notice_id: int) -> FileResponse:
    notice = selectors.notice_of_department(
        notice_id=notice_id, department=desk_officer(request).department
    )
    if notice is None:
        raise Http404
    return private_file_response(
        notice_ready(notice).pdf, content_type="application/pdf", filename=f"{notice.number}.pdf"
    )
