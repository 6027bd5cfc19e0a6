"""Appointments (预约): a slot of the hall's opening hours booked for an item, checked in at the
kiosk into a queue ticket called ahead of walk-ins (hall.queue.appointments)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.models.people import Applicant
from hall.models.queue import QueueTicket


class AppointmentSlot(models.Model):
    """One bookable slot of one queue category (a window group). `booked` counts the live
    bookings; the booking service locks the row, so it never passes `capacity`."""

    category = models.CharField(_("取号类别"), max_length=20)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约数"))
    booked = models.PositiveSmallIntegerField(_("已预约数"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at", "category"]
        constraints = [
            models.UniqueConstraint(fields=["category", "starts_at"], name="slot_once"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        LATE = "late", _("迟到，按现场取号")
        NO_SHOW = "no_show", _("爽约")
        CANCELLED = "cancelled", _("已取消")

    # Printed and sent by SMS; random, so codes cannot be tried in order (hall.queue.appointments).
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="appointments"
    )
    item = models.ForeignKey(
        "approvals.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    slot = models.ForeignKey(
        AppointmentSlot, verbose_name=_("时段"), on_delete=models.PROTECT,
        related_name="appointments",
    )  # fmt: skip
    day = models.DateField(_("预约日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    ticket = models.OneToOneField(
        QueueTicket, verbose_name=_("排队号"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="appointment",
    )  # fmt: skip
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    # 亲友代办: booked by a relative or friend under this authorisation (the principal is told)
    booked_under = models.ForeignKey(
        "hall.ProxyAuthorisation",
        verbose_name=_("代办授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["day", "slot__starts_at", "pk"]
        constraints = [
            # One live booking per person, item and day: a second tap returns the first.
            models.UniqueConstraint(
                fields=["applicant", "item", "day"],
                condition=Q(status="booked"),
                name="appointment_once_a_day",
            )
        ]
        indexes = [
            models.Index(fields=["day", "status"], name="appointment_day_status"),
            models.Index(
                fields=["applicant", "day"],
                condition=Q(status="no_show"),
                name="appointment_no_shows",
            ),
        ]

    def __str__(self) -> str:
        return self.code
