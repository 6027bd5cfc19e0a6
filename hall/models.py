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


class Window(models.Model):
    """A window of the hall. Any window takes any item (一窗受理); online intake is one too."""

    number = models.CharField(_("窗口号"), max_length=10, unique=True)
    name = models.CharField(_("窗口名称"), max_length=50)
    categories = models.JSONField(
        _("叫号类别"), default=list, blank=True, help_text=_("该窗口叫号的取号类别编码列表。")
    )
    is_online = models.BooleanField(_("网上受理"), default=False)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"


class Clerk(models.Model):
    """A window clerk and the window they sit at."""

    user = models.OneToOneField(
        "auth.User", verbose_name=_("用户"), on_delete=models.CASCADE, related_name="clerk"
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("当前窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clerks",
    )

    class Meta:
        verbose_name = _("窗口工作人员")
        verbose_name_plural = _("窗口工作人员")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Applicant(models.Model):
    """A person (by resident identity number) or an enterprise (by USCC) who applies."""

    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        ENTERPRISE = "enterprise", _("企业")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("姓名/名称"), max_length=200)
    id_number = models.CharField(
        _("居民身份证号码"), max_length=18, null=True, blank=True, unique=True
    )
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        "auth.User",
        verbose_name=_("网上办事账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="person", id_number__isnull=False, uscc__isnull=True)
                    | models.Q(kind="enterprise", uscc__isnull=False, id_number__isnull=True)
                ),
                name="applicant_identity_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        return self.id_number or self.uscc or ""

    @property
    def masked_identity(self) -> str:
        value = self.identity
        return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else value


class CaseGroup(models.Model):
    """The cases of one bundle (一件事) filed together."""

    bundle = models.ForeignKey(
        "approvals.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT
    )
    submission_key = models.UUIDField(_("提交标识"), unique=True, null=True)
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

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
        help_text=_("期限计算跨入尚无节假日数据的年份时，按周一至周五推算。"),
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
            models.Index(fields=["owner", "status"], name="case_owner_status"),
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


class Notice(models.Model):
    """A written, numbered and dated notice. Never changed once issued; its hash proves that."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理通知书")
        CORRECTION = "correction", _("一次性补正告知书")
        NON_ACCEPTANCE = "non_acceptance", _("不予受理决定书")
        REFERRAL = "referral", _("转办告知书")
        DEEMED_ACCEPTANCE = "deemed_acceptance", _("视为受理通知书")
        SPECIAL_PROCEDURE = "special_procedure", _("特别程序告知书")
        EXTENSION = "extension", _("延长审批期限告知书")
        GRANT = "grant", _("准予许可决定书")
        REFUSAL = "refusal", _("不予许可决定书")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文号"), max_length=50, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("出具人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.JSONField(_("内容"), default=dict)
    pdf = models.FileField(_("PDF 文件"), upload_to="notices/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    one_time_override_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("一次性告知例外批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    one_time_override_reason = models.TextField(_("例外理由"), blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["case", "issued_at"]
        indexes = [
            models.Index(
                fields=["-issued_at"],
                condition=models.Q(one_time_override_by__isnull=False),
                name="notice_breach_recent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def breaches_one_time_rule(self) -> bool:
        return self.one_time_override_by_id is not None


class CorrectionItem(models.Model):
    """One material a correction notice asked for, and when it was supplied."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("补正告知书"), on_delete=models.PROTECT, related_name="corrections"
    )
    material = models.ForeignKey(
        CaseMaterial, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.CharField(_("补正原因"), max_length=300)
    supplied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正事项")
        verbose_name_plural = _("补正事项")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "material"], name="correction_once_per_material"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material.name}：{self.reason}"


