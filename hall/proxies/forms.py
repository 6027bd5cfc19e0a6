"""Forms of 亲友代办: asking online, the principal's code, granting and revoking at the window."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hall.common.forms import ServiceErrorsMixin
from hall.models import Case, ProxyAuthorisation
from hall.proxies.selectors import proxy_item_choices

CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric"}
DEFAULT_PERIOD = datetime.timedelta(days=90)


def _until_field() -> forms.DateField:
    return forms.DateField(
        label=gettext_lazy("授权截止日期"),
        help_text=gettext_lazy("最长一年；到期自动失效，也可随时撤销。"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请填写正确的日期，例如 2027-03-01。")},
    )


class _ScopeFields(ServiceErrorsMixin, forms.Form):
    relationship = forms.ChoiceField(
        label=gettext_lazy("与被代办人的关系"), choices=ProxyAuthorisation.Relationship.choices
    )
    item_codes = forms.MultipleChoiceField(
        label=gettext_lazy("代办事项"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_codes"].choices = proxy_item_choices()
        self.fields["valid_until"] = _until_field()
        self.initial.setdefault("valid_until", timezone.localdate() + DEFAULT_PERIOD)


class ProxyRequestForm(_ScopeFields):
    """The relative or friend names the person they will act for."""

    principal_name = forms.CharField(
        label=gettext_lazy("被代办人姓名"), max_length=100, widget=forms.TextInput()
    )
    principal_id_number = forms.CharField(
        label=gettext_lazy("被代办人居民身份证号码"),
        max_length=20,
        help_text=gettext_lazy("18 位，末位可为 X"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    field_order = ["principal_name", "principal_id_number", "relationship", "item_codes"]


class ProxyConfirmForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("被代办人收到的短信验证码"),
        max_length=10,
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )


class WindowGrantForm(_ScopeFields):
    """At the window, both people present."""

    proxy_id_number = forms.CharField(
        label=gettext_lazy("代办人居民身份证号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    case = forms.ChoiceField(
        label=gettext_lazy("或只授权一个办件"),
        required=False,
        help_text=gettext_lazy("选择办件时，上面勾选的事项不起作用。"),
    )
    both_present = forms.BooleanField(
        label=gettext_lazy("已核验双方身份证件原件，双方均在场并同意"), required=False
    )
    field_order = ["proxy_id_number", "relationship", "item_codes", "case", "valid_until"]

    def __init__(self, *args, cases: list[Case] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", "—")] + [
            (str(case.pk), f"{case.receipt_no} {case.item.name}") for case in cases
        ]
        self.order_fields(self.field_order)


class RevokeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤销原因（可不填）"), max_length=200, required=False
    )
