"""Forms of 接诉即办's pages: receiving at the window, each step of an order, the call-back."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy

from departments.models import Department
from hall.common.validators import is_valid_mobile, normalize_mobile
from hall.models import KnowledgeEntry, WorkOrder
from hall.orders import selectors
from hall.orders import services as orders


def _text(label, *, max_length=orders.TEXT_MAX, help_text="", required=True):
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea,
        help_text=help_text,
        required=required,
    )


class ReceiveForm(forms.Form):
    """The complaint desk and the "办不成事" window: the clerk who fills it owns the order."""

    channel = forms.ChoiceField(
        label=gettext_lazy("受理渠道"),
        choices=[
            (WorkOrder.Channel.WINDOW, WorkOrder.Channel.WINDOW.label),
            (WorkOrder.Channel.CANNOT_DO, WorkOrder.Channel.CANNOT_DO.label),
        ],
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("诉求分类"), queryset=selectors.categories_active(), empty_label=None
    )
    title = forms.CharField(label=gettext_lazy("诉求标题"), max_length=orders.TITLE_MAX)
    content = _text(gettext_lazy("诉求内容"), max_length=orders.CONTENT_MAX)
    contact_name = forms.CharField(label=gettext_lazy("诉求人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=11,
        required=False,
        help_text=gettext_lazy("11 位手机号码；答复和回访短信发到这里。"),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("对承办部门匿名（部门只看到遮盖后的姓名和电话）"), required=False
    )
    about_clerk = forms.ModelChoiceField(
        label=gettext_lazy("被投诉的工作人员"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("投诉具体工作人员时选择；工单不会派给该人员，也不会让其看到。"),
    )
    receipt_no = forms.CharField(
        label=gettext_lazy("相关办件收件编号"), max_length=20, required=False
    )
    escalate = forms.BooleanField(
        label=gettext_lazy("立即提交监察人员协调（“办不成事”反映窗口）"), required=False
    )

    def clean_contact_phone(self) -> str:
        # checked with the rest of the form, so that every error shows in one round
        phone = normalize_mobile(self.cleaned_data["contact_phone"])
        if phone and not is_valid_mobile(phone):
            raise forms.ValidationError(gettext_lazy("请输入 11 位手机号码。"))
        return phone

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about_clerk"].queryset = selectors.staff_who_may_be_named()
        self.fields["about_clerk"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )


class DispatchForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("承办部门"),
        queryset=Department.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    task = forms.CharField(
        label=gettext_lazy("承办内容"),
        max_length=500,
        help_text=gettext_lazy("写明要部门做什么；各部门相同。"),
    )


class PartForm(forms.Form):
    part = forms.IntegerField(widget=forms.HiddenInput)


class InsistForm(PartForm):
    note = forms.CharField(label=gettext_lazy("坚持派单的理由"), max_length=500)


class AnswerForm(PartForm):
    answer = _text(gettext_lazy("办理结果"), help_text=gettext_lazy("首接责任人据此答复市民。"))


class ReturnForm(PartForm):
    reason = forms.CharField(
        label=gettext_lazy("退回理由"),
        max_length=500,
        help_text=gettext_lazy("派单后一个工作日内、仅能退回一次。"),
    )


class ExtensionRequestForm(forms.Form):
    working_days = forms.IntegerField(
        label=gettext_lazy("延期工作日"), min_value=1, max_value=orders.EXTENSION_MAX_WORKING_DAYS
    )
    reason = forms.CharField(label=gettext_lazy("延期理由"), max_length=500)


class ExtensionDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=gettext_lazy("审批"),
        choices=[("yes", gettext_lazy("批准延期")), ("no", gettext_lazy("不批准"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("审批意见"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("不批准须写明理由。"),
    )


class ReplyForm(forms.Form):
    knowledge = forms.TypedChoiceField(
        label=gettext_lazy("引用知识库答复"),
        choices=[],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("引用时答复可不填，使用条目的答复；依据会附在答复后。"),
    )
    reply = _text(
        gettext_lazy("答复市民"), help_text=gettext_lazy("以短信发给诉求人。"), required=False
    )

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["knowledge"].choices = [("", gettext_lazy("不引用"))] + [
            (entry.pk, f"{entry.question}（{entry.source}）") for entry in suggestions
        ]


class ClaimForm(forms.Form):
    """Claiming needs nothing but the button."""


class CloseForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("已答复市民，确认办结"))


class CallbackForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=gettext_lazy("问题是否已解决"),
        choices=[("yes", gettext_lazy("已解决")), ("no", gettext_lazy("未解决"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("满意程度"),
        choices=WorkOrder.Satisfaction.choices,
        widget=forms.RadioSelect,
    )


class PhoneCallbackForm(CallbackForm):
    note = forms.CharField(label=gettext_lazy("回访记录"), max_length=500, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("查看完整联系方式的事由"),
        max_length=300,
        help_text=gettext_lazy("查看会记入个人信息访问记录。"),
    )


class CitizenOrderForm(forms.Form):
    """A request or complaint from the portal (signed in: the contact is the account's) or the
    kiosk (a phone for the reply)."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("反映的问题类别"),
        queryset=selectors.categories_active(),
        empty_label=None,
    )
    title = forms.CharField(label=gettext_lazy("一句话说明问题"), max_length=orders.TITLE_MAX)
    content = _text(
        gettext_lazy("详细情况"),
        max_length=orders.CONTENT_MAX,
        help_text=gettext_lazy("时间、地点、经过；与办件有关请写收件编号。"),
    )
    receipt_no = forms.CharField(
        label=gettext_lazy("相关办件收件编号（可不填）"), max_length=20, required=False
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("不让承办部门看到我的姓名和电话"), required=False
    )


class KioskOrderForm(CitizenOrderForm):
    field_order = [
        "category", "title", "content", "contact_name", "contact_phone", "receipt_no", "anonymous"
    ]  # fmt: skip
    contact_name = forms.CharField(
        label=gettext_lazy("您的姓名（可不填）"), max_length=50, required=False
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        max_length=11,
        help_text=gettext_lazy("答复和回访短信发到这个号码。"),
    )

    def clean_contact_phone(self) -> str:
        phone = normalize_mobile(self.cleaned_data["contact_phone"])
        if not is_valid_mobile(phone):
            raise forms.ValidationError(gettext_lazy("请输入 11 位手机号码。"))
        return phone


class KnowledgeForm(forms.Form):
    key = forms.SlugField(
        label=gettext_lazy("条目标识"),
        max_length=60,
        help_text=gettext_lazy("小写字母、数字和连字符，如 juzhuzheng-xuqian。"),
    )
    question = forms.CharField(label=gettext_lazy("问题"), max_length=200)
    answer = _text(gettext_lazy("答复"))
    source_kind = forms.ChoiceField(
        label=gettext_lazy("依据类型"), choices=KnowledgeEntry.Source.choices
    )
    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=300,
        help_text=gettext_lazy("事项编码和名称、法规名称和条款，或文件文号。"),
    )


class KnowledgeReviseForm(KnowledgeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["key"]