class CaseEvent(models.Model):
    """The append-only history of a case. PostgreSQL refuses UPDATE and DELETE on this table."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        "auth.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动操作。"),
    )
    on_behalf_of = models.ForeignKey(
        Applicant,
        verbose_name=_("代表申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=40, db_index=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件日志")
        verbose_name_plural = _("办件日志")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("case events are append-only")


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
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        "auth.User",
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_address = models.CharField(_("接收地址"), max_length=200, blank=True)
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
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["recipient_user", "-created_at"],
                condition=models.Q(channel="inbox", read_at__isnull=True),
                name="notification_inbox_unread",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Counter(models.Model):
    """Gap-free yearly counters for receipt and notice numbers, incremented under a row lock."""

    key = models.CharField(_("计数器"), max_length=50, unique=True)
    value = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class QueueTicket(models.Model):
    """A queue ticket taken at the kiosk (取号) and called to a window (叫号)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        DONE = "done", _("已完成")
        NO_SHOW = "no_show", _("过号")

    number = models.CharField(_("号码"), max_length=10)
    category = models.CharField(_("取号类别"), max_length=20)
    issued_on = models.DateField(_("取号日期"))
    issued_at = models.DateTimeField(_("取号时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    clerk = models.ForeignKey(
        "auth.User",
        verbose_name=_("窗口工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    served_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    transferred_from = models.ForeignKey(
        Window,
        verbose_name=_("转自窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issued_on", "number"], name="ticket_number_per_day")
        ]
        indexes = [
            models.Index(fields=["issued_on", "category", "status"], name="ticket_queue"),
            models.Index(fields=["issued_at"], name="ticket_issued_at"),
        ]

    def __str__(self) -> str:
        return self.number


class ServiceRating(models.Model):
    """好差评 (国办发〔2019〕51号): five levels, once per visit on site or once per item online.
    The bottom two levels are "bad" and open a follow-up."""

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("自助终端")
        ONLINE = "online", _("网上办事大厅")
        WINDOW = "window", _("窗口评价器")

    LEVELS = [
        (5, _("非常满意")),
        (4, _("满意")),
        (3, _("基本满意")),
        (2, _("不满意")),
        (1, _("非常不满意")),
    ]
    BAD_LEVELS = (1, 2)

    level = models.PositiveSmallIntegerField(_("评价等级"), choices=LEVELS)
    reason = models.TextField(_("评价理由"), blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    ticket = models.ForeignKey(
        QueueTicket,
        verbose_name=_("排队号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    clerk = models.ForeignKey(
        "auth.User",
        verbose_name=_("被评价人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("被评价部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(level__lte=2), name="rating_bad_created"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(case__isnull=False), name="rating_once_per_case"
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(ticket__isnull=False),
                name="rating_once_per_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(ticket__isnull=False),
                name="rating_names_a_case_or_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in self.BAD_LEVELS


class RatingFollowUp(models.Model):
    """A bad rating is checked, fixed and answered within 15 working days; the applicant may
    appeal the answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核实整改")
        ANSWERED = "answered", _("已答复")
        APPEALED = "appealed", _("申诉中")
        CLOSED = "closed", _("已办结")

    rating = models.OneToOneField(
        ServiceRating, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="follow_up"
    )
    due_date = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("核实整改答复"), blank=True)
    answered_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    appeal = models.TextField(_("申诉内容"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_answer = models.TextField(_("申诉答复"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评回访")
        verbose_name_plural = _("差评回访")
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"{self.rating} {self.get_status_display()}"


class SmsCode(models.Model):
    """A one-time SMS verification code; only its hash is stored."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        LOGIN = "login", _("登录")
        LOOKUP = "lookup", _("进度查询")

    phone = models.CharField(_("手机号码"), max_length=11, db_index=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=128)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone} {self.purpose}"


class AgencyRequest(models.Model):
    """全程代办: an applicant asks for an agent; a supervisor assigns one (Art. 29)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待指派")
        ASSIGNED = "assigned", _("已指派")
        WITHDRAWN = "withdrawn", _("已撤回")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="agency_requests"
    )
    note = models.TextField(_("代办需求"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    agent = models.ForeignKey(
        "auth.User",
        verbose_name=_("代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办申请")
        verbose_name_plural = _("代办申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["requested", "assigned"]),
                name="one_live_agency_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"


class UploadedMaterial(models.Model):
    """A file an online applicant uploaded for a material (stored outside the web root)."""

    material = models.ForeignKey(
        CaseMaterial, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="uploads"
    )
    file = models.FileField(_("文件"), upload_to="uploads/%Y/%m/")
    kind = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上传材料")
        verbose_name_plural = _("上传材料")
        ordering = ["material", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name or self.file.name
