"""Forms of the applicant portal: SMS code, registration, identity binding, sign-in, agency,
rating."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hall.cases import applicants
from hall.common import validators
from hall.common.forms import form_add_field_errors, form_add_service_errors
from hall.common.personal_data import phone_account_username
from hall.models import Applicant, Case, ServiceRating

PHONE_ATTRS = {"autocomplete": "tel", "inputmode": "numeric"}
CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric"}


class SmsSendForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        validators.validate_mobile(value)
        return validators.normalize_mobile(value)


class IdentityFields(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"), choices=Applicant.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=gettext_lazy("姓名或企业名称"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("居民身份证号码（个人）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("18 位，末位可为 X"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    uscc = forms.CharField(
        label=gettext_lazy("统一社会信用代码（企业）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("18 位"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    legal_representative = forms.CharField(
        label=gettext_lazy("法定代表人（企业）"), max_length=100, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱（选填）"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RegisterForm(IdentityFields):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        max_length=20,
        help_text=gettext_lazy("登录账号；请先获取短信验证码"),
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=10,
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    password1 = forms.CharField(
        label=gettext_lazy("设置密码"),
        strip=False,
        help_text=gettext_lazy(
            "至少 12 位，不能全是数字，不能与手机号或姓名相近，不能由同一段字符重复组成"
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["phone", "code", "password1", "password2", "kind", "name"]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        # Everything the registration checks, said in this one round (issue 32): the phone, the
        # ID number's check digit, the name, the password's rules. Only the SMS code waits for a
        # form without other errors, so that a typo elsewhere does not use it up.
        form_add_field_errors(self, applicants.applicant_details_errors_in(data))
        if data.get("password1") and "password1" not in self.errors:
            try:
                password_validation.validate_password(
                    data["password1"],
                    user=User(username=data.get("phone") or "", last_name=data.get("name") or ""),
                )
            except ValidationError as error:
                self.add_error("password1", error.messages)
        return data

    def service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "password" in error.error_dict:
            error.error_dict["password1"] = error.error_dict.pop("password")
        form_add_service_errors(self, error)


class BindForm(IdentityFields):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"), max_length=10, widget=forms.TextInput(attrs=CODE_ATTRS)
    )
    field_order = ["phone", "code", "kind", "name"]


class PhoneLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy("手机号码或密码不正确。"),
        "inactive": gettext_lazy("该账号已停用。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("手机号码")
        self.fields["username"].widget.attrs.update(PHONE_ATTRS | {"autocomplete": "username"})
        self.fields["password"].label = _("密码")

    def clean_username(self):
        value = self.cleaned_data["username"]
        if not validators.is_valid_mobile(value):
            return value
        return phone_account_username(validators.normalize_mobile(value))


class CodeLoginForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"), max_length=10, widget=forms.TextInput(attrs=CODE_ATTRS)
    )


class AgencyForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("代办需求（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RatingForm(forms.Form):
    stage = forms.ChoiceField(
        label=gettext_lazy("评价环节"),
        choices=ServiceRating.Stage.choices,
        required=False,
        help_text=gettext_lazy("收件、受理、办结各可评价一次。"),
    )
    level = forms.TypedChoiceField(
        label=gettext_lazy("评价"), coerce=int, choices=[("", gettext_lazy("请选择"))]
    )
    reason_codes = forms.MultipleChoiceField(
        label=gettext_lazy("差评原因（“不满意”时至少选一项）"),
        choices=ServiceRating.REASONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=gettext_lazy("评价理由（“不满意”时请填写）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("请选择")), *ServiceRating.LEVELS]
        if stages is not None:
            labels = dict(ServiceRating.Stage.choices)
            self.fields["stage"].choices = [(s, labels[s]) for s in stages]
            if stages:
                self.fields["stage"].initial = stages[-1]


class DeliveryChoiceForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("结果送达方式"),
        widget=forms.RadioSelect,
        choices=Case._meta.get_field("delivery_choice").choices,
    )
    address = forms.CharField(
        label=gettext_lazy("寄递地址"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("邮寄或快递送达时填写，包括收件人和电话。"),
    )


WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


class SlotForm(forms.Form):
    item = forms.TypedChoiceField(label=gettext_lazy("办理事项"), coerce=int)
    day = forms.TypedChoiceField(label=gettext_lazy("日期"), coerce=datetime.date.fromisoformat)
    slot = forms.CharField(label=gettext_lazy("时段"), required=False)

    def __init__(self, *args, items, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}
        self.fields["item"].choices = [("", _("请选择事项")), *((i.pk, i.name) for i in items)]
        self.fields["day"].choices = [
            (day.isoformat(), f"{day:%Y-%m-%d} {WEEKDAYS[day.weekday()]}") for day in days
        ]
