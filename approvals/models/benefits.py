from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models.catalogue import ITEM_CODE_VALIDATOR


class Benefit(models.Model):
    """免申即享: a benefit the hall grants to everyone its rules find, without an application.

    Each grant is a case of `item_code` (its current version), decided by the item's lead
    department after it confirms the list; the rules (approvals.catalogue.benefit_rules) read
    only what the hall already holds.
    """

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("名称（英文）"), max_length=300, blank=True)
    item_code = models.CharField(_("对应事项编码"), max_length=20, validators=[ITEM_CODE_VALIDATOR])
    rules = models.JSONField(
        _("享受条件"),
        help_text=_(
            "条件列表，全部满足才推送。例如 "
            '[{"type": "applicant_type", "equals": "person"}, '
            '{"type": "age_at_least", "years": 80}]'
        ),
    )
    legal_basis = models.TextField(_("政策依据"))
    what_you_get = models.CharField(
        _("享受内容"), max_length=200, help_text=_("例如：每月发放高龄津贴。")
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("免申即享政策")
        verbose_name_plural = _("免申即享政策")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
