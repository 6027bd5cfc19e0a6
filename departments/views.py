from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from departments import selectors
from departments.forms import HandoverForm, OverrideForm
from departments.models import Department
from hall import intake
from hall.intake import MaterialMark
from hall.selectors import case_for_staff

supervision_required = permission_required("hall.view_supervision", raise_exception=True)


@supervision_required
def supervision_home(request):
    return render(
        request,
        "departments/supervision_home.html",
        {
            "departments": Department.objects.order_by("code"),
            "by_status": selectors.cases_by_status(),
            "breaches": selectors.one_time_breaches(),
            "deemed": selectors.deemed_acceptances(),
            "intake_due": selectors.intake_decisions_due(),
            "today": selectors.today(),
        },
    )


@supervision_required
def case_open(request):
    case = case_for_staff(receipt_no=request.GET.get("receipt_no", "").strip())
    if case is None:
        messages.error(request, _("没有这个收件编号。"))
        return redirect("supervision:home")
    return redirect("supervision:case", receipt_no=case.receipt_no)


@supervision_required
def case_detail(request, receipt_no: str):
    case = case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    unlisted = case.materials.filter(corrections__isnull=True)
    override_form = OverrideForm(prefix="override", materials=unlisted)
    handover_form = HandoverForm(prefix="handover")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "override":
                override_form = OverrideForm(request.POST, prefix="override", materials=unlisted)
                if override_form.is_valid():
                    data = override_form.cleaned_data
                    notice = intake.case_request_correction(
                        case=case,
                        clerk=case.owner or request.user,
                        override_by=request.user,
                        override_reason=data["reason"],
                        additional={
                            int(data["material"]): MaterialMark("defective", data["defect"])
                        },
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
                    intake.case_owner_handover(
                        case=case,
                        supervisor=request.user,
                        new_owner=handover_form.cleaned_data["new_owner"],
                        reason=handover_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("首问责任人已变更。"))
                    return redirect("supervision:case", receipt_no=case.receipt_no)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return render(
        request,
        "departments/case_detail.html",
        {
            "case": case,
            "events": selectors.case_history(case=case),
            "notices": case.notices.all(),
            "override_form": override_form,
            "handover_form": handover_form,
        },
    )
