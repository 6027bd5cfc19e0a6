"""Forms of the kiosk: appointment check-in, the locker's pick-up code, rating a visit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hall.models import ServiceRating
from hall.ratings import services as ratings

# The standard's reasons for a bad rating (GB/T 39734), offered on the kiosk.
COMMON_REASONS = ServiceRating.REASONS


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("预约码或身份证号"),
        max_length=24,
        help_text=_("预约短信中的 8 位预约码，或预约人的身份证号码。"),
    )


class PickUpForm(forms.Form):
    code = forms.CharField(
        label=_("取件码"),
        max_length=12,
        help_text=_("短信中的 8 位取件码，只能使用一次。"),
    )


class KioskRatingForm(forms.Form):
    number = forms.CharField(
        label=_("排队号码"),
        max_length=10,
        help_text=_("号票上的号码，例如 A001。只能评价今天的办事。"),
    )
    check_code = forms.CharField(
        label=_("评价码"),
        max_length=6,
        help_text=_("号票上“评价码”后的 6 位数字，确认是您本人的办事。"),
    )
    level = forms.TypedChoiceField(
        label=_("评价等级"),
        choices=ServiceRating.LEVELS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级。")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("常见问题（可多选）"),
        choices=COMMON_REASONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("评价理由"),
        required=False,
        max_length=ratings.REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("评价为“不满意”或“非常不满意”时必填，可以只选常见问题。"),
    )

    def combined_reason(self) -> str:
        labels = dict(COMMON_REASONS)
        parts = [str(labels[code]) for code in self.cleaned_data.get("reasons", [])]
        text = self.cleaned_data.get("reason", "").strip()
        return "；".join([*parts, text] if text else parts)
