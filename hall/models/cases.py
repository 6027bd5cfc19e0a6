from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.common.personal_data import SealedTextField
from hall.models.people import Applicant, Window


class CaseGroup(models.Model):
    """The cases of one bundle (一件事) filed together."""

    bundle = models.ForeignKey(
        "approvals.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT
    )
    submission_key = models.UUIDField(_("提交标识"), unique=True, null=True)
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # 牵头部门: the bundle's lead department when it was filed, who sees the whole application
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 一次办结: the results are delivered together once the last item is decided (the default),
    # or each as it is ready; the applicant chooses
    deliver_together = models.BooleanField(_("办结后统一送达"), default=True)

    class Meta:
        verbose_name = _("一件事办件")
        verbose_name_plural = _("一件事办件")

    def __str__(self) -> str:
        return f"{self.bundle} · {self.applicant}"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Case.FINAL_STATUSES)


class Case(models.Model):
    """One application for one service item version, from intake to closing."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("已收件待受理")
        AWAITING_CORRECTION = "awaiting_correction", _("待补正")
        ACCEPTED = "accepted", _("已受理审批中")
        DECIDED = "decided", _("已作出决定")
        CLOSED = "closed", _("已办结")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        REFERRED = "referred", _("已转办")

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        ONLINE = "online", _("网上")
        PROACTIVE = "proactive", _("免申即享")

    FINAL_STATUSES = (Status.CLOSED, Status.NOT_ACCEPTED)

    receipt_no = models.CharField(_("收件编号"), max_length=20, unique=True)
    verification_code = models.CharField(_("查询验证码"), max_length=8)
    submission_key = models.UUIDField(_("提交标识"), unique=True)
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    item = models.ForeignKey(
        "approvals.ServiceItem",
        verbose_name=_("事项（版本）"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    group = models.ForeignKey(
        CaseGroup,
        verbose_name=_("一件事办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    # How the applicant wants the result (结果送达方式); the values are CaseDecision.Delivery's.
    delivery_choice = models.CharField(
        _("结果送达方式"),
        max_length=10,
        blank=True,
        default="",
        choices=[
            ("window", _("窗口领取")),
            ("post", _("邮寄送达")),
            ("courier", _("快递送达")),
            ("locker", _("智能柜自取")),
        ],
    )
    delivery_address = SealedTextField(
        _("寄递地址"), max_length=200, blank=True, default="", purpose="case.delivery_address"
    )
    # The API client (a platform) that filed it: such a client sees only the cases it filed.
    filed_by_client = models.ForeignKey(
        "hall.ApiClient",
        verbose_name=_("申报接口客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    answers = models.JSONField(_("受理问题回答"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    owner = models.ForeignKey(
        "auth.User",
        verbose_name=_("首问责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("受理窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # 亲友代办: the authorisation under which a relative or friend filed it (the notices say so)
    proxy_authorisation = models.ForeignKey(
        "hall.ProxyAuthorisation",
        verbose_name=_("亲友代办授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read from the case, never searched by
    )
    agent = models.ForeignKey(
        "auth.User",
        verbose_name=_("代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_cases",
    )
    materials_received_at = models.DateTimeField(_("材料收到时间"))
    intake_due_date = models.DateField(
        _("受理决定期限"),
        null=True,
        blank=True,
        help_text=_("材料收到后 5 个工作日内须受理或一次性告知（行政许可法第三十二条）。"),
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("逾期视为受理"), default=False)
    promised_due_date = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_due_date = models.DateField(_("法定办结日期"), null=True, blank=True)
    calendar_assumed_years = models.JSONField(
        _("无官方日历的年份"),
        default=list,
        blank=True,
        help_text=_(
            "期限计算跨入尚无国务院节假日安排的年份时，按法定节假日推算、未计调休，期限为暂定。"
        ),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["intake_due_date"],
                condition=models.Q(status="received"),
                name="case_intake_due_open",
            ),
            # the owner's cases in the workbench's order (status, newest first): a page of 50
            # reads 50 index entries, not every case a busy clerk ever owned
            models.Index(fields=["owner", "status", "-created_at"], name="case_owner_status_new"),
            # supervision and performance at a million cases (see README, Benchmarks)
            models.Index(fields=["materials_received_at"], name="case_received_at"),
            models.Index(
                fields=["accepted_at"],
                condition=models.Q(accepted_at__isnull=False),
                name="case_accepted_at",
            ),
            models.Index(
                fields=["closed_at"],
                condition=models.Q(closed_at__isnull=False),
                name="case_closed_at",
            ),
            models.Index(
                fields=["accepted_on"],
                condition=models.Q(closed_at__isnull=True),
                name="case_open_accepted",
            ),
            models.Index(
                fields=["-accepted_at"],
                condition=models.Q(deemed_accepted=True),
                name="case_deemed_accepted",
            ),
            models.Index(
                fields=["promised_due_date", "id"],
                condition=~models.Q(status__in=["closed", "not_accepted"])
                & ~models.Q(calendar_assumed_years=[]),
                name="case_open_assumed_years",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.item.name}"


class CaseMaterial(models.Model):
    """A material of a case's checklist and what the window found."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待核对")
        RECEIVED = "received", _("已收齐")
        MISSING = "missing", _("缺少")
        DEFECTIVE = "defective", _("有误需补正")
        COMMITTED = "committed", _("以告知承诺替代")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials"
    )
    requirement = models.ForeignKey(
        "approvals.MaterialRequirement", verbose_name=_("材料要求"), on_delete=models.PROTECT
    )
    name = models.CharField(_("材料名称"), max_length=200)
    status = models.CharField(
        _("核对结果"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    defect_reason = models.CharField(_("问题说明"), max_length=300, blank=True)
    scan = models.FileField(_("扫描件"), upload_to="scans/%Y/%m/", null=True, blank=True)
    scan_kind = models.CharField(_("文件类型"), max_length=10, blank=True)

    # 容缺受理: a secondary material accepted as missing, to be supplied by this date
    class SupplementForm(models.TextChoices):
        WINDOW = "window", _("到窗口提交")
        ONLINE = "online", _("网上上传")
        POST = "post", _("邮寄")

    deferred_until = models.DateField(_("容缺补齐期限"), null=True, blank=True)
    supplement_form = models.CharField(
        _("补齐方式"), max_length=10, choices=SupplementForm.choices, blank=True
    )
    supplied_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)
    supplied_via = models.CharField(
        _("实际补齐方式"), max_length=10, choices=SupplementForm.choices, blank=True
    )
    # 免证办: a material that is a licence the library holds is taken from it, not demanded
    licence = models.ForeignKey(
        "hall.ElectronicLicence",
        verbose_name=_("共享获取的电子证照"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "requirement__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "requirement"], name="case_material_once_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.get_status_display()}"

    @property
    def outstanding(self) -> bool:
        """Accepted as missing (容缺) and not supplied yet."""
        return self.deferred_until is not None and self.supplied_at is None

    @property
    def shared(self) -> bool:
        """Obtained by sharing from the licence library (免证办), not submitted."""
        return self.licence_id is not None
