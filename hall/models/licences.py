"""The electronic licence library (电子证照库; 国务院令第716号《优化营商环境条例》第七条、第十条).

Every licence the hall grants is issued here as an electronic licence with a number, a holder,
a validity, the issuing department and a verification code; its PDF is sealed with a PAdES
signature (hall.cases.licences). At intake a material that is a licence of a type the library
holds is taken from it instead of demanded again (免证办).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hall.common.personal_data import SealedTextField
from hall.models.cases import Case
from hall.models.people import Applicant


class ElectronicLicence(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")

    class State(models.TextChoices):
        """What the verification page says on a given day (expiry is read from the dates)."""

        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")
        EXPIRED = "expired", _("已过期")

    number = models.CharField(_("证照编号"), max_length=40, unique=True)
    licence_type = models.SlugField(_("证照类型"), max_length=50)
    name = models.CharField(_("证照名称"), max_length=100)
    holder = models.ForeignKey(
        Applicant, verbose_name=_("持证人"), on_delete=models.PROTECT, related_name="licences"
    )
    holder_name = models.CharField(_("持证人名称"), max_length=200)
    holder_number = SealedTextField(
        _("持证人证件号码"), max_length=30, purpose="licence.holder_number"
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("发证部门"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licence",
    )
    scope = models.CharField(_("许可事项"), max_length=200)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空为长期"))
    verification_code = models.CharField(_("核验码"), max_length=16, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    issued_at = models.DateTimeField(_("发证时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(_("证照文件"), upload_to="licences/%Y/", blank=True)
    sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("签章时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            # intake asks: does this applicant hold a valid licence of this type?
            models.Index(
                fields=["holder", "licence_type"],
                condition=Q(status="valid"),
                name="licence_valid_by_holder",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="valid", revoked_at__isnull=True)
                | Q(status="revoked", revoked_at__isnull=False),
                name="licence_revocation_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    def state_on(self, day: datetime.date) -> str:
        if self.status == self.Status.REVOKED:
            return self.State.REVOKED
        if self.valid_until is not None and day > self.valid_until:
            return self.State.EXPIRED
        return self.State.VALID

    def holds_for(self, *, holder_id: int, on: datetime.date) -> bool:
        """Whether 免证办 may rely on this licence for `holder_id` on `on`: valid, begun, not
        expired, and the holder's (the rule of hall.cases.licences.licence_valid_q)."""
        return (
            self.holder_id == holder_id
            and self.valid_from <= on
            and self.state_on(on) == self.State.VALID
        )
