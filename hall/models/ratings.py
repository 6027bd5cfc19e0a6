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

    class Stage(models.TextChoices):
        """一事多评: a case may be rated at each point of contact, once each."""

        RECEIPT = "receipt", _("收件")
        ACCEPTANCE = "acceptance", _("受理")
        COMPLETION = "completion", _("办结")

    # The reasons of a bad rating (GB/T 39734-2020's evaluation of service: attitude,
    # efficiency, procedure and norms, guidance, the online system, fees): a bad rating names
    # at least one; free text may add to it.
    REASONS = [
        ("attitude", _("服务态度不好")),
        ("slow", _("办理速度慢")),
        ("wait", _("等候时间过长")),
        ("notice", _("一次性告知不到位")),
        ("repeat", _("多次跑动、重复提交材料")),
        ("materials", _("材料要求反复或前后不一致")),
        ("guide", _("办事指南说明不清楚")),
        ("system", _("网上办事系统不好用")),
        ("fees", _("收费不合理")),
        ("other", _("其他")),
    ]

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
    reason_codes = models.JSONField(_("差评原因"), default=list, blank=True)
    stage = models.CharField(
        _("评价环节"), max_length=12, choices=Stage.choices, blank=True, default=""
    )
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
                fields=["case", "stage"],
                condition=models.Q(case__isnull=False),
                name="rating_once_per_case_stage",
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

    def save(self, *args, **kwargs):
        # Ratings are the statistics' source: nobody edits one once given (a PostgreSQL trigger
        # refuses it as well, hall migration 0025).
        if not self._state.adding:
            raise PermissionError("service ratings cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("service ratings cannot be deleted")

    @property
    def is_bad(self) -> bool:
        return self.level in self.BAD_LEVELS

    def reason_labels(self) -> list[str]:
        labels = dict(self.REASONS)
        return [str(labels.get(code, code)) for code in self.reason_codes or []]


def link_token_new() -> str:
    return secrets.token_urlsafe(32)


class RatingFollowUp(models.Model):
    """A bad rating's rectification (差评整改, GB/T 39734): 待整改 → 整改中 → 整改完成, or a claim
    that it is invalid (无效差评) or cannot be fixed (无法整改) that another supervisor reviews;
    5 working days, one extension, an overdue flag, a call-back to a named applicant, and the
    applicant's appeal of the outcome (hall.ratings.services)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFYING = "rectifying", _("整改中")
        ANSWERED = "answered", _("整改完成")
        INVALID_REVIEW = "invalid_review", _("无效差评审核中")
        INVALID = "invalid", _("无效差评")
        UNFIXABLE_REVIEW = "unfixable_review", _("无法整改审核中")
        UNFIXABLE = "unfixable", _("无法整改")
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
    due_date = models.DateField(_("整改期限"))
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    # Set by the sweep once the deadline passes unfinished; stays after a late finish.
    overdue = models.BooleanField(_("逾期"), default=False)
    measures = models.TextField(_("整改措施"), blank=True)
    started_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始整改时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访情况"), blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    claim = models.TextField(_("无效或无法整改的理由"), blank=True)
    claimed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
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
