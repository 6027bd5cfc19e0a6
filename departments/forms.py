from django import forms
from django.utils.translation import gettext_lazy as _

from departments.selectors import clerks


class OverrideForm(forms.Form):
    material = forms.ChoiceField(label=_("需补充告知的材料"))
    defect = forms.CharField(label=_("存在的问题"), max_length=300)
    reason = forms.CharField(
        label=_("批准补充告知的理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [(str(m.pk), m.name) for m in materials]


class HandoverForm(forms.Form):
    new_owner = forms.ModelChoiceField(label=_("新的首问责任人"), queryset=clerks())
    reason = forms.CharField(
        label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].label_from_instance = lambda user: (
            f"{user.last_name}{user.first_name}（{user.username}）"
        )
