from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case, CaseMaterial
from hall.models.logs import ChainedLog
from hall.models.people import Applicant


class Notice(models.Model):
    """A written, numbered and dated notice. Never changed once issued; its hash proves that."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理通知书")
        CORRECTION = "correction", _("一次性补正告知书")
        NON_ACCEPTANCE = "non_acceptance", _("不予受理决定书")
        REFERRAL = "referral", _("转办告知书")
        DEEMED_ACCEPTANCE = "deemed_acceptance", _("视为受理通知书")
        SPECIAL_PROCEDURE = "special_procedure", _("特别程序告知书")
        EXTENSION = "extension", _("延长审批期限告知书")
        GRANT = "grant", _("准予许可决定书")
        REFUSAL = "refusal", _("不予许可决定书")
        TOLERANCE = "tolerance", _("容缺受理通知书")
        COMMITMENT = "commitment", _("证明事项告知承诺书")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="notices"
    )
    # 一次告知: a notice of a whole 一件事 application (its acceptance, its one correction
    # notice) covers every case of the group; `case` is then the group's first case
    group = models.ForeignKey(
        "hall.CaseGroup",
        verbose_name=_("一件事办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文号"), max_length=50, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("出具人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )
    content = models.JSONField(_("内容"), default=dict)
    # Rendered after the issuing transaction commits (hall.cases.notices.notice_render): the
    # number and the content snapshot are the notice; the PDF is made from the snapshot.
    pdf = models.FileField(_("PDF 文件"), upload_to="notices/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("PDF 生成时间"), null=True, blank=True)
    one_time_override_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("一次性告知例外批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )
    one_time_override_reason = models.TextField(_("例外理由"), blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["case", "issued_at"]
        indexes = [
            models.Index(
                fields=["-issued_at"],
                condition=models.Q(one_time_override_by__isnull=False),
                name="notice_breach_recent",
            ),
            # The render sweep's work list: notices issued but not yet rendered (a handful).
            models.Index(
                fields=["issued_at"],
                condition=models.Q(rendered_at__isnull=True),
                name="notice_unrendered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def breaches_one_time_rule(self) -> bool:
        return self.one_time_override_by_id is not None


class CorrectionItem(models.Model):
    """One material a correction notice asked for, and when it was supplied."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("补正告知书"), on_delete=models.PROTECT, related_name="corrections"
    )
    material = models.ForeignKey(
        CaseMaterial, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.CharField(_("补正原因"), max_length=300)
    supplied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正事项")
        verbose_name_plural = _("补正事项")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "material"], name="correction_once_per_material"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material.name}：{self.reason}"


class CaseEvent(ChainedLog):
    """The append-only history of a case. PostgreSQL refuses UPDATE and DELETE on this table."""

    log_name = "case events"

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        "auth.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动操作。"),
    )
    on_behalf_of = models.ForeignKey(
        Applicant,
        verbose_name=_("代表申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )
    action = models.CharField(_("动作"), max_length=40)  # read per case, never across (issue 27)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件日志")
        verbose_name_plural = _("办件日志")
        ordering = ["case", "at", "pk"]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(chain_seq__isnull=True), name="event_unchained"
            )
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action}"


class Counter(models.Model):
    """Gap-free yearly counters for receipt and notice numbers, incremented under a row lock."""

    key = models.CharField(_("计数器"), max_length=50, unique=True)
    value = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
