from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看事由"),
        max_length=300,
        help_text=_("例如：核对身份、电话联系补正、寄递结果。事由记入访问记录，申请人可以看到。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
