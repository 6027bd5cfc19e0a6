"""Forms of the front of house. They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.models import CaseDecision, IntakeQuestion
from approvals.reviews.delivery import CARRIERS
from hall.cases import applicants
from hall.common.forms import ServiceErrorsMixin, form_add_field_errors
from hall.models import Applicant, CaseMaterial


class ApplicantForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("申请人类型"), choices=Applicant.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("姓名/名称"), max_length=200, required=False)
    id_number = forms.CharField(
        label=_("居民身份证号码"), max_length=20, required=False, help_text=_("18 位，末位可为 X")
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=20, required=False, help_text=_("18 位")
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)
    confirm_contact_change = forms.BooleanField(
        label=_("确认变更联系方式"),
        required=False,
        help_text=_("仅在已登记的申请人更换姓名（名称）或手机号码时勾选，须先核对其证件。"),
    )

    def clean(self):
        # Every problem in one round (issue 32): the phone, the ID number's check digit, the
        # USCC and the name are checked here with the e-mail, not only after it is right.
        data = super().clean()
        form_add_field_errors(self, applicants.applicant_details_errors_in(data))
        return data


class CaseLookupForm(forms.Form):
    receipt_no = forms.CharField(label=_("收件编号"), max_length=20)


class ApplicantSearchForm(forms.Form):
    identity = forms.CharField(label=_("身份证号码或统一社会信用代码"), max_length=20)


def question_fields(questions: list[IntakeQuestion], prefix: str = "") -> dict[str, forms.Field]:
    """One required choice field per intake question, named `<prefix><key>`."""
    return {
        f"{prefix}{question.key}": forms.ChoiceField(
            label=question.text,
            choices=[("", _("请选择"))] + [(str(v), str(label)) for v, label in question.choices],
            required=True,
        )
        for question in questions
    }


class QuestionsForm(forms.Form):
    def __init__(self, *args, fields: dict[str, forms.Field], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields)


class RefuseForm(forms.Form):
    reasons = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 3}))
    office = forms.CharField(label=_("有权机关（选填）"), required=False, max_length=200)
    # Irreversible (issue 32): the decision is issued in writing and cannot be taken back.
    confirm = forms.BooleanField(
        label=_("我已核实：不予受理决定书一经出具即送达申请人，不能撤回。"),
        error_messages={"required": _("请确认后再出具不予受理决定书：该决定不能撤回。")},
    )


class ReferForm(forms.Form):
    office = forms.CharField(label=_("转办至"), max_length=200)
    reasons = forms.CharField(label=_("转办理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReferralCloseForm(ServiceErrorsMixin, forms.Form):
    """首问负责 after a referral: the owner records how the office it went to settled it."""

    outcome = forms.CharField(
        label=_("承接机关的办理结果"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("跟进转办后，写明承接机关办理的结果，办件即办结。"),
    )


class ToleranceForm(forms.Form):
    """容缺受理 at the window: the supplement deadline, how the missing secondary materials are to
    be supplied, and the applicant's signed commitment."""

    deadline = forms.DateField(
        label=_("补齐期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不得超过本事项的承诺办结期限。"),
    )
    supplement_form = forms.ChoiceField(
        label=_("补齐方式"), choices=CaseMaterial.SupplementForm.choices
    )
    commitment_signed = forms.BooleanField(
        label=_("申请人已签署容缺受理承诺书"),
        error_messages={"required": _("容缺受理须由申请人签署容缺受理承诺书。")},
    )


class SupplementForm(forms.Form):
    """A tolerated material arrived: how."""

    via = forms.ChoiceField(label=_("补齐方式"), choices=CaseMaterial.SupplementForm.choices)


class DeliveryForm(ServiceErrorsMixin, forms.Form):
    method = forms.ChoiceField(
        label=_("送达方式"),
        required=False,
        choices=CaseDecision.Delivery.choices,
        widget=forms.RadioSelect,
    )
    carrier = forms.ChoiceField(
        label=_("寄递企业"),
        required=False,
        choices=[("", _("邮寄或快递时选择")), *((c, c) for c in CARRIERS)],
    )
    note = forms.CharField(
        label=_("运单号"),
        required=False,
        max_length=40,
        help_text=_("邮寄时必填；快递未填时由系统向快递公司下单并取得运单号。"),
    )
    locker_cell = forms.CharField(
        label=_("柜格号"),
        required=False,
        max_length=20,
        help_text=_("智能柜自取时填写；取件码由系统短信发送给申请人，只能使用一次。"),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and case.delivery_choice and not self.is_bound:
            self.initial["method"] = case.delivery_choice
