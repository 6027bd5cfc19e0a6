"""Records of the intake practices of 2026: credit marks (失信记录, from a false written
commitment) and instant approvals (秒批) with their after-the-fact sampling (事后抽查)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case
from hall.models.people import Applicant


class CreditMark(models.Model):
    """A recorded credit mark on an applicant; while open it bars 容缺受理 and instant approval
    rules that ask for a clean record. Cleared, never deleted."""

    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="credit_marks"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="credit_marks",
    )  # fmt: skip
    reason = models.CharField(_("失信情形"), max_length=300)
    marked_at = models.DateTimeField(_("记录时间"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    cleared_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("消除人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    clear_reason = models.CharField(_("消除理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("失信记录")
        verbose_name_plural = _("失信记录")
        ordering = ["-marked_at", "-pk"]
        indexes = [
            models.Index(
                fields=["applicant"], condition=Q(cleared_at__isnull=True), name="credit_mark_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} {self.reason}"


class InstantApproval(models.Model):
    """A case the system decided by the item's instant approval rules, and its sampling."""

    class Review(models.TextChoices):
        NOT_SAMPLED = "not_sampled", _("未抽中")
        PENDING = "pending", _("待抽查")
        PASSED = "passed", _("抽查合格")
        FAILED = "failed", _("抽查不合格，已撤销")

    case = models.OneToOneField(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="instant_approval"
    )
    conditions = models.JSONField(_("满足的条件"), default=list)
    decided_at = models.DateTimeField(_("决定时间"))
    review = models.CharField(
        _("事后抽查"), max_length=12, choices=Review.choices, default=Review.NOT_SAMPLED
    )
    reviewed_at = models.DateTimeField(_("抽查时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽查人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    review_note = models.CharField(_("抽查意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("秒批办件")
        verbose_name_plural = _("秒批办件")
        ordering = ["-decided_at", "-pk"]
        indexes = [
            models.Index(
                fields=["decided_at"], condition=Q(review="pending"), name="instant_review_pending"
            )
        ]

    def __str__(self) -> str:
        return str(self.case)


class Commitment(models.Model):
    """证明事项告知承诺 (国办发〔2020〕42号): the applicant's written commitment in place of proof
    materials, its letter (a numbered notice), and the competent department's verification."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待核查")
        TRUE = "true", _("承诺属实")
        FALSE = "false", _("承诺不实")

    case = models.OneToOneField(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="commitment"
    )
    notice = models.OneToOneField(
        "hall.Notice", verbose_name=_("告知承诺书"), on_delete=models.PROTECT, related_name="+"
    )
    materials = models.JSONField(_("承诺替代的材料"), default=list)
    signed_at = models.DateTimeField(_("签署时间"))
    signed_via = models.CharField(_("签署方式"), max_length=20)
    verify_due = models.DateField(_("核查期限"))
    outcome = models.CharField(
        _("核查结论"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核查人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    note = models.CharField(_("核查情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("告知承诺")
        verbose_name_plural = _("告知承诺")
        ordering = ["verify_due", "pk"]
        indexes = [
            models.Index(
                fields=["verify_due"], condition=Q(outcome="pending"), name="commitment_pending"
            )
        ]

    def __str__(self) -> str:
        return str(self.case)
