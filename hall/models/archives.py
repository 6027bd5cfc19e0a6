"""Archive packages of closed cases and the destruction lists that end them (issue 29;
GB/T 42727-2023, DA/T 70-2018 四性检测, Open Zaak's archiving model)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case


class ArchivePackage(models.Model):
    """A closed case's file as one signed package: its metadata, events, decision, notices and
    material files, each with a checksum in a manifest the hall's seal signs. It outlives the
    case's rows: after destruction only this row (file gone) and the destruction record remain."""

    case = models.OneToOneField(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="archive_package",
    )
    receipt_no = models.CharField(_("收件编号"), max_length=20, unique=True)
    item_code = models.CharField(_("事项编码"), max_length=20)
    item_name = models.CharField(_("事项名称"), max_length=200)
    closed_at = models.DateTimeField(_("办结时间"))
    retention = models.CharField(_("保管期限"), max_length=10)
    retention_until = models.DateField(_("保管到期日"), null=True, blank=True)
    disposal = models.CharField(_("到期处置"), max_length=10)
    file = models.FileField(_("档案包"), upload_to="archives/%Y/", blank=True)
    sha256 = models.CharField(_("档案包 SHA-256"), max_length=64)
    manifest_sha256 = models.CharField(_("清单 SHA-256"), max_length=64)
    seal_fingerprint = models.CharField(_("签章证书指纹"), max_length=64)
    entries = models.PositiveIntegerField(_("文件数"), default=0)
    created_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("最近检测时间"), null=True, blank=True)
    check_passed = models.BooleanField(_("四性检测通过"), default=False)
    check_report = models.JSONField(_("四性检测结果"), default=dict, blank=True)
    legal_hold = models.BooleanField(_("法律保全"), default=False)
    legal_hold_reason = models.CharField(_("保全事由"), max_length=300, blank=True)
    destroyed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("档案包")
        verbose_name_plural = _("档案包")
        ordering = ["-created_at"]
        permissions = [
            ("approve_destruction", _("审批档案销毁清单")),
            ("hold_archive", _("设置或解除法律保全")),
        ]
        indexes = [
            models.Index(
                fields=["retention_until"],
                condition=models.Q(destroyed_at__isnull=True),
                name="archive_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.item_name}"


class DestructionList(models.Model):
    """A list of packages whose retention ended, proposed by the sweep, approved by two different
    people, then executed: the files and rows go and `record` keeps what was destroyed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已审批")
        EXECUTED = "executed", _("已销毁")

    number = models.CharField(_("清单编号"), max_length=30, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    packages = models.ManyToManyField(
        ArchivePackage, verbose_name=_("档案包"), related_name="destruction_lists"
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    first_approved_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("第一审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_approved_at = models.DateTimeField(_("第一审批时间"), null=True, blank=True)
    second_approved_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("第二审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_approved_at = models.DateTimeField(_("第二审批时间"), null=True, blank=True)
    executed_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("执行人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("执行时间"), null=True, blank=True)
    record = models.JSONField(_("销毁记录"), default=dict, blank=True)

    class Meta:
        verbose_name = _("档案销毁清单")
        verbose_name_plural = _("档案销毁清单")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_status_display()}）"
