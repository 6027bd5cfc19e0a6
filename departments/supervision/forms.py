import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.clock.deadlines import Light
from departments.supervision.selectors import clerks, warning_filter_choices
from departments.supervision.services import NOTE_MAX_LENGTH


def _person(user) -> str:
    return f"{user.last_name}{user.first_name}（{user.username}）"


class OverrideForm(forms.Form):
    """A supervisor allows a second correction notice: the materials of the first again (the
    applicant brought them back still wrong), optionally with one the first did not list."""

    material = forms.ChoiceField(label=_("需补充告知的材料"), required=False)
    defect = forms.CharField(label=_("存在的问题"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("批准补充告知的理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [("", _("（不增加，仅再次告知已列材料）"))] + [
            (str(m.pk), m.name) for m in materials
        ]

    def clean(self):
        data = super().clean()
        if data.get("material") and not (data.get("defect") or "").strip():
            self.add_error("defect", _("请说明该材料存在的问题。"))
        return data


class HandoverForm(forms.Form):
    new_owner = forms.ModelChoiceField(label=_("新的首问责任人"), queryset=clerks())
    reason = forms.CharField(
        label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].label_from_instance = _person


class ReminderForm(forms.Form):
    """督办 from the case page: the whole case or one step, with a note.

    `reminder_id` is drawn when the form is shown; sending the same form twice (a double click)
    therefore makes one reminder.
    """

    step = forms.TypedChoiceField(label=_("督办环节"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(
        label=_("督办说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_("发送给审查人员、部门负责人和首问责任人。"),
    )
    reminder_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, steps=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reminder_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", _("整个办件（所有在办环节）"))] + [
            (step.pk, f"{step.department.label} · {step.name}") for step in steps
        ]


class WarningFilterForm(forms.Form):
    """Filters of the warnings list. The choices are read once each as rows of (id, label), one
    query per list (as model instances they were a third of the dashboard's view; issue 27)."""

    light = forms.ChoiceField(
        label=_("预警"),
        required=False,
        choices=[
            ("", _("全部")),
            (Light.YELLOW.value, Light.YELLOW.label),
            (Light.RED.value, Light.RED.label),
        ],
    )
    department = forms.TypedChoiceField(label=_("部门"), required=False, coerce=int)
    officer = forms.TypedChoiceField(label=_("审查人员"), required=False, coerce=int)
    owner = forms.TypedChoiceField(label=_("首问责任人"), required=False, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        empty = {"department": _("全部部门"), "officer": _("全部人员"), "owner": _("全部人员")}
        for name, choices in warning_filter_choices().items():
            self.fields[name].choices = [("", empty[name]), *choices]

    def filters(self) -> dict:
        """The cleaned filters: the light, and the chosen department's, officer's and owner's
        ids (empty ones as None; a value outside the choices does not validate)."""
        data = self.cleaned_data
        return {
            "light": data.get("light") or "",
            **{name: data.get(name) or None for name in ("department", "officer", "owner")},
        }


class InstantReviewForm(forms.Form):
    """The outcome of a sampled instant approval's review (事后抽查)."""

    outcome = forms.ChoiceField(
        label=_("抽查结论"),
        choices=[("passed", _("合格")), ("failed", _("不合格，撤销许可决定"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("抽查意见"), max_length=500, required=False)
