"""Forms of the officer desk and of delivery at the window. They parse input; the services decide.

Fields the services validate (reasons required on a refusal, the extension cap, the special
procedure's kind and days) are optional here, so that the service's own Chinese message is the
one shown at the field.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.models import StepSuspension
from approvals.reviews.suspensions import SPECIAL_KINDS
from hall.common.forms import ServiceErrorsMixin
from hall.models import CaseMaterial

EXTRA_CORRECTION_ROWS = 3


class ServiceForm(ServiceErrorsMixin, forms.Form):
    """A form that shows a service's ValidationError: at the field it names, else at the top."""


class ConfirmForm(ServiceForm):
    """A button with no fields (claim, release, end a special procedure, correction supplied)."""


class StepDecideForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("审查结论"),
        choices=[("approve", _("同意")), ("refuse", _("不同意"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意或不同意。")},
    )
    opinion = forms.CharField(
        label=_("审查意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不同意的，须说明理由（行政许可法第三十八条）。"),
    )


class StageDecideForm(StepDecideForm):
    """The same choice for the stage's lead department, worded for the stage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].label = _("阶段结论")
        self.fields["opinion"].label = _("阶段意见")
        self.fields["opinion"].help_text = _("汇总各部门意见；不同意的，须说明理由。")


class CaseDecideForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("审批决定"),
        choices=[("grant", _("准予许可")), ("refuse", _("不予许可"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择准予许可或不予许可。")},
    )
    reasons = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("不予许可的，须说明理由；决定书将告知申请复议或诉讼的权利。"),
    )
    confirm = forms.BooleanField(
        label=_("我已核实：不予许可决定书一经出具即送达申请人，不能撤回。"), required=False
    )

    def clean(self):
        # everything at once (issue 32): the reasons and the confirmation a refusal needs
        data = super().clean()
        if data.get("decision") == "refuse":
            if not (data.get("reasons") or "").strip():
                self.add_error("reasons", _("不予许可的，须说明理由。"))
            if not data.get("confirm"):
                self.add_error("confirm", _("请确认后再出具不予许可决定书：该决定不能撤回。"))
        return data


class CorrectionForm(ServiceForm):
    """What the department needs corrected: materials of the case and free-text ones, each with
    its reason. Everything is listed at once (一次性告知)."""

    def __init__(self, *args, materials: Iterable[CaseMaterial] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        for material in self.materials:
            self.fields[f"material_{material.pk}"] = forms.BooleanField(
                label=material.name, required=False
            )
            self.fields[f"reason_{material.pk}"] = forms.CharField(
                label=_("%(name)s的补正原因") % {"name": material.name},
                required=False,
                max_length=300,
            )
        for index in range(1, EXTRA_CORRECTION_ROWS + 1):
            self.fields[f"extra_name_{index}"] = forms.CharField(
                label=_("其他材料%(n)s名称") % {"n": index}, required=False, max_length=200
            )
            self.fields[f"extra_reason_{index}"] = forms.CharField(
                label=_("其他材料%(n)s的补正原因") % {"n": index}, required=False, max_length=300
            )

    def material_rows(self) -> list[dict]:
        return [
            {
                "material": material,
                "check": self[f"material_{material.pk}"],
                "reason": self[f"reason_{material.pk}"],
            }
            for material in self.materials
        ]

    def extra_rows(self) -> list[dict]:
        return [
            {
                "index": index,
                "name": self[f"extra_name_{index}"],
                "reason": self[f"extra_reason_{index}"],
            }
            for index in range(1, EXTRA_CORRECTION_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        items: list[tuple[str, str]] = []
        for material in self.materials:
            reason = (data.get(f"reason_{material.pk}") or "").strip()
            if data.get(f"material_{material.pk}"):
                if not reason:
                    self.add_error(f"reason_{material.pk}", _("请说明补正原因。"))
                items.append((material.name, reason))
        for index in range(1, EXTRA_CORRECTION_ROWS + 1):
            name = (data.get(f"extra_name_{index}") or "").strip()
            reason = (data.get(f"extra_reason_{index}") or "").strip()
            if name and not reason:
                self.add_error(f"extra_reason_{index}", _("请说明补正原因。"))
            elif reason and not name:
                self.add_error(f"extra_name_{index}", _("请填写材料名称。"))
            if name:
                items.append((name, reason))
        if not items and not self.errors:
            raise ValidationError(_("请至少列出一项需要补正的材料及原因。"))
        data["items"] = items
        return data


class SpecialProcedureForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("特别程序类型"),
        required=False,
        choices=[("", _("请选择"))]
        + [(kind, StepSuspension.Kind(kind).label) for kind in SPECIAL_KINDS],
    )
    reason = forms.CharField(
        label=_("事由"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_days = forms.IntegerField(
        label=_("预计所需工作日"),
        required=False,
        help_text=_("书面告知申请人；该期间不计入审批期限（行政许可法第四十五条）。"),
    )


class ExtensionRequestForm(ServiceForm):
    days = forms.IntegerField(label=_("延长工作日"), required=False)
    reason = forms.CharField(
        label=_("延长理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.fields["days"].help_text = _(
            "最多 %(cap)s 个工作日，只能延长一次，须经部门负责人批准（行政许可法第四十二条）。"
        ) % {"cap": cap}
        self.fields["days"].widget.attrs.update({"min": 1, "max": cap})


class WrittenOpinionForm(ServiceForm):
    opinion = forms.CharField(
        label=_("书面意见"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtensionDecideForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("审批结果"), choices=[("approve", _("批准")), ("reject", _("不批准"))]
    )
    reason = forms.CharField(
        label=_("不批准理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不批准的须写明理由；申请部门将收到该理由。"),
    )
    confirm = forms.BooleanField(
        label=_("我已知晓：决定作出后不能更改，不批准的不能再次申请延长。"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") and not data.get("confirm"):
            self.add_error("confirm", _("请确认后再作出决定：该决定不可撤回。"))
        if data.get("decision") == "reject" and len((data.get("reason") or "").strip()) < 4:
            self.add_error("reason", _("不批准延长的，须写明理由（至少 4 个字）。"))
        return data
