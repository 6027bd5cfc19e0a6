"""The security log (安全审计) and the staff's sign-in sessions.

The security log records who signed in, failed, was locked out, used a second factor, had a
session end, was refused, and which staff read a case's personal data: with who, when and from
where. Like the case event log it is append-only: the ORM refuses to change a row and PostgreSQL
refuses UPDATE, and DELETE of any row younger than the minimum retention (6 months, the
Cybersecurity Law's Art. 21), so that only the retention sweep removes anything, and only old rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.models.logs import ChainedLog

# The Cybersecurity Law (网络安全法) Art. 21: network logs are kept for at least six months.
MINIMUM_RETENTION_DAYS = 183


class SecurityEvent(ChainedLog):
    log_name = "the security log"

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("登录锁定")
        LOGOUT = "logout", _("退出登录")
        SESSION_EXPIRED = "session_expired", _("会话超时结束")
        SESSION_ENDED = "session_ended", _("会话被管理员结束")
        OTP_VERIFIED = "otp_verified", _("双因素验证通过")
        OTP_FAILED = "otp_failed", _("双因素验证失败")
        OTP_ENROLLED = "otp_enrolled", _("启用双因素认证")
        OTP_RECOVERY_USED = "otp_recovery_used", _("使用恢复码")
        OTP_RESET = "otp_reset", _("重置双因素认证")
        PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
        PERSONAL_DATA_READ = "personal_data_read", _("查看办件个人信息")
        CONTACT_CHANGED = "contact_changed", _("申请人联系方式变更")
        ACCOUNT_DISABLED = "account_disabled", _("账号停用")
        AUDIT_CHAIN_BROKEN = "audit_chain_broken", _("日志完整性校验失败")
        ARCHIVE_CHECK_FAILED = "archive_check_failed", _("档案四性检测未通过")
        ARCHIVE_DESTROYED = "archive_destroyed", _("档案销毁")
        LEGAL_HOLD = "legal_hold", _("档案法律保全变更")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    # Plain ids, not foreign keys: a row must outlive any change to the account it names.
    user_id = models.BigIntegerField(_("用户编号"), null=True, blank=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    path = models.CharField(_("访问路径"), max_length=300, blank=True)
    case_id = models.BigIntegerField(_("办件编号"), null=True, blank=True, db_index=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("安全日志")
        verbose_name_plural = _("安全日志")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(chain_seq__isnull=True), name="security_unchained"
            )
        ]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class UserSession(models.Model):
    """One signed-in session of a person, so that an administrator can list and end it."""

    user = models.ForeignKey(
        "auth.User", verbose_name=_("用户"), on_delete=models.CASCADE, related_name="hall_sessions"
    )
    session_key = models.CharField(_("会话标识"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["user"], condition=models.Q(ended_at__isnull=True), name="session_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class PersonalDataAccess(ChainedLog):
    """One look by staff at a person's personal data: the access log (issue 29; PIPL Art. 35,
    等保 L3-CES1-12…15). Who (their role and department at the time, kept as text so that the row
    outlives the account), when, at what (a case file, the person's details, a whole value
    revealed, an export, an API read) and why. The person sees their rows on the portal ("who
    viewed my data"). Append-only like the security log: the ORM refuses changes and PostgreSQL
    refuses UPDATE and DELETE."""

    log_name = "the access log"

    class What(models.TextChoices):
        CASE_FILE = "case_file", _("查看办件")
        APPLICANT = "applicant", _("查看申请人信息")
        REVEAL = "reveal", _("查看完整证件号码或手机号码")
        EXPORT = "export", _("导出个人信息")
        API = "api", _("接口读取")

    at = models.DateTimeField(_("时间"), default=timezone.now)
    # Plain ids, not foreign keys: the record outlives the case's archiving and the account.
    applicant_id = models.BigIntegerField(_("申请人编号"), null=True, blank=True)
    case_id = models.BigIntegerField(_("办件编号"), null=True, blank=True)
    receipt_no = models.CharField(_("收件编号"), max_length=30, blank=True)
    user_id = models.BigIntegerField(_("用户编号"), null=True, blank=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    staff_name = models.CharField(_("姓名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=50, blank=True)
    department = models.CharField(_("部门或窗口"), max_length=100, blank=True)
    what = models.CharField(_("查看内容"), max_length=20, choices=What.choices)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    path = models.CharField(_("访问路径"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["applicant_id", "-at", "-id"], name="access_by_owner"),
            models.Index(
                fields=["id"], condition=models.Q(chain_seq__isnull=True), name="access_unchained"
            ),
        ]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M:%S} {self.get_what_display()} {self.username}"
