"""Forms of the progress lookup: by receipt and code, or by ID number and an SMS code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class ReceiptForm(forms.Form):
    receipt_no = forms.CharField(
        label=gettext_lazy("收件编号"),
        max_length=30,
        help_text=gettext_lazy("印在受理通知书等文书上，例如 FT2026030200001"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    code = forms.CharField(
        label=gettext_lazy("查询验证码"),
        max_length=10,
        help_text=gettext_lazy("6 位数字，印在文书上"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class IdentityForm(forms.Form):
    identity = forms.CharField(
        label=gettext_lazy("身份证号码或统一社会信用代码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class IdentityCodeForm(IdentityForm):
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
