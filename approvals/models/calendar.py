"""The working-day calendar data: a year's statutory holidays and make-up working days (调休)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official holiday list has been entered. Years without a row are unknown."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One date that differs from the Monday–Friday rule: a holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        WORKDAY = "workday", _("调休上班日")

    year = models.ForeignKey(
        CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.year_id and self.date and self.date.year != self.year.year:
            raise ValidationError({"date": _("日期不属于所选年度。")})
