"""The service catalogue (事项清单 / 办事指南) and the working-day calendar data."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Art. 42: the decision within 20 working days, 45 for unified, joint or centralised handling,
# unless another law or regulation sets a different limit (which the item must then name).
STATUTORY_LIMIT = 20
JOINT_STATUTORY_LIMIT = 45

ITEM_CODE_VALIDATOR = RegexValidator(
    r"^\d{8}-[A-Z]{2}-\d{4}$",
    _("事项编码格式为“实施主体编码(8位)-类别(2位大写字母)-序号(4位)”，例如 44030700-XK-0001。"),
)

# The category letters of an item code (实施主体编码-类别-序号) and the item types they stand for.
ITEM_CATEGORIES = {
    "XK": "行政许可",
    "CF": "行政处罚",
    "QZ": "行政强制",
    "ZS": "行政征收",
    "JF": "行政给付",
    "JC": "行政检查",
    "QR": "行政确认",
    "JL": "行政奖励",
    "CJ": "行政裁决",
    "GG": "公共服务",
    "QT": "其他行政权力",
}


class ServiceItemQuerySet(models.QuerySet):
    def effective_on(self, day: datetime.date) -> ServiceItemQuerySet:
        return self.filter(effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )


class ServiceItem(models.Model):
    """One version of a service item. A case keeps the version it was filed under."""

    class HandlingType(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("即办件")
        PROMISED = "promised", _("承诺件")
        JOINT = "joint", _("联办件")
        REFERRED_UP = "referred_up", _("上报件")

    class ApplicantType(models.TextChoices):
        ANY = "any", _("个人或企业")
        PERSON = "person", _("个人")
        ENTERPRISE = "enterprise", _("企业")

    class QueueCategory(models.TextChoices):
        GENERAL = "general", _("综合窗口")
        BUSINESS = "business", _("企业开办")
        CONSTRUCTION = "construction", _("工程建设")
        SOCIAL = "social", _("社会事务")

    code = models.CharField(_("事项编码"), max_length=20, validators=[ITEM_CODE_VALIDATOR])
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("事项名称"), max_length=200)
    # English of the catalogue's texts, shown when the interface is English (empty: the Chinese,
    # marked as such; hall.templatetags.hall_tags.localized).
    name_en = models.CharField(_("事项名称（英文）"), max_length=300, blank=True)
    handling_type = models.CharField(_("办件类型"), max_length=20, choices=HandlingType.choices)
    applicant_type = models.CharField(
        _("申请人类型"), max_length=10, choices=ApplicantType.choices, default=ApplicantType.ANY
    )
    queue_category = models.CharField(
        _("取号类别"), max_length=20, choices=QueueCategory.choices, default=QueueCategory.GENERAL
    )
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"))
    conditions_en = models.TextField(_("受理条件（英文）"), blank=True)
    fee = models.CharField(_("收费标准"), max_length=200, default="不收费")
    fee_en = models.CharField(_("收费标准（英文）"), max_length=300, blank=True)
    online_filing = models.BooleanField(_("可网上申办"), default=True)
    max_visits = models.PositiveSmallIntegerField(
        _("到现场次数"), default=1, help_text=_("“最多跑一次”即不超过 1 次。")
    )
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("主办部门"),
        on_delete=models.PROTECT,
        related_name="led_items",
    )
    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), validators=[MinValueValidator(1)]
    )
    promised_days = models.PositiveSmallIntegerField(
        _("承诺时限（工作日）"),
        help_text=_("承诺时限不得超过法定时限；即办件可为 0。"),
    )
    limit_legal_basis = models.CharField(
        _("法定时限的其他法律依据"),
        max_length=300,
        blank=True,
        help_text=_(
            "法定时限超过行政许可法第四十二条（20 个工作日，联办件 45 个工作日）的，"
            "须写明设定该时限的法律、法规。"
        ),
    )
    issuance_days = models.PositiveSmallIntegerField(
        _("颁发送达时限（工作日）"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "准予许可后颁发、送达许可证件的期限，不得超过 10 个工作日（行政许可法第四十四条）。"
        ),
    )
    licence_validity_years = models.PositiveSmallIntegerField(
        _("许可有效期（年）"),
        null=True,
        blank=True,
        help_text=_("准予许可决定公开时显示的有效期；长期有效的留空。"),
    )
    licence_type = models.SlugField(
        _("颁发的电子证照类型"),
        max_length=50,
        blank=True,
        help_text=_("准予许可后颁发电子证照的类型标识（如 food-business）；不颁发证照的留空。"),
    )
    licence_name = models.CharField(
        _("证照名称"), max_length=100, blank=True, help_text=_("如“食品经营许可证”。")
    )

    # 告知承诺制 (国办发〔2020〕42号): proof materials replaced by a written commitment
    class RiskDomain(models.TextChoices):
        NONE = "none", _("不涉及")
        PUBLIC_SAFETY = "public_safety", _("直接涉及公共安全")
        ECOLOGY = "ecology", _("直接涉及生态环境保护")
        HEALTH_LIFE = "health_life", _("直接关系人身健康、生命财产安全")

    risk_domain = models.CharField(
        _("风险领域"),
        max_length=16,
        choices=RiskDomain.choices,
        default=RiskDomain.NONE,
        help_text=_("直接涉及公共安全、生态环境保护和人身健康、生命财产安全的，不实行告知承诺制。"),
    )
    commitment_allowed = models.BooleanField(_("实行告知承诺制"), default=False)
    commitment_text = models.TextField(
        _("承诺内容"), blank=True, help_text=_("申请人承诺的事项，写入告知承诺书。")
    )
    commitment_liability = models.TextField(
        _("承诺不实的责任"), blank=True, help_text=_("虚假承诺的法律后果，写入告知承诺书。")
    )
    commitment_verify_days = models.PositiveSmallIntegerField(
        _("核查期限（工作日）"), default=30, help_text=_("受理后由主管部门核查承诺的期限。")
    )
    # 秒批: rule-based instant approval (approvals.catalogue.rules has the rule language)
    instant_approval = models.BooleanField(
        _("秒批"), default=False, help_text=_("满足全部秒批条件的申请由系统当即受理并准予。")
    )
    instant_rules = models.JSONField(
        _("秒批条件"),
        default=list,
        blank=True,
        help_text=_(
            '条件列表，全部满足才秒批，例如 [{"type": "applicant_type", "equals": "enterprise"}, '
            '{"type": "licence", "licence_type": "business-licence"}, {"type": "no_credit_mark"}, '
            '{"type": "materials_complete"}]。'
        ),
    )
    instant_sample_percent = models.PositiveSmallIntegerField(
        _("事后抽查比例（%）"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("秒批办件中随机抽取复核的比例。"),
    )
    serial = models.BooleanField(
        _("串联审批"), default=False, help_text=_("勾选后所有审批环节依次进行，用于与并联对比。")
    )

    # Records (issue 29; DA/T 22-2015, GB/T 42727-2023): how long a closed case's file is kept,
    # counted from 1 January of the year after it closed, and what happens when that ends.
    class Retention(models.TextChoices):
        TEN_YEARS = "10y", _("定期 10 年")
        THIRTY_YEARS = "30y", _("定期 30 年")
        PERMANENT = "permanent", _("永久")

    class Disposal(models.TextChoices):
        DESTROY = "destroy", _("到期鉴定销毁")
        TRANSFER = "transfer", _("到期移交档案馆")

    retention = models.CharField(
        _("案卷保管期限"),
        max_length=10,
        choices=Retention.choices,
        default=Retention.THIRTY_YEARS,
        help_text=_("办结案卷的保管期限，自办结次年 1 月 1 日起算。"),
    )
    disposal = models.CharField(
        _("到期处置"), max_length=10, choices=Disposal.choices, default=Disposal.DESTROY
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="item_code_version_unique"),
            models.CheckConstraint(
                condition=Q(promised_days__lte=models.F("statutory_days")),
                name="item_promised_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="item_effective_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"

    @property
    def category_name(self) -> str:
        """事项类型, read from the code's category letters (44030700-XK-0001: 行政许可)."""
        parts = self.code.split("-")
        return ITEM_CATEGORIES.get(parts[1] if len(parts) == 3 else "", "其他行政权力")

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.statutory_days is not None and self.statutory_days < 1:
            errors.setdefault("statutory_days", []).append(_("法定时限必须至少 1 个工作日。"))
        if self.promised_days is not None:
            if self.promised_days == 0 and self.handling_type != self.HandlingType.ON_THE_SPOT:
                errors.setdefault("promised_days", []).append(_("只有即办件的承诺时限可以为 0。"))
            if self.statutory_days and self.promised_days > self.statutory_days:
                errors.setdefault("promised_days", []).append(
                    _(
                        "承诺时限（%(promised)s 个工作日）"
                        "不得超过法定时限（%(statutory)s 个工作日）。"
                    )
                    % {"promised": self.promised_days, "statutory": self.statutory_days}
                )
        law_limit = (
            JOINT_STATUTORY_LIMIT
            if self.handling_type == self.HandlingType.JOINT
            else STATUTORY_LIMIT
        )
        if (
            self.statutory_days
            and self.statutory_days > law_limit
            and not self.limit_legal_basis.strip()
        ):
            errors.setdefault("limit_legal_basis", []).append(
                _(
                    "法定时限 %(days)s 个工作日超过行政许可法第四十二条的 %(limit)s 个工作日，"
                    "须写明设定该时限的其他法律、法规。"
                )
                % {"days": self.statutory_days, "limit": law_limit}
            )
        if self.commitment_allowed and self.risk_domain != self.RiskDomain.NONE:
            errors.setdefault("commitment_allowed", []).append(
                _("%(domain)s的事项不得实行告知承诺制。")
                % {"domain": self.get_risk_domain_display()}
            )
        if self.commitment_allowed and not (
            self.commitment_text.strip() and self.commitment_liability.strip()
        ):
            errors.setdefault("commitment_text", []).append(
                _("实行告知承诺制的，须写明承诺内容和承诺不实的责任。")
            )
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors.setdefault("effective_to", []).append(_("失效日期不能早于生效日期。"))
        if self.code and self.effective_from:
            overlapping = ServiceItem.objects.filter(code=self.code).exclude(pk=self.pk)
            end = self.effective_to or datetime.date.max
            overlapping = overlapping.filter(effective_from__lte=end).filter(
                Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from)
            )
            if overlapping.exists():
                errors.setdefault("effective_from", []).append(
                    _("同一事项编码的各版本生效期不能重叠。")
                )
        if errors:
            raise ValidationError(errors)


