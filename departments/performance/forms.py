"""The period form of the performance pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.performance import periods


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    """A period of Shanghai calendar dates, both ends included; at most a year and a day."""

    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())

    def __init__(self, *args, default: periods.Period, **kwargs):
        self.default = default
        # ISO strings, not dates: a date would be rendered localised (2026年10月1日), which a
        # date input cannot read.
        kwargs.setdefault(
            "initial", {"start": default.start.isoformat(), "end": default.end.isoformat()}
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days + 1 > periods.MAX_PERIOD_DAYS:
                self.add_error(
                    "end",
                    _("统计期间最长 %(days)s 天。") % {"days": periods.MAX_PERIOD_DAYS},
                )
        return data

    @classmethod
    def period_from(cls, data, *, default: periods.Period) -> tuple[PeriodForm, periods.Period]:
        """The bound form and its period; the default period when nothing (or nothing valid)
        was asked for, so the page always shows figures."""
        if not any(data.get(name) for name in ("start", "end")):
            return cls(default=default), default
        form = cls(data, default=default)
        if form.is_valid():
            return form, periods.Period(
                start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        return form, default
