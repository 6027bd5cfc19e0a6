from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderKind(models.TextChoices):
    """The four kinds of 12345 work orders (国办发〔2020〕53号 and the provinces' rules), each
    with its time limit by default (`DEFAULT_LIMITS`)."""

    URGENT = "urgent", _("紧急诉求")
    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉建议")


# The limits by kind: urgent matters in 2 hours round the clock; a consultation the same
# working day (3 working days once it needs another department); a request for help in 3
# working days; a complaint or suggestion in 13 working days from the day after receipt.
# As (working days, hours), one of them None (approvals.clock.deadlines.OrderLimit).
DEFAULT_LIMITS: dict[str, tuple[int | None, int | None]] = {
    WorkOrderKind.URGENT: (None, 2),
    WorkOrderKind.CONSULTATION: (0, None),
    WorkOrderKind.HELP: (3, None),
    WorkOrderKind.COMPLAINT: (13, None),
}
CONSULTATION_REFERRED_WORKING_DAYS = 3


class WorkOrderCategory(models.Model):
    """A category of citizens' requests (诉求分类) in the catalogue: its kind gives its limit,
    which the catalogue may override with the basis stated."""

    code = models.SlugField(_("分类编码"), max_length=50, unique=True)
    name = models.CharField(_("分类名称"), max_length=100)
    name_en = models.CharField(_("分类名称（英文）"), max_length=200, blank=True)
    kind = models.CharField(_("诉求类型"), max_length=20, choices=WorkOrderKind.choices)
    limit_working_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"),
        null=True,
        blank=True,
        help_text=_("留空按诉求类型的默认时限；填写须同时填写依据。"),
    )
    limit_hours = models.PositiveSmallIntegerField(
        _("办理时限（小时）"),
        null=True,
        blank=True,
        help_text=_("紧急类按小时计；填写须同时填写依据。"),
    )
    limit_basis = models.CharField(_("时限依据"), max_length=300, blank=True)
    default_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("默认承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(limit_working_days__isnull=True, limit_hours__isnull=True)
                | ~models.Q(limit_basis=""),
                name="order_category_override_has_basis",
            ),
            models.CheckConstraint(
                condition=models.Q(limit_working_days__isnull=True)
                | models.Q(limit_hours__isnull=True),
                name="order_category_one_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        if self.limit_working_days is not None and self.limit_hours is not None:
            raise ValidationError(_("时限按工作日或按小时，二者只填一项。"))
        if (self.limit_working_days is not None or self.limit_hours is not None) and not (
            self.limit_basis or ""
        ).strip():
            raise ValidationError({"limit_basis": _("改变默认时限须写明依据。")})

    def limit_parts(self, *, referred: bool = False) -> tuple[int | None, int | None]:
        """(working days, hours) of this category's limit; `referred`: a consultation that
        needs another department."""
        if self.limit_hours is not None:
            return None, self.limit_hours
        if self.limit_working_days is not None:
            return self.limit_working_days, None
        if referred and self.kind == WorkOrderKind.CONSULTATION:
            return CONSULTATION_REFERRED_WORKING_DAYS, None
        return DEFAULT_LIMITS[self.kind]