class IntakeQuestion(models.Model):
    """A question the window asks at intake; answers decide which conditional materials apply."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField(_("问题标识"), max_length=50)
    text = models.CharField(_("问题"), max_length=200)
    choices = models.JSONField(
        _("选项"),
        default=list,
        help_text=_('选项列表，例如 [["yes", "是"], ["no", "否"]]。'),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("受理问题")
        verbose_name_plural = _("受理问题")
        ordering = ["item", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="question_key_unique_per_item")
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        valid = isinstance(self.choices, list) and all(
            isinstance(choice, list | tuple) and len(choice) == 2 for choice in self.choices
        )
        if not valid or len(self.choices) < 2:
            raise ValidationError({"choices": _("至少需要两个选项，每个选项为 [值, 显示文字]。")})


class MaterialRequirement(models.Model):
    """A required material of an item, always or under a condition an administrator edits."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        ELECTRONIC = "electronic", _("电子件")

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    name_en = models.CharField(_("材料名称（英文）"), max_length=300, blank=True)
    form = models.CharField(_("材料形式"), max_length=12, choices=Form.choices)
    copies = models.PositiveSmallIntegerField(
        _("份数"), default=1, validators=[MinValueValidator(1)]
    )
    applicant_type = models.CharField(
        _("适用申请人"),
        max_length=10,
        choices=ServiceItem.ApplicantType.choices,
        default=ServiceItem.ApplicantType.ANY,
    )
    question_key = models.SlugField(
        _("条件问题"), max_length=50, blank=True, help_text=_("留空表示不看受理问题的回答。")
    )
    question_answer = models.CharField(_("条件回答"), max_length=50, blank=True)
    notes = models.TextField(_("填报说明"), blank=True)
    commitment_allowed = models.BooleanField(
        _("可以告知承诺替代"),
        default=False,
        help_text=_(
            "事项实行告知承诺制时，申请人可书面承诺已具备该证明材料所证明的条件，不再提交。"
        ),
    )
    secondary = models.BooleanField(
        _("次要材料（可容缺受理）"),
        default=False,
        help_text=_("次要材料暂缺时，申请人签署承诺书后可先受理、限期补齐；主要材料不得容缺。"),
    )
    licence_type = models.SlugField(
        _("可共享的电子证照类型"),
        max_length=50,
        blank=True,
        help_text=_(
            "该材料是本大厅电子证照库可查询的证照时填写其类型：申请人持有有效证照的，"
            "受理时直接共享获取，不再要求提交（免证办）。"
        ),
    )
    # 一套材料: the same material in several items of a bundle is received once
    material_code = models.SlugField(
        _("通用材料编码"),
        max_length=50,
        blank=True,
        help_text=_(
            "不同事项要求的同一份材料（如法定代表人身份证件）填写相同的编码："
            "在“一件事”中只需提交一次，由每个事项共用。"
        ),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_form_display()} {self.copies} 份）"

    @property
    def is_conditional(self) -> bool:
        return bool(self.question_key) or self.applicant_type != ServiceItem.ApplicantType.ANY

    def clean(self) -> None:
        if bool(self.question_key) != bool(self.question_answer):
            blank_field = "question_key" if self.question_answer else "question_answer"
            raise ValidationError({blank_field: _("条件问题与条件回答需同时填写或同时留空。")})
        if self.question_key and self.item_id:
            question = self.item.questions.filter(key=self.question_key).first()
            if question is None:
                raise ValidationError({"question_key": _("该事项没有这个受理问题。")})
            if self.question_answer not in {str(value) for value, _label in question.choices}:
                raise ValidationError({"question_answer": _("条件回答不是该问题的选项。")})


