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


class CalendarRevision(models.Model):
    """One row whose number changes with every write to the calendar's two tables.

    On PostgreSQL, statement triggers on CalendarYear and CalendarDay set it from a sequence
    (migration 0018), so a write from the admin, a shell, the loader or another process gives a
    number never seen before, visible when that write commits. A process keeps the calendar it
    built with the number it read and reads one small row per action instead of the whole
    calendar (`approvals.clock.calendar.working_calendar`). Without the row (another database, or
    after the test runner emptied the tables) the calendar is compared row by row, as before.
    """

    revision = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.revision)
