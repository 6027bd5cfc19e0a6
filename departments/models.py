from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A department that sits behind the hall's common windows and reviews its part of cases."""

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        DISTRICT = "district", _("区级")

    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    level = models.CharField(
        _("层级"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    head = models.ForeignKey(
        "departments.Officer",
        verbose_name=_("部门负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Officer(models.Model):
    """A department officer: a user bound to exactly one department."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="officer",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="officers"
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("审批人员")
        verbose_name_plural = _("审批人员")
        ordering = ["department__code", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username}（{self.department.label}）"

    @property
    def is_head(self) -> bool:
        return self.department.head_id == self.pk


class FiguresSnapshot(models.Model):
    """Supervision figures computed by beat (departments.supervision.figures), read by the
    dashboard instead of counting over every case and step on each request. The page shows
    when they were computed."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    data = models.JSONField(_("数据"), default=dict)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")

    def __str__(self) -> str:
        return f"{self.name} @ {timezone.localtime(self.computed_at):%Y-%m-%d %H:%M:%S}"
