"""The online-intake desk (网上受理) at /online-desk/: clerks take online filings in turn.

A clerk claims a filing (case_owner_claim: the first clerk to handle it becomes its first-contact
owner), looks at the uploaded files next to the checklist, and takes the same outcomes as at a
window through hall.intake.decisions.case_intake_decide, under the same one-time rule. Only the
owner decides; other clerks see the case read-only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall.cases import selectors
from hall.common.people import display_name
from hall.common.permissions import workbench_required
from hall.intake import decisions, ownership
from hall.intake.forms import ReferForm, RefuseForm
from hall.intake.posting import (
    INCOMPLETE_MESSAGE,
    intake_post_read,
    intake_result_tell,
    material_marks_read,
)
from hall.online import selectors as online_selectors
from hall.platform import audit


@workbench_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hall/online_desk/queue.html",
        {
            "waiting": online_selectors.online_queue()[:200],
            "corrections": online_selectors.corrections_uploaded_queue()[:200],
        },
    )


@workbench_required
@require_POST
def claim(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case = selectors.case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    case = ownership.case_owner_claim(case=case, clerk=request.user)
    if case.owner_id == request.user.pk:
        messages.success(request, _("您已成为该办件的首问责任人。"))
    else:
        messages.warning(
            request, _("该办件已由%(name)s认领。") % {"name": display_name(case.owner)}
        )
    return redirect("online_desk:case", receipt_no=case.receipt_no)


@workbench_required
def case(request: HttpRequest, receipt_no: str) -> HttpResponse:
    found = selectors.case_for_staff(receipt_no=receipt_no)
    if found is None:
        raise Http404
    editable = selectors.materials_editable(case=found)
    refuse_form, refer_form = RefuseForm(prefix="refuse"), ReferForm(prefix="refer")
    status = 200
    if request.method == "POST":
        posted = intake_post_read(request)
        refuse_form, refer_form = posted.refuse_form, posted.refer_form
        if found.owner_id not in (None, request.user.pk):
            messages.error(
                request,
                _("该办件的首问责任人是%(name)s，请由其办理。")
                % {"name": display_name(found.owner)},
            )
            status = 403
        elif not posted.complete:
            messages.error(request, INCOMPLETE_MESSAGE)
            status = 400
        else:
            try:
                claimed = ownership.case_owner_claim(case=found, clerk=request.user)
                if claimed.owner_id != request.user.pk:
                    raise ValidationError(_("该办件已由他人认领。"))
                notice = decisions.case_intake_decide(
                    case=claimed,
                    clerk=request.user,
                    outcome=posted.outcome,
                    marks=material_marks_read(request, editable),
                    **posted.extra,
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                status = 400
            else:
                intake_result_tell(request, notice)
                return redirect("online_desk:case", receipt_no=found.receipt_no)
        found = selectors.case_for_staff(receipt_no=receipt_no)
        editable = selectors.materials_editable(case=found)
    uploads: dict[int, list] = {}
    for upload in online_selectors.uploads_of_case(case=found):
        uploads.setdefault(upload.material_id, []).append(upload)
    materials = [
        {"material": material, "uploads": uploads.get(material.pk, [])}
        for material in found.materials.select_related("requirement")
    ]
    audit.personal_data_read(request=request, case=found)
    return render(
        request,
        "hall/online_desk/case.html",
        {
            "case": found,
            "materials": materials,
            "editable_ids": {m.pk for m in editable},
            "mine": found.owner_id == request.user.pk,
            "notices": selectors.case_notices(case=found).order_by("issued_at", "pk"),
            "events": found.events.select_related("actor").all(),
            "refuse_form": refuse_form,
            "refer_form": refer_form,
            "statuses": [
                ("received", _("已收齐")),
                ("missing", _("缺少")),
                ("defective", _("有误")),
            ],
        },
        status=status,
    )
