"""Forms of the agents' pages: a note on a case, the applicant's rating of the agent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from hall.agency import services as agency
from hall.models import ServiceRating
from hall.ratings import services as ratings


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("代办记录"),
        max_length=agency.NOTE_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("记录为申请人做了什么（沟通、递交材料、领取结果等）。"),
    )


class AgentRatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("评价等级"),
        choices=[("", gettext_lazy("请选择")), *ServiceRating.LEVELS],
        coerce=int,
        empty_value=None,
    )
    reason = forms.CharField(
        label=gettext_lazy("评价理由"),
        required=False,
        max_length=ratings.REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("按申请人的意见填写；“不满意”“非常不满意”须填写理由。"),
    )
