from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsCode(models.Model):
    """A one-time SMS verification code; only its hash is stored."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        LOGIN = "login", _("登录")
        LOOKUP = "lookup", _("进度查询")
        RATING_APPEAL = "appeal", _("评价申诉")
        COMMITMENT = "commit", _("告知承诺确认")
        PROXY = "proxy", _("亲友代办授权")

    # The phone's keyed digest (hall.common.personal_data), never the number: the code goes out
    # through the outbox, and the rate limits only need to tell one phone from another.
    phone_digest = models.CharField(_("手机号码摘要"), max_length=64, db_index=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=128)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    # Digests of the browser session that asked for the code (only it may use it) and of the
    # client address (the daily cap is per phone and address): hall.accounts.sms_codes.
    requester = models.CharField(_("申请会话摘要"), max_length=64, blank=True, default="")
    source = models.CharField(_("来源地址摘要"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone_digest[:8]} {self.purpose}"


LANGUAGE_CHOICES = [("zh-hans", _("简体中文")), ("en", _("English"))]


class LanguagePreference(models.Model):
    """The language a person reads the hall's messages in (issue 32): set when they switch the
    interface's language while signed in; Chinese when never set. Messages are written in the
    recipient's language, never in the sender's (hall.outbox.queue)."""

    user = models.OneToOneField(
        "auth.User", verbose_name=_("用户"), on_delete=models.CASCADE, related_name="language"
    )
    language = models.CharField(_("消息语言"), max_length=10, choices=LANGUAGE_CHOICES)

    class Meta:
        verbose_name = _("消息语言")
        verbose_name_plural = _("消息语言")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
