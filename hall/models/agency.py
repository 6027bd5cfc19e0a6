from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case


class AgencyRequest(models.Model):
    """全程代办: an applicant asks for an agent; a supervisor assigns one (Art. 29)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待指派")
        ASSIGNED = "assigned", _("已指派")
        WITHDRAWN = "withdrawn", _("已撤回")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="agency_requests"
    )
    note = models.TextField(_("代办需求"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    agent = models.ForeignKey(
        "auth.User",
        verbose_name=_("代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办申请")
        verbose_name_plural = _("代办申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["requested", "assigned"]),
                name="one_live_agency_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"
