"""Machine clients of the open API (/api/v1/): the provincial platform, departments' systems,
the supervision system. A client holds a hashed key, a set of scopes, and bounds: the department
whose steps it may act on (as one of that department's officers), and the items it may file.
Every API call that reads or changes a case is recorded; a write with an Idempotency-Key keeps
its first answer for a repeat."""

from __future__ import annotations

import base64
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    class Scope(models.TextChoices):
        CATALOGUE_READ = "catalogue:read", _("读取事项目录")
        CASES_FILE = "cases:file", _("代为申报办件")
        CASES_READ = "cases:read", _("读取本客户端申报的办件")
        STEPS_ACT = "steps:act", _("办理本部门审查环节")
        SUPERVISION_READ = "supervision:read", _("读取监察统计")
        ORDERS_FILE = "orders:file", _("转派12345工单")

    name = models.CharField(_("客户端名称"), max_length=100, unique=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("办理审查环节的部门系统须填写；只能看到和办理本部门的环节。"),
    )
    acting_user = models.ForeignKey(
        "auth.User",
        verbose_name=_("代表的部门人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("部门系统以该部门审批人员的身份认领和决定，办件日志记该人员。"),
    )
    items = models.ManyToManyField(
        "approvals.ServiceItem",
        verbose_name=_("可申报的事项"),
        blank=True,
        related_name="+",
        help_text=_("为空表示可申报所有可网上申办的事项。"),
    )
    requests_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=120)
    contact_email = models.EmailField(
        _("对接管理员邮箱"),
        blank=True,
        help_text=_("事件推送持续失败时通知的对接方管理员。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    # DRF treats the authenticated "user" as signed in when this is true.
    is_authenticated = True


class ApiIdempotencyRecord(models.Model):
    """The first answer to a write with an Idempotency-Key, replayed for a repeat."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    status = models.PositiveSmallIntegerField(null=True)  # None while the first is running
    body = models.JSONField(null=True)
    location = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_once")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"


class ApiCallRecord(models.Model):
    """An API call that read or changed a case: which client, which request."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    client = models.ForeignKey(
        ApiClient, verbose_name=_("客户端"), on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.CharField(_("请求标识"), max_length=100)
    method = models.CharField(_("方法"), max_length=10)
    path = models.CharField(_("路径"), max_length=300)
    status = models.PositiveSmallIntegerField(_("状态码"))
    case_id = models.BigIntegerField(_("办件编号"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"


WEBHOOK_SECRET_PREFIX = "whsec_"


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 32 random bytes, the HMAC key."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(models.Model):
    """A client's subscription to case events, delivered to `url` as signed CloudEvents."""

    class EventType(models.TextChoices):
        ACCEPTED = "accepted", _("已受理")
        CORRECTION_REQUESTED = "correction_requested", _("要求补正")
        STEP_DECIDED = "step_decided", _("部门审查意见")
        DEEMED_APPROVED = "deemed_approved", _("超时默许")
        DECIDED = "decided", _("作出决定")
        DELIVERED = "delivered", _("送达")
        WARNING_RAISED = "warning_raised", _("期限预警")
        ORDER_REPLIED = "order_replied", _("工单答复")
        ORDER_EXTENSION_REQUESTED = "order_extension_requested", _("工单申请延期")
        ORDER_CLOSED = "order_closed", _("工单办结")

    client = models.ForeignKey(
        ApiClient, verbose_name=_("客户端"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("接收地址"), max_length=500)
    # Shared with the receiver to check the HMAC-SHA256 signature of every delivery (Standard
    # Webhooks: the key is the base64 after ``whsec_``).
    secret = models.CharField(
        _("签名密钥"), max_length=100, default=webhook_secret_new, editable=False
    )
    # After a rotation the old secret signs too, until `previous_secret_until`: a receiver
    # switches to the new one without losing a delivery.
    previous_secret = models.CharField(
        _("上一签名密钥"), max_length=100, blank=True, default="", editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("上一密钥有效至"), null=True, blank=True, editable=False
    )
    event_types = models.JSONField(_("订阅的事件"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # A receiver that keeps failing: since when (the first failure after the last success), when
    # its people were last told (at most once a day), and when it was paused (after 7 days).
    failing_since = models.DateTimeField(_("持续失败起始时间"), null=True, blank=True)
    failure_told_at = models.DateTimeField(_("最近失败通知时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("因持续失败暂停时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件订阅")
        verbose_name_plural = _("事件订阅")

    def __str__(self) -> str:
        return f"{self.client} → {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription: an outbox row, so nothing is lost while the broker or
    the receiver is down; retried with back-off until the receiver answers 2xx."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("发送失败")

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("事件订阅"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    dedupe_key = models.CharField(max_length=100, unique=True)  # subscription:event
    event_type = models.CharField(_("事件"), max_length=40)
    payload = models.JSONField(_("内容（CloudEvents）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件推送")
        verbose_name_plural = _("事件推送")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="webhook_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"


class ApiUpload(models.Model):
    """A file a platform uploaded for a filing (upload first, then reference it): checked like
    the online hall's uploads when it arrives, kept sealed, and used by one case at most."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("客户端"), on_delete=models.PROTECT, related_name="uploads"
    )
    # What the client references: random, so one client cannot guess another's.
    public_id = models.CharField(_("上传标识"), max_length=40, unique=True)
    file = models.FileField(_("文件"), upload_to="api-uploads/%Y/%m/")
    kind = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    case = models.ForeignKey(
        "hall.Case",
        verbose_name=_("用于办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口上传文件")
        verbose_name_plural = _("接口上传文件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.public_id
