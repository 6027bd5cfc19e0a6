from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCapability(models.Model):
    """Holds the hall's role permissions; it has no table of its own.

    Roles are Django groups (see `hall.roles`); these permissions are what the groups grant and
    what the views check.
    """

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("角色权限")
        verbose_name_plural = _("角色权限")
        permissions = [
            ("use_applicant_portal", _("使用申请人门户")),
            ("use_workbench", _("使用窗口受理工作台")),
            ("use_officer_desk", _("使用部门审批台")),
            ("act_as_agent", _("代办案件")),
            ("view_supervision", _("查看电子监察")),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
