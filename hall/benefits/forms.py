"""The department's batch confirmation of a 免申即享 list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from hall.common.forms import ServiceErrorsMixin


class BatchConfirmForm(ServiceErrorsMixin, forms.Form):
    checked = forms.BooleanField(
        label=gettext_lazy("已核对名单、享受条件和政策依据，确认对名单中的对象准予"),
        required=False,
    )