class ItemStage(models.Model):
    """A stage of an item's approval. Steps within a stage run in parallel; stages in order."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="stages"
    )
    number = models.PositiveSmallIntegerField(_("阶段序号"), validators=[MinValueValidator(1)])
    name = models.CharField(_("阶段名称"), max_length=100)
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="led_stages",
    )

    class Meta:
        verbose_name = _("审批阶段")
        verbose_name_plural = _("审批阶段")
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="stage_number_unique_per_item")
        ]

    def __str__(self) -> str:
        return f"第{self.number}阶段 {self.name}"


class ApprovalStep(models.Model):
    """A department's part of an item, inside a stage."""

    stage = models.ForeignKey(
        ItemStage, verbose_name=_("审批阶段"), on_delete=models.CASCADE, related_name="steps"
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("审批部门"),
        on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    name = models.CharField(_("审批内容"), max_length=200)
    promised_days = models.PositiveSmallIntegerField(
        _("承诺时限（工作日）"), validators=[MinValueValidator(1)]
    )
    deemed_approval = models.BooleanField(
        _("适用超时默许"), default=True, help_text=_("超过时限未作出意见的，视为同意。")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["stage__item", "stage__number", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "department"], name="step_department_unique_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department}：{self.name}"


class Bundle(models.Model):
    """一件事: several items that belong to one life or business event, filed together."""

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    items = models.ManyToManyField(ServiceItem, verbose_name=_("包含事项"), related_name="bundles")
    queue_category = models.CharField(
        _("取号类别"),
        max_length=20,
        choices=ServiceItem.QueueCategory.choices,
        default=ServiceItem.QueueCategory.GENERAL,
    )
    # 牵头部门: sees the whole application and answers for it (each item keeps its own
    # department's decision)
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    national_basis = models.CharField(_("国家依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
