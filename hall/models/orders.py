"""接诉即办: citizens' requests, complaints and 12345 work orders (工单), their parts sent to
departments (派单), and each order's append-only log (hall.orders)."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models import WorkOrderKind
from hall.common.personal_data import SealedTextField, masked_name, masked_phone
from hall.models.api import ApiClient
from hall.models.cases import Case
from hall.models.people import Applicant


def callback_token_new() -> str:
    return secrets.token_urlsafe(32)


class WorkOrder(models.Model):
    """One request, complaint or suggestion, owned by the unit and person who received it
    (首接负责) until it is closed."""

    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("12345热线")
        WINDOW = "window", _("窗口投诉")
        CANNOT_DO = "cannot_do", _("“办不成事”反映窗口")
        PORTAL = "portal", _("网上办事大厅")
        KIOSK = "kiosk", _("自助终端")

    class Status(models.TextChoices):
        RECEIVED = "received", _("待派单")
        IN_HAND = "in_hand", _("办理中")
        ANSWERED = "answered", _("待答复")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    class Extension(models.TextChoices):
        NONE = "", _("未申请")
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        "approvals.WorkOrderCategory",
        verbose_name=_("诉求分类"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("诉求类型"), max_length=20, choices=WorkOrderKind.choices)
    title = models.CharField(_("诉求标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    # The citizen: sealed at rest like every personal datum; the owner sees them, a department
    # sees them masked when the citizen asked to stay anonymous to it.
    contact_name = SealedTextField(_("诉求人"), blank=True, purpose="order.contact_name")
    contact_phone = SealedTextField(
        _("联系电话"), max_length=11, blank=True, purpose="order.contact_phone"
    )
    anonymous = models.BooleanField(_("对承办部门匿名"), default=False)
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("申请人账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("相关办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    # A complaint about a named clerk: never sent to that clerk, nor owned by them.
    about_clerk = models.ForeignKey(
        "auth.User",
        verbose_name=_("被投诉人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("来源平台"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_no = models.CharField(_("平台工单编号"), max_length=64, blank=True)
    platform_due_at = models.DateTimeField(_("平台办理时限"), null=True, blank=True)
    owner = models.ForeignKey(
        "auth.User",
        verbose_name=_("首接责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"))
    due_at = models.DateTimeField(_("办理时限"))
    yellow_at = models.DateTimeField(_("黄牌预警时间"))
    light = models.CharField(_("预警"), max_length=6, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    extension = models.CharField(
        _("延期"), max_length=10, choices=Extension.choices, blank=True, default=""
    )
    extension_days = models.PositiveSmallIntegerField(_("申请延期工作日"), null=True, blank=True)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True)
    # A department's second return goes to the supervisor, who decides where the order goes.
    escalated = models.BooleanField(_("已提交监察人员协调"), default=False)
    reply = models.TextField(_("答复市民"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_late = models.BooleanField(_("超期办结"), default=False)
    callback_on = models.DateField(_("回访日期"), null=True, blank=True)
    callback_token = models.CharField(
        _("回访链接标识"), max_length=64, unique=True, default=callback_token_new, editable=False
    )
    callback_sent_at = models.DateTimeField(_("回访短信发送时间"), null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True, default=""
    )
    resolved = models.BooleanField(_("问题已解决"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_client", "external_no"],
                condition=~models.Q(external_no=""),
                name="work_order_once_per_platform_number",
            )
        ]
        indexes = [
            # The sweep's work: open orders by their next moment.
            models.Index(
                fields=["yellow_at"], condition=~models.Q(status="closed"), name="order_open_yellow"
            ),
            models.Index(
                fields=["callback_on"],
                condition=models.Q(status="closed", callback_at__isnull=True),
                name="order_callback_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def contact_for_department(self) -> tuple[str, str]:
        """The name and phone a department sees: masked when the citizen stays anonymous."""
        if self.anonymous:
            return masked_name(self.contact_name or ""), masked_phone(self.contact_phone or "")
        return self.contact_name or "", self.contact_phone or ""


class WorkOrderPart(models.Model):
    """A department's part of an order (派单): what it is to do, by when, its answer or its one
    return. A reopened order (重办) gives the department a new part in a new round."""

    class Status(models.TextChoices):
        PENDING = "pending", _("办理中")
        RETURNED = "returned", _("已退回")
        ANSWERED = "answered", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="parts"
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=0)
    task = models.CharField(_("承办内容"), max_length=500)
    dispatched_at = models.DateTimeField(_("派单时间"))
    due_at = models.DateTimeField(_("承办时限"))
    yellow_at = models.DateTimeField(_("黄牌预警时间"))
    return_until = models.DateTimeField(_("可退回至"))
    light = models.CharField(_("预警"), max_length=6, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    answer = models.TextField(_("办理结果"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chased_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    listed_from = models.DateTimeField(_("公开通报时间"))
    listed_at = models.DateTimeField(_("已公开通报"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["order", "round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "department", "round"], name="order_part_once_per_round"
            )
        ]
        indexes = [
            models.Index(
                fields=["yellow_at"], condition=models.Q(status="pending"), name="order_part_open"
            ),
            models.Index(fields=["department", "status"], name="order_part_department"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}→{self.department_id} ({self.status})"


class WorkOrderEvent(models.Model):
    """The append-only history of an order (PostgreSQL refuses UPDATE and DELETE)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        "auth.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(_("动作"), max_length=30)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("工单日志")
        verbose_name_plural = _("工单日志")
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("work order events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("work order events are append-only")


class KnowledgeEntry(models.Model):
    """One answer of the knowledge base (知识库, GB/T 44191-2024): a common question, its answer
    and where the answer comes from (an item of the catalogue, a law, a notice). Versioned: a
    revision is a new row and the old one stays, no longer current, so an answer once cited can
    always be read as it was. Entries past their review date, or unused for half a year, are
    listed for review."""

    class Source(models.TextChoices):
        ITEM = "item", _("办事指南事项")
        LAW = "law", _("法律法规")
        NOTICE = "notice", _("政策文件、通知")
        OTHER = "other", _("其他")

    key = models.SlugField(_("条目标识"), max_length=60)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("答复"))
    source_kind = models.CharField(_("依据类型"), max_length=10, choices=Source.choices)
    source = models.CharField(_("依据"), max_length=300)
    review_by = models.DateField(_("复核日期"))
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    use_count = models.PositiveIntegerField(_("引用次数"), default=0)
    last_used_at = models.DateTimeField(_("最近引用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库条目")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="knowledge_key_version"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(is_current=True), name="knowledge_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}（v{self.version}）"
