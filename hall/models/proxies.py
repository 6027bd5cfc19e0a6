"""亲友代办 / 授权代办: an applicant lets a relative or friend act for them (国办发〔2020〕45号).

Not the hall's own agents (全程代办, `AgencyRequest`): here the applicant chooses the person, for
named items or one case, for a period, and may take it back at any time.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.cases import Case
from hall.models.people import Applicant


class ProxyAuthorisation(models.Model):
    """One authorisation: `principal` lets `proxy` act for them within its scope and dates."""

    class Relationship(models.TextChoices):
        CHILD = "child", _("子女")
        SPOUSE = "spouse", _("配偶")
        RELATIVE = "relative", _("其他亲属")
        FRIEND = "friend", _("朋友")
        OTHER = "other", _("其他")

    class Scope(models.TextChoices):
        ITEMS = "items", _("指定事项")
        CASE = "case", _("指定办件")

    class Confirmation(models.TextChoices):
        SMS = "sms", _("被代办人短信验证码确认")
        WINDOW = "window", _("窗口双方到场确认")

    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        NOT_YET = "not_yet", _("未到开始日期")
        EXPIRED = "expired", _("已到期")
        REVOKED = "revoked", _("已撤销")

    # In addresses and the acting session; random, so one authorisation cannot lead to another.
    code = models.CharField(_("授权编号"), max_length=24, unique=True)
    # The asking's key: the same confirmation sent twice makes one authorisation.
    request_key = models.UUIDField(_("申请标识"), unique=True)
    principal = models.ForeignKey(
        Applicant,
        verbose_name=_("被代办人"),
        on_delete=models.PROTECT,
        related_name="proxy_grants",
    )
    proxy = models.ForeignKey(
        Applicant,
        verbose_name=_("代办人"),
        on_delete=models.PROTECT,
        related_name="proxy_roles",
    )
    relationship = models.CharField(
        _("与被代办人关系"), max_length=10, choices=Relationship.choices
    )
    scope = models.CharField(_("授权范围"), max_length=10, choices=Scope.choices)
    # Item codes, not versions: an authorisation for 高龄津贴申领 outlives a new version of it.
    item_codes = models.JSONField(_("授权事项编码"), default=list, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("授权办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxy_authorisations",
    )
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"))
    confirmed_via = models.CharField(_("确认方式"), max_length=10, choices=Confirmation.choices)
    confirmed_at = models.DateTimeField(_("确认时间"))
    confirmed_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("确认窗口人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("窗口双方到场确认时，核验两人身份的窗口人员。"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("撤销操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("亲友代办授权")
        verbose_name_plural = _("亲友代办授权")
        ordering = ["-confirmed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(principal=models.F("proxy")),
                name="proxy_not_self",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="proxy_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(scope="case", case__isnull=False)
                | models.Q(scope="items", case__isnull=True),
                name="proxy_scope_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proxy} → {self.principal} ({self.code})"

    def state_on(self, day: datetime.date) -> State:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if day < self.valid_from:
            return self.State.NOT_YET
        if day > self.valid_until:
            return self.State.EXPIRED
        return self.State.ACTIVE

    def covers(self, *, item_code: str | None = None, case_id: int | None = None) -> bool:
        """Whether the scope takes in a new filing of this item (`case_id` None) or this case
        (of this item): one case's authorisation files nothing new."""
        if self.scope == self.Scope.CASE:
            return case_id is not None and case_id == self.case_id
        return item_code is not None and item_code in self.item_codes
