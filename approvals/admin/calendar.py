"""Admin for the holiday calendar: the years the package carries, and the ones entered by hand.

Each December the State Council publishes the next year's holidays; an administrator adds the
year and its dates here (Art. 82). Deadline computations see the change at once
(approvals.clock.calendar.working_calendar), and every open deadline reaching into the year
is computed again when it is saved.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from approvals.models import CalendarDay, CalendarYear
from approvals.reviews.recompute import review_deadlines_recompute
from hall.intake.recompute import intake_deadlines_recompute


def _recompute(request, year: int, admin_site) -> None:
    """A year's data changed: every open deadline reaching into it is computed again, in the
    admin's transaction, and the people concerned are told of each date that moved."""
    moved = intake_deadlines_recompute(year=year, actor=request.user) + review_deadlines_recompute(
        year=year, actor=request.user
    )
    if moved:
        admin_site.message_user(
            request,
            _("%(year)s 年日历已更新，%(n)s 个在办期限已重新计算并通知相关人员。")
            % {"year": year, "n": moved},
        )


class CalendarDayInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        # CalendarDay.clean() cannot check the year while the year itself is being created (it
        # has no pk yet), which is exactly when an administrator enters a new year by hand. A date
        # filed under the wrong year would be ignored by the clock, so refuse it here.
        super().clean()
        year = self.instance.year
        for form in self.forms:
            day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
            if day is None or form.cleaned_data.get("DELETE") or year is None:
                continue
            if day.year != year:
                form.add_error("date", _("日期不属于所选年度。"))


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayInlineFormSet
    fields = ("date", "kind", "name")
    extra = 3
    ordering = ("date",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "holiday_count", "workday_count", "source")
    search_fields = ("year", "days__date", "days__name")
    inlines = (CalendarDayInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
                workday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)),
            )
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _recompute(request, form.instance.year, self)

    def delete_model(self, request, obj):
        year = obj.year
        super().delete_model(request, obj)
        _recompute(request, year, self)

    @admin.display(description=_("节假日（天）"), ordering="holiday_count")
    def holiday_count(self, obj: CalendarYear) -> int:
        return obj.holiday_count

    @admin.display(description=_("调休上班日（天）"), ordering="workday_count")
    def workday_count(self, obj: CalendarYear) -> int:
        return obj.workday_count


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "year")
    list_filter = ("kind", "year", "name")
    search_fields = ("date", "name")
    date_hierarchy = "date"
    list_select_related = ("year",)
    autocomplete_fields = ("year",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _recompute(request, obj.year.year, self)

    def delete_model(self, request, obj):
        year = obj.year.year
        super().delete_model(request, obj)
        _recompute(request, year, self)

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")
