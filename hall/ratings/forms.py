"""Forms of 好差评's rectification pages: start, answer, extend, claim, review, appeal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from hall.ratings import services as ratings


def _text_field(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=help_text,
    )


class StartForm(forms.Form):
    measures = _text_field(
        gettext_lazy("整改措施"), gettext_lazy("写明核实的情况和要采取的整改措施。")
    )


class AnswerForm(forms.Form):
    callback = forms.CharField(
        label=gettext_lazy("回访情况"),
        required=False,
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("实名差评须先回访申请人：回访时间、方式和申请人的意见。"),
    )
    answer = _text_field(
        gettext_lazy("核实整改答复"), gettext_lazy("写明核实情况、整改结果；答复将通知申请人。")
    )


class ExtendForm(forms.Form):
    extension_reason = forms.CharField(label=gettext_lazy("延期理由"), max_length=300)


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("申请类型"),
        choices=[("invalid", gettext_lazy("无效差评")), ("unfixable", gettext_lazy("无法整改"))],
        widget=forms.RadioSelect,
    )
    claim = _text_field(
        gettext_lazy("理由"), gettext_lazy("由另一位监察人员审核；审核通过后通知申请人。")
    )


class ReviewForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=gettext_lazy("审核结果"),
        choices=[("1", gettext_lazy("同意")), ("0", gettext_lazy("不同意，继续整改"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    review_note = _text_field(gettext_lazy("审核意见"))


class AppealAnswerForm(forms.Form):
    appeal_answer = forms.CharField(
        label=gettext_lazy("申诉答复"),
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("答复后本次差评整改办结，答复将通知申请人。"),
    )


class AppealForm(forms.Form):
    appeal = forms.CharField(
        label=gettext_lazy("申诉内容"),
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("请说明您对答复不满意的地方。每次评价可申诉一次。"),
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=8,
        required=False,
        help_text=gettext_lazy("为确认是您本人申诉，请获取并输入发送到您登记手机的验证码。"),
    )
