from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.common.personal_data import DigestField, SealedTextField, data_digest, masked_id_number


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
            ("approve_joint_extension", _("批准联办件延长审批期限（本级人民政府负责人）")),
            ("assign_roles", _("分配角色（安全管理员）")),
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
    # Sealed at rest, found and kept unique by the keyed digest (hall.common.personal_data).
    id_number = SealedTextField(
        _("居民身份证号码"), max_length=18, null=True, blank=True, purpose="applicant.id_number"
    )
    id_number_digest = DigestField(
        _("身份证号码查找摘要"), source="id_number", purpose="id_number", null=True, unique=True
    )
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    phone = SealedTextField(_("手机号码"), max_length=11, purpose="applicant.phone")
    phone_digest = DigestField(
        _("手机号码查找摘要"), source="phone", purpose="phone", db_index=True, default=""
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    # The language of the SMS, e-mails and notices sent to them (issue 32), whoever sends them.
    language = models.CharField(
        _("消息语言"),
        max_length=10,
        choices=[("zh-hans", _("简体中文")), ("en", _("English"))],
        default="zh-hans",
    )
    user = models.OneToOneField(
        "auth.User",
        verbose_name=_("网上办事账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # Signalen's model (issue 29): the contact details of someone with no open matter go after
    # `HALL_CONTACT_DAYS` (hall.platform.retention); the identity stays with the case files.
    contact_anonymised_at = models.DateTimeField(_("联系方式匿名化时间"), null=True, blank=True)

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

    @staticmethod
    def id_number_lookup(id_number: str) -> dict[str, str]:
        """The filter that finds a person by a normalised ID number (through its digest)."""
        return {"id_number_digest": data_digest(id_number, purpose="id_number")}

    @property
    def identity(self) -> str:
        return self.id_number or self.uscc or ""

    @property
    def masked_identity(self) -> str:
        return masked_id_number(self.identity)
