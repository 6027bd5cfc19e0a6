"""Art. 42 for unified, joint or centralised handling: the head of the people's government at
this level (本级人民政府负责人) approves or rejects the case's one extension."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from approvals.desk import selectors
from approvals.desk.common import _run, _status_for
from approvals.desk.forms import ExtensionDecideForm
from approvals.models import StepExtension
from approvals.reviews import extensions
from hall.common.permissions import government_head_required


@government_head_required
def joint_extensions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "approvals/desk/joint_extensions.html",
        {"extensions": selectors.joint_extensions_pending()},
    )


@government_head_required
def joint_extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    extension = selectors.joint_extension(extension_id=extension_id)
    if extension is None:
        raise Http404
    step = extension.step
    form = ExtensionDecideForm(request.POST or None, prefix="extension")
    status = 200
    if request.method == "POST":
        results: list[StepExtension] = []
        error = _run(
            form,
            lambda cleaned: results.append(
                extensions.step_extension_decide(
                    extension=extension,
                    head=request.user,
                    approve=cleaned["decision"] == "approve",
                )
            ),
        )
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
            return redirect("desk:joint_extensions")
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
            "is_head": True,
            "joint": True,
            "clock": selectors.step_clock(step=step, calendar=calendar, now=timezone.now()),
            "due_if_approved": (
                calendar.add_working_days(step.due_date, extension.days) if step.due_date else None
            ),
        },
        status=status,
    )
