"""Per-case approval rows: the stages and department steps a case runs through.

When a case is accepted, the item's stages and steps are copied onto it, so that a later edit of
the catalogue never changes a running case. The flow (approvals.flows) routes on these rows;
only services (approvals.reviews) write them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.workflow.models import Process


class CaseStage(models.Model):
    class Decision(models.TextChoices):
        PENDING = "", _("待决定")
        # "status" context: in English the state reads "Approved", the button "Approve"
        APPROVED = "approved", pgettext_lazy("status", "同意")
        REFUSED = "refused", pgettext_lazy("status", "不同意")

    case = models.ForeignKey(
        "hall.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="stages"
    )
    number = models.PositiveSmallIntegerField(_("阶段序号"))
    name = models.CharField(_("阶段名称"), max_length=100)
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(
        _("阶段决定"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    opinion = models.TextField(_("阶段意见"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )
    decision_task = models.OneToOneField(
        "viewflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("办件审批阶段")
        verbose_name_plural = _("办件审批阶段")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="case_stage_number_unique")
        ]
        indexes = [
            # the lead department's desk: its stages waiting for a stage decision, oldest first
            # (issue 27; approvals.desk.selectors._stages_first)
            models.Index(
                fields=["lead_department", "id"],
                condition=Q(decision="", decision_task__isnull=False),
                name="stage_waiting_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 第{self.number}阶段 {self.name}"


class CaseStep(models.Model):
    """One department's part of one stage of one case."""

    class Status(models.TextChoices):
        PENDING = "pending", _("未开始")
        OPEN = "open", _("审查中")
        SUSPENDED = "suspended", _("中止计时")
        # "status" context: in English the state reads "Approved", the button "Approve"
        APPROVED = "approved", pgettext_lazy("status", "同意")
        REFUSED = "refused", pgettext_lazy("status", "不同意")
        DEEMED = "deemed", _("超时默许")

    OPEN_STATUSES = (Status.OPEN, Status.SUSPENDED)
    DECIDED_STATUSES = (Status.APPROVED, Status.REFUSED, Status.DEEMED)

    case = models.ForeignKey(
        "hall.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="steps"
    )
    case_stage = models.ForeignKey(
        CaseStage, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="steps"
    )
    approval_step = models.ForeignKey(
        "approvals.ApprovalStep",
        verbose_name=_("审批环节"),
        on_delete=models.PROTECT,
        db_index=False,  # issue 27: never searched by (PROTECT checks on a step deletion)
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("审批部门"),
        on_delete=models.PROTECT,
        related_name="case_steps",
    )
    name = models.CharField(_("审批内容"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    deemed_approval = models.BooleanField(_("适用超时默许"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    opened_on = models.DateField(_("起算日期"), null=True, blank=True)
    due_date = models.DateField(_("到期日期"), null=True, blank=True)
    due_at = models.DateTimeField(_("到期时刻"), null=True, blank=True)
    warn_on = models.DateField(_("黄牌预警日期"), null=True, blank=True)
    calendar_assumed_years = models.JSONField(_("无官方日历的年份"), default=list, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )
    opinion = models.TextField(_("审查意见"), blank=True)
    late = models.BooleanField(_("逾期"), default=False)
    written_opinion_due = models.DateField(_("书面意见补交期限"), null=True, blank=True)
    written_opinion = models.TextField(_("书面意见"), blank=True)
    written_opinion_at = models.DateTimeField(_("书面意见提交时间"), null=True, blank=True)
    written_opinion_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    written_opinion_late = models.BooleanField(_("书面意见逾期"), default=False)
    warned_yellow_at = models.DateTimeField(_("黄牌预警时间"), null=True, blank=True)
    warned_red_at = models.DateTimeField(_("红牌预警时间"), null=True, blank=True)
    task = models.OneToOneField(
        "viewflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_step"
    )

    class Meta:
        verbose_name = _("部门审查")
        verbose_name_plural = _("部门审查")
        ordering = ["case_stage", "order", "pk"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="step_queue"),
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", deemed_approval=True),
                name="step_deemable_due",
            ),
            models.Index(
                fields=["warn_on"],
                condition=Q(status="open", warned_yellow_at__isnull=True),
                name="step_yellow_due",
            ),
            # supervision and performance at a million cases (see README, Benchmarks)
            models.Index(
                fields=["decided_at"], condition=Q(decided_at__isnull=False), name="step_decided_at"
            ),
            models.Index(fields=["due_at"], condition=Q(status="open"), name="step_open_due"),
            # the supervision dashboard's carded steps (warn_on up to today), sorted afterwards:
            # walking step_open_due for them read every open step when few or none were carded
            # (issue 27: 341 ms of the page at a million open steps)
            models.Index(fields=["warn_on"], condition=Q(status="open"), name="step_open_warned"),
            # the officer inbox: a department's open steps in deadline order, one page at a time
            models.Index(
                fields=["department", "due_at", "id"],
                condition=Q(status__in=["open", "suspended"]),
                name="step_department_open_due",
            ),
            # the desk's written opinions still owed after a deemed approval, in due order
            # (issue 27: it was a sort of every deemed step of the department)
            models.Index(
                fields=["department", "written_opinion_due", "id"],
                condition=Q(status="deemed", written_opinion_at__isnull=True),
                name="step_opinion_owed",
            ),
            models.Index(
                fields=["case"],
                condition=Q(status__in=["open", "suspended"]) & ~Q(calendar_assumed_years=[]),
                name="step_open_assumed_years",
            ),
            models.Index(
                fields=["-decided_at", "-id"],
                condition=Q(status="deemed"),
                name="step_deemed_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"


class StepSuspension(models.Model):
    """The step's clock stops (Art. 45 special procedures, or waiting for a correction)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("补正材料")
        INSPECTION = "inspection", _("检验")
        TESTING = "testing", _("检测")
        QUARANTINE = "quarantine", _("检疫")
        APPRAISAL = "appraisal", _("鉴定")
        EXPERT_REVIEW = "expert_review", _("专家评审")
        HEARING = "hearing", _("听证")
        TENDERING = "tendering", _("招标")
        AUCTION = "auction", _("拍卖")

    step = models.ForeignKey(
        CaseStep, verbose_name=_("部门审查"), on_delete=models.CASCADE, related_name="suspensions"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("事由"))
    starts_on = models.DateField(_("开始日期"))
    expected_days = models.PositiveSmallIntegerField(_("预计工作日"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice = models.ForeignKey(
        "hall.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["step", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step"], condition=Q(ends_on__isnull=True), name="one_open_suspension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}"


class StepExtension(models.Model):
    """Art. 42: the step's limit extended once, approved by the department head."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待负责人审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    step = models.OneToOneField(
        CaseStep, verbose_name=_("部门审查"), on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延长理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    # Why it was not approved (issue 32): the asking department is told.
    decision_reason = models.TextField(_("不批准理由"), blank=True)

    class Meta:
        verbose_name = _("延长审批期限")
        verbose_name_plural = _("延长审批期限")

    def __str__(self) -> str:
        return f"{self.step} +{self.days}"


class CaseDecision(models.Model):
    """The lead department's final decision and the delivery of the result."""

    class Decision(models.TextChoices):
        PENDING = "", _("待决定")
        GRANT = "grant", _("准予许可")
        REFUSE = "refuse", _("不予许可")

    class Delivery(models.TextChoices):
        WINDOW = "window", _("窗口领取")
        POST = "post", _("邮寄送达")
        COURIER = "courier", _("快递送达")
        LOCKER = "locker", _("智能柜自取")

    case = models.OneToOneField(
        "hall.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="decision"
    )
    decision = models.CharField(
        _("决定"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    reasons = models.TextField(_("理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )
    decision_task = models.OneToOneField(
        "viewflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_task = models.OneToOneField(
        "viewflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery = models.CharField(_("送达方式"), max_length=10, choices=Delivery.choices, blank=True)
    delivery_note = models.CharField(_("送达说明"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # Post and courier: the carrier and its tracking (waybill) number, shown to the applicant.
    carrier = models.CharField(_("寄递企业"), max_length=40, blank=True)
    tracking_no = models.CharField(_("运单号"), max_length=40, blank=True)
    # Locker: the cell and the digest of the one-time pick-up code sent by SMS (never the code).
    locker_cell = models.CharField(_("柜格号"), max_length=20, blank=True)
    pickup_digest = models.CharField(max_length=64, blank=True, editable=False)
    picked_up_at = models.DateTimeField(_("取件时间"), null=True, blank=True)
    # Art. 44: a grant's licence is issued and delivered within 10 working days of the decision.
    issue_due_date = models.DateField(_("颁发送达期限"), null=True, blank=True)
    issue_due_at = models.DateTimeField(_("颁发送达截止时刻"), null=True, blank=True)
    issue_warn_on = models.DateField(_("颁发送达预警日"), null=True, blank=True)
    issue_warned_yellow_at = models.DateTimeField(null=True, blank=True, editable=False)
    issue_warned_red_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_late = models.BooleanField(_("逾期颁发送达"), default=False)
    # 撤销 (Art. 69): a grant revoked after the fact is a state of the decision, shown as revoked
    # wherever the grant is (register, API, lookup, portal, the licence's verification page).
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
        db_index=False,  # issue 27: never searched by; PROTECT checks on a user's deletion only
    )  # fmt: skip
    revocation_reason = models.CharField(_("撤销理由"), max_length=500, blank=True)
    revocation_basis = models.CharField(_("撤销依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("审批决定")
        verbose_name_plural = _("审批决定")
        indexes = [
            models.Index(
                fields=["decided_at"],
                condition=Q(decided_at__isnull=False),
                name="decision_decided_at",
            ),
            # the issuance sweep and supervision read only grants not yet delivered
            models.Index(
                fields=["issue_due_at"],
                condition=Q(issue_due_at__isnull=False, delivered_at__isnull=True),
                name="decision_issue_open",
            ),
        ]
        constraints = [
            # a pick-up code finds its cell while the result waits in the locker
            models.UniqueConstraint(
                fields=["pickup_digest"],
                condition=Q(picked_up_at__isnull=True) & ~Q(pickup_digest=""),
                name="decision_pickup_code_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_decision_display()}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ApprovalProcess(Process):
    """The viewflow process of one case; the case is the process artifact (no extra table)."""

    class Meta:
        proxy = True
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")

    @property
    def case(self):
        return self.artifact
