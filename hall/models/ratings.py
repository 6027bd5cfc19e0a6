from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case
from hall.models.queue import QueueTicket


class ServiceRating(models.Model):
    """好差评 (国办发〔2019〕51号): five levels, once per visit on site or once per item online.
    The bottom two levels are "bad" and open a follow-up."""

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("自助终端")
        ONLINE = "online", _("网上办事大厅")
        WINDOW = "window", _("窗口评价器")

    LEVELS = [
        (5, _("非常满意")),
        (4, _("满意")),
        (3, _("基本满意")),
        (2, _("不满意")),
        (1, _("非常不满意")),
    ]
    BAD_LEVELS = (1, 2)

    level = models.PositiveSmallIntegerField(_("评价等级"), choices=LEVELS)
    reason = models.TextField(_("评价理由"), blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    ticket = models.ForeignKey(
        QueueTicket,
        verbose_name=_("排队号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    clerk = models.ForeignKey(
        "auth.User",
        verbose_name=_("被评价人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("被评价部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(level__lte=2), name="rating_bad_created"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(case__isnull=False), name="rating_once_per_case"
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(ticket__isnull=False),
                name="rating_once_per_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(ticket__isnull=False),
                name="rating_names_a_case_or_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in self.BAD_LEVELS


def link_token_new() -> str:
    return secrets.token_urlsafe(32)


class RatingFollowUp(models.Model):
    """A bad rating is checked, fixed and answered within 15 working days; the applicant may
    appeal the answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核实整改")
        ANSWERED = "answered", _("已答复")
        APPEALED = "appealed", _("申诉中")
        CLOSED = "closed", _("已办结")

    rating = models.OneToOneField(
        ServiceRating, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="follow_up"
    )
    # The applicant's link to the answer and the appeal (sent by SMS): 256 random bits, so it
    # cannot be found by trying ids or receipt numbers.
    link_token = models.CharField(
        _("申诉链接标识"), max_length=64, unique=True, default=link_token_new, editable=False
    )
    due_date = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("核实整改答复"), blank=True)
    answered_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    appeal = models.TextField(_("申诉内容"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_answer = models.TextField(_("申诉答复"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评回访")
        verbose_name_plural = _("差评回访")
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"{self.rating} {self.get_status_display()}"
