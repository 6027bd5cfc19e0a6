from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.common.personal_data import SealedTextField
from hall.models.cases import Case


class Notification(models.Model):
    """The outbox: one message to one recipient on one channel, sent at most once.

    A periodic task drains pending rows, so nothing is lost while the broker is down, and
    `dedupe_key` makes a second enqueue of the same message a no-op.
    """

    class Channel(models.TextChoices):
        INBOX = "inbox", _("站内消息")
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        # handed to the gateway, its answer not recorded yet (a crash or an outage between
        # the two); retried with the same idempotency key after HALL_OUTBOX_STALE_SECONDS
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    # unique through Meta.constraints: a unique=True CharField also gets a second index for LIKE
    # queries (varchar_pattern_ops), which no query of the hall makes and every message paid
    # for on insert (issue 27)
    dedupe_key = models.CharField(_("去重键"), max_length=200)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        "auth.User",
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # a phone number or an email address: sealed at rest (hall.common.personal_data)
    recipient_address = SealedTextField(
        _("接收地址"), max_length=200, blank=True, purpose="notification.recipient_address"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=40)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    # A one-time secret of the message (a pick-up code), sealed, until it is sent: the body
    # holds SECRET_MASK in its place (hall.platform.secret_box).
    sealed_secret = models.TextField(_("待发送的一次性密码（加密）"), blank=True, default="")
    status = models.CharField(  # indexed in Meta.indexes, without a LIKE index
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    attempted_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique")
        ]
        indexes = [
            models.Index(fields=["status"], name="notification_status"),
            models.Index(
                fields=["recipient_user", "-created_at"],
                condition=models.Q(channel="inbox", read_at__isnull=True),
                name="notification_inbox_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
