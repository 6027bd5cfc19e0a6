"""Reading an Art. 32 intake decision from a posted form: the one parser that the window's
case page and the online-intake desk share, so both apply the same outcomes, marks and messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hall.cases.selectors import case_instant_outcome
from hall.intake.common import MaterialMark
from hall.intake.forms import ReferForm, RefuseForm, ToleranceForm
from hall.models import CaseMaterial, Notice


@dataclass
class IntakePost:
    """What the clerk posted: the outcome, its bound forms, and the service's keyword arguments
    (`None` when a refusal or referral lacks its reasons or office)."""

    outcome: str
    refuse_form: RefuseForm
    refer_form: ReferForm
    extra: dict | None = field(default_factory=dict)
    tolerance_form: ToleranceForm | None = None

    @property
    def complete(self) -> bool:
        return self.extra is not None


ALL_RECEIVED = "all_received"  # the checklist's shortcut: every open material marked received


def intake_post_read(request: HttpRequest) -> IntakePost:
    outcome = request.POST.get("outcome", "check")
    if outcome == ALL_RECEIVED:
        outcome = "check"
    refuse_form = RefuseForm(request.POST if outcome == "refuse" else None, prefix="refuse")
    refer_form = ReferForm(request.POST if outcome == "refer" else None, prefix="refer")
    tolerance_form = ToleranceForm(request.POST if outcome == "tolerate" else None, prefix="tol")
    if outcome == "tolerate":
        extra = {"tolerance": tolerance_form.cleaned_data} if tolerance_form.is_valid() else None
        return IntakePost(
            outcome=outcome,
            refuse_form=refuse_form,
            refer_form=refer_form,
            extra=extra,
            tolerance_form=tolerance_form,
        )
    form = {"refuse": refuse_form, "refer": refer_form}.get(outcome)
    extra: dict[str, str] | None = {}
    if form is not None:
        extra = (
            {"reasons": form.cleaned_data["reasons"], "office": form.cleaned_data["office"]}
            if form.is_valid()
            else None
        )
    return IntakePost(outcome=outcome, refuse_form=refuse_form, refer_form=refer_form, extra=extra)


INCOMPLETE_MESSAGE = gettext_lazy("请填写理由和机关。")


def material_marks_read(
    request: HttpRequest, editable: list[CaseMaterial]
) -> dict[int, MaterialMark]:
    """The clerk's mark for each material that may still be checked (the one-time rule decides
    which: `hall.cases.selectors.materials_editable`); unmarked materials are left as they are."""
    marks = {}
    all_received = request.POST.get("outcome") == ALL_RECEIVED
    for material in editable:
        status = "received" if all_received else request.POST.get(f"status-{material.pk}")
        if status:
            marks[material.pk] = MaterialMark(
                status=status,
                reason=request.POST.get(f"reason-{material.pk}", ""),
                scan=request.FILES.get(f"scan-{material.pk}"),
            )
    return marks


def intake_result_tell(request: HttpRequest, notice: Notice | None) -> None:
    if notice is not None:
        messages.success(
            request,
            _("已出具%(kind)s，文号 %(number)s。")
            % {"kind": notice.get_kind_display(), "number": notice.number},
        )
        if notice.kind == Notice.Kind.ACCEPTANCE:
            _instant_tell(request, notice.case)
        if notice.kind == Notice.Kind.TOLERANCE:
            messages.info(
                request, _("已容缺受理，审查已开始；所缺材料补齐前不能作出准予许可决定。")
            )
    else:
        messages.success(request, _("材料核对结果已保存。"))


def _instant_tell(request: HttpRequest, case) -> None:
    """秒批: the clerk sees at once whether the system granted, or which condition failed."""
    if not case.item.instant_approval:
        return
    outcome = case_instant_outcome(case)
    if outcome.granted:
        messages.success(request, _("秒批：申请满足全部秒批条件，系统已当即作出准予许可决定。"))
    elif outcome.failed:
        messages.warning(
            request,
            _("未秒批：不满足条件“%(condition)s”，已转入常规审批。")
            % {"condition": outcome.failed},
        )
