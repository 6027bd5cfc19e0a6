from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.people import Applicant, Window


class QueueTicket(models.Model):
    """A queue ticket taken at the kiosk (取号) and called to a window (叫号)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        DONE = "done", _("已完成")
        NO_SHOW = "no_show", _("过号")

    number = models.CharField(_("号码"), max_length=10)
    category = models.CharField(_("取号类别"), max_length=20)
    issued_on = models.DateField(_("取号日期"))
    issued_at = models.DateTimeField(_("取号时间"))
    # The kiosk page's one-time token: a double tap (two requests at once) takes one ticket.
    tap_token = models.CharField(
        _("取号页标识"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Printed on the slip: only the person holding it can rate the visit (the number alone is
    # sequential and guessable). Wrong codes are counted and stop the kiosk rating at a limit.
    check_code = models.CharField(_("评价码"), max_length=6, blank=True, default="")
    rating_failures = models.PositiveSmallIntegerField(_("评价码错误次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    # Checked in from an appointment on time: called ahead of walk-ins of the same category,
    # within hall.queue.services.APPOINTMENT_BURST (so walk-ins keep moving).
    by_appointment = models.BooleanField(_("预约"), default=False)
    # Aged 70 or over by the ID number shown at the kiosk (国办发〔2020〕45号); only the flag is
    # kept. With HALL_QUEUE_ELDER_PRIORITY on, called ahead of the others of the category.
    elder = models.BooleanField(_("长者优先"), default=False)
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    clerk = models.ForeignKey(
        "auth.User",
        verbose_name=_("窗口工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    served_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    transferred_from = models.ForeignKey(
        Window,
        verbose_name=_("转自窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issued_on", "number"], name="ticket_number_per_day")
        ]
        indexes = [
            models.Index(fields=["issued_on", "category", "status"], name="ticket_queue"),
            models.Index(fields=["issued_at"], name="ticket_issued_at"),
        ]

    def __str__(self) -> str:
        return self.number
