"""免申即享: each offer of a benefit to one applicant, and the department's batch decisions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case
from hall.models.people import Applicant


class BenefitBatch(models.Model):
    """The competent department confirms a list of offers at once: the rules and the basis as
    they stood are kept with the decision."""

    benefit = models.ForeignKey(
        "approvals.Benefit", verbose_name=_("政策"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("批次号"))
    decided_by = models.ForeignKey(
        "auth.User", verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"))
    rules = models.JSONField(_("当时的享受条件"))
    legal_basis = models.TextField(_("当时的政策依据"))
    offers_count = models.PositiveIntegerField(_("名单人数"))
    submission_key = models.UUIDField(_("提交标识"), unique=True)

    class Meta:
        verbose_name = _("免申即享确认批次")
        verbose_name_plural = _("免申即享确认批次")
        constraints = [
            models.UniqueConstraint(fields=["benefit", "number"], name="benefit_batch_number")
        ]

    def __str__(self) -> str:
        return f"{self.benefit} #{self.number}"


class BenefitOffer(models.Model):
    """One person (or enterprise) found by a benefit's rules: offered once, ever."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("待本人确认")
        CONFIRMED = "confirmed", _("本人已确认，待部门确认")
        DECLINED = "declined", _("本人不需要")
        APPROVED = "approved", _("部门已确认，待发放")
        GRANTED = "granted", _("已准予")
        LAPSED = "lapsed", _("确认前已不符合条件")

    class Via(models.TextChoices):
        PORTAL = "portal", _("网上办事大厅")
        LINK = "link", _("短信链接")

    benefit = models.ForeignKey(
        "approvals.Benefit", verbose_name=_("政策"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("对象"),
        on_delete=models.PROTECT,
        related_name="benefit_offers",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    offered_at = models.DateTimeField(_("推送时间"))
    answered_at = models.DateTimeField(_("本人答复时间"), null=True, blank=True)
    answered_via = models.CharField(
        _("答复方式"), max_length=10, choices=Via.choices, blank=True, default=""
    )
    # The SMS link's token: only its digest is kept (the link is the capability).
    token_digest = models.CharField(_("链接摘要"), max_length=64, unique=True)
    batch = models.ForeignKey(
        BenefitBatch,
        verbose_name=_("确认批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offers",
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefit_offer",
    )
    lapsed_reason = models.CharField(_("不再符合的条件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("免申即享推送")
        verbose_name_plural = _("免申即享推送")
        ordering = ["-offered_at"]
        constraints = [
            # nobody is offered the same benefit twice
            models.UniqueConstraint(fields=["benefit", "applicant"], name="benefit_offer_once")
        ]
        indexes = [models.Index(fields=["benefit", "status"], name="benefit_offer_status")]

    def __str__(self) -> str:
        return f"{self.benefit} → {self.applicant}"
