"""The administrator's view of accounts and of the security log.

- Users: their signed-in sessions (read-only), an action that ends them, and disabling an
  account ends its sessions at once (ASVS V3.3.4; 等保 "应能对登录用户的会话进行管理").
- The security log: read-only for everyone, filtered and searched, exported as CSV.
"""

from __future__ import annotations

import csv
import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.accounts import two_factor
from hall.api import keys as api_keys
from hall.cases import archiving, destruction
from hall.cases.credit import credit_mark_clear, credit_mark_record
from hall.cases.licences import licence_revoke
from hall.common.exports import cell_safe
from hall.models import (
    ApiCallRecord,
    ApiClient,
    ArchivePackage,
    CreditMark,
    DestructionList,
    ElectronicLicence,
    PersonalDataAccess,
    SecurityEvent,
    UserSession,
    WebhookDelivery,
    WebhookSubscription,
    WorkOrder,
)
from hall.outbox import webhooks
from hall.platform import audit, egress
from hall.roles import separated_roles_held


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody adds, changes or deletes in the admin (logs: read and export only)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OpenSessionInline(admin.TabularInline):
    model = UserSession
    verbose_name_plural = _("当前登录会话")
    fields = ("started_at", "ip_address", "user_agent")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ended_at__isnull=True)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("结束所选用户的全部登录会话"), permissions=["change"])
def end_sessions(modeladmin, request, queryset):
    ended = sum(
        audit.user_sessions_end(user=user, reason="admin", request=request) for user in queryset
    )
    modeladmin.message_user(
        request,
        _("已结束 %(n)d 个会话。") % {"n": ended},
        messages.SUCCESS,
    )


@admin.action(description=_("重置所选用户的双因素认证（手机丢失）"), permissions=["change"])
def reset_second_factor(modeladmin, request, queryset):
    for user in queryset:
        two_factor.second_factor_reset(user=user, request=request)
        audit.user_sessions_end(user=user, reason="2fa_reset", request=request)
    modeladmin.message_user(
        request, _("已重置；这些用户下次登录时重新设置身份验证器。"), messages.SUCCESS
    )


class HallUserChangeForm(UserChangeForm):
    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        held = separated_roles_held(group.name for group in groups or [])
        if len(held) > 1:
            raise ValidationError(
                _("三员分立：%(roles)s不能由同一账号兼任。")
                % {"roles": "、".join(str(role.label) for role in held)},
                code="separated_roles",
            )
        return groups


class HallUserAdmin(UserAdmin):
    """Accounts, split between the administrators (三员分立): the system administrator keeps
    the account (name, password, active), the security administrator its roles; only a
    superuser (break-glass, never used for daily work) may make another."""

    form = HallUserChangeForm
    inlines = [OpenSessionInline]
    actions = [end_sessions, reset_second_factor]
    # plain labelled multiple selects: the two-box widget's tooltips fail axe (aria-label on a
    # span), and a role list is short
    filter_horizontal = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        readonly += ["last_login", "date_joined"]  # facts, never typed in
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        if not request.user.has_perm("hall.assign_roles"):
            readonly += ["groups", "user_permissions", "is_staff"]
        if not request.user.has_perm("auth.add_user"):  # the security administrator
            readonly += ["username", "first_name", "last_name", "email"]
        return list(dict.fromkeys(readonly))

    def save_model(self, request, obj, form, change):
        disabled = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if disabled:
            audit.security_event_record(
                kind=SecurityEvent.Kind.ACCOUNT_DISABLED,
                request=request,
                details={"user_id": obj.pk, "username": obj.get_username()},
            )
            audit.user_sessions_end(user=obj, reason="disabled", request=request)


admin.site.unregister(User)
admin.site.register(User, HallUserAdmin)

EXPORT_COLUMNS = [
    ("at", _("时间")),
    ("kind", _("类别")),
    ("username", _("用户名")),
    ("user_id", _("用户编号")),
    ("ip_address", _("来源地址")),
    ("user_agent", _("客户端")),
    ("path", _("访问路径")),
    ("case_id", _("办件编号")),
    ("details", _("详情")),
]


@admin.action(description=_("导出所选安全日志（CSV）"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="security-log-{stamp}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow([str(label) for _name, label in EXPORT_COLUMNS])
    for event in queryset.order_by("at", "pk").iterator(chunk_size=2000):
        row = []
        for name, _label in EXPORT_COLUMNS:
            value = getattr(event, name)
            if name == "at":
                value = timezone.localtime(value).isoformat(timespec="seconds")
            elif name == "kind":
                value = event.get_kind_display()
            row.append(cell_safe("" if value is None else str(value)))
        writer.writerow(row)
    audit.security_event_record(
        kind=SecurityEvent.Kind.PERSONAL_DATA_READ,
        request=request,
        details={"export": "security_log", "rows": queryset.count()},
    )
    return response


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "ip_address", "path", "case_id")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "ip_address", "path")
    date_hierarchy = "at"
    actions = [export_csv]
    readonly_fields = [field.name for field in SecurityEvent._meta.fields]


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = [
            "name",
            "scopes",
            "department",
            "acting_user",
            "items",
            "requests_per_minute",
            "contact_email",
            "is_active",
        ]

    def clean(self):
        cleaned = super().clean()
        scopes = cleaned.get("scopes") or []
        department, acting = cleaned.get("department"), cleaned.get("acting_user")
        if ApiClient.Scope.STEPS_ACT in scopes:
            officer = getattr(acting, "officer", None) if acting else None
            if department is None or officer is None or officer.department_id != department.pk:
                raise forms.ValidationError(
                    _("办理审查环节须选择所属部门，并选择该部门的一名审批人员作为代表。")
                )
        return cleaned


@admin.action(description=_("为所选客户端签发新密钥（旧密钥立即失效）"), permissions=["change"])
def issue_new_key(modeladmin, request, queryset):
    for client in queryset:
        key = api_keys.api_key_issue(client=client)
        modeladmin.message_user(
            request,
            _("%(name)s 的新密钥（只显示这一次，请立即妥善保存）：%(key)s")
            % {"name": client.name, "key": key},
            messages.WARNING,
        )


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("订阅的事件"),
        choices=WebhookSubscription.EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "event_types", "is_active"]

    def clean_url(self) -> str:
        """The send-time check, when the address is typed: no loopback, private, link-local or
        metadata address (unless HALL_EGRESS_ALLOWED_NETWORKS names it)."""
        url = self.cleaned_data["url"]
        try:
            egress.url_check(url)
        except egress.EgressRefused as refused:
            raise forms.ValidationError(str(refused), code="egress") from None
        return url


class WebhookSubscriptionInline(admin.StackedInline):
    model = WebhookSubscription
    form = WebhookSubscriptionForm
    extra = 0
    readonly_fields = ("secret",)
    can_delete = False  # switched off, never deleted (hall.outbox.webhooks keeps copies)
    show_change_link = True


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "department", "is_active", "last_used_at")
    list_filter = ("is_active",)
    filter_horizontal = ("items",)
    actions = [issue_new_key]
    inlines = [WebhookSubscriptionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cases name the client that filed them: switch a client off instead

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            key = api_keys.api_key_issue(client=obj)
            self.message_user(
                request,
                _("客户端已创建。密钥只显示这一次，请立即妥善保存：%(key)s") % {"key": key},
                messages.WARNING,
            )


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = (
        "created_at",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ("-created_at",)


@admin.action(description=_("轮换签名密钥（旧密钥在过渡期内继续签名）"))
def rotate_webhook_secret(modeladmin, request, queryset):
    for subscription in queryset:
        rotated = webhooks.webhook_secret_rotate(subscription=subscription)
        modeladmin.message_user(
            request,
            _("%(subscription)s 的新签名密钥：%(secret)s。旧密钥继续签名至 %(until)s。")
            % {
                "subscription": rotated,
                "secret": rotated.secret,
                "until": timezone.localtime(rotated.previous_secret_until).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
            messages.WARNING,
        )


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """A subscription with its deliveries and their attempts."""

    form = WebhookSubscriptionForm
    list_display = (
        "client",
        "url",
        "is_active",
        "recent_attempts",
        "success_rate",
        "last_error",
        "failing_since",
        "paused_at",
    )
    readonly_fields = (
        "client",
        "secret",
        "previous_secret_until",
        "failing_since",
        "failure_told_at",
        "paused_at",
    )
    inlines = [WebhookDeliveryInline]
    actions = [rotate_webhook_secret]

    def get_queryset(self, request):
        since = timezone.now() - datetime.timedelta(days=7)
        recent = Q(deliveries__created_at__gte=since)
        latest_error = (
            WebhookDelivery.objects.filter(subscription=OuterRef("pk"))
            .exclude(last_error="")
            .order_by("-attempted_at")
            .values("last_error")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .select_related("client")
            .annotate(
                week_total=Count("deliveries", filter=recent),
                week_sent=Count("deliveries", filter=recent & Q(deliveries__status="sent")),
                latest_error=Subquery(latest_error),
            )
        )

    @admin.display(description=_("近 7 天推送"))
    def recent_attempts(self, subscription) -> int:
        return subscription.week_total

    @admin.display(description=_("近 7 天成功率"))
    def success_rate(self, subscription) -> str:
        if not subscription.week_total:
            return "—"
        return f"{100 * subscription.week_sent / subscription.week_total:.0f}%"

    @admin.display(description=_("最近错误"))
    def last_error(self, subscription) -> str:
        return subscription.latest_error or "—"

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data and obj.is_active and obj.paused_at:
            # switched back on after a pause: a fresh start, told again if it fails again
            obj.paused_at = obj.failing_since = obj.failure_told_at = None
        super().save_model(request, obj, form, change)
        webhooks.subscriptions_forget()

    def has_add_permission(self, request) -> bool:
        return False  # added under its client

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiCallRecord)
class ApiCallRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "client", "method", "path", "status", "request_id")
    list_filter = ("client", "method")
    search_fields = ("request_id", "path")
    readonly_fields = [field.name for field in ApiCallRecord._meta.fields]


@admin.register(ElectronicLicence)
class ElectronicLicenceAdmin(admin.ModelAdmin):
    """The licence library, read-only but for revocation: writing a reason and saving revokes
    the licence (recorded on the case, told to the holder, shown on the verification page)."""

    list_display = ("number", "name", "holder_name", "department", "valid_until", "status")
    list_filter = ("status", "licence_type", "department")
    search_fields = ("number", "holder_name", "case__receipt_no")
    fields = (
        "number",
        "name",
        "licence_type",
        "holder_name",
        "holder_number",
        "department",
        "case",
        "scope",
        "valid_from",
        "valid_until",
        "verification_code",
        "status",
        "issued_at",
        "rendered_at",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
    )

    def get_readonly_fields(self, request, obj=None):
        editable = {"revoked_reason"} if obj and obj.status == obj.Status.VALID else set()
        return [name for name in self.fields if name not in editable]

    def has_add_permission(self, request) -> bool:
        return False  # licences are issued by grants, never typed in

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        reason = (obj.revoked_reason or "").strip()
        if change and "revoked_reason" in form.changed_data and reason:
            licence_revoke(licence=obj, by=request.user, reason=reason)
            self.message_user(request, _("电子证照已撤销。"), messages.WARNING)


@admin.register(CreditMark)
class CreditMarkAdmin(admin.ModelAdmin):
    """Credit marks (失信记录): recorded by a false commitment or by hand; cleared, never deleted.
    Writing a reason for clearing and saving clears an open mark (who and when are recorded)."""

    list_display = ("applicant", "reason", "marked_at", "cleared_at")
    list_filter = (("cleared_at", admin.EmptyFieldListFilter),)
    search_fields = ("applicant__name", "reason", "case__receipt_no")
    autocomplete_fields = ()
    raw_id_fields = ("applicant", "case")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("applicant", "case", "reason")
        return ("applicant", "case", "reason", "marked_at", "marked_by", "cleared_at",
                "cleared_by", "clear_reason")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = [
            "applicant",
            "case",
            "reason",
            "marked_at",
            "marked_by",
            "cleared_at",
            "cleared_by",
        ]
        return fixed if obj.cleared_at is None else [*fixed, "clear_reason"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            mark = credit_mark_record(
                applicant=obj.applicant, case=obj.case, reason=obj.reason, by=request.user
            )
            obj.pk, obj.marked_at, obj.marked_by = mark.pk, mark.marked_at, mark.marked_by
        elif "clear_reason" in form.changed_data and (obj.clear_reason or "").strip():
            credit_mark_clear(mark=obj, by=request.user, reason=obj.clear_reason)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """The access log: who looked at whose personal data, read-only."""

    list_display = ("at", "what", "username", "role", "department", "receipt_no", "reason")
    list_filter = ("what", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "receipt_no")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in PersonalDataAccess._meta.fields]


@admin.register(ArchivePackage)
class ArchivePackageAdmin(admin.ModelAdmin):
    """Archive packages, read-only but for the legal hold: ticking it (or clearing it) with a
    reason and saving puts the package under a hold (or lifts it); both are logged."""

    list_display = (
        "receipt_no",
        "item_name",
        "closed_at",
        "retention",
        "retention_until",
        "check_passed",
        "legal_hold",
        "destroyed_at",
    )
    list_filter = ("retention", "check_passed", "legal_hold", "disposal")
    search_fields = ("receipt_no", "item_code")
    editable = ("legal_hold", "legal_hold_reason")
    actions = ["check_now"]

    def get_readonly_fields(self, request, obj=None):
        names = [field.name for field in ArchivePackage._meta.fields]
        if obj is not None and obj.destroyed_at is None:
            return [name for name in names if name not in self.editable]
        return names

    def has_add_permission(self, request) -> bool:
        return False  # packages are made by the archive sweep

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only an executed destruction list removes a package's file

    def save_model(self, request, obj, form, change):
        if not change or not set(form.changed_data) & set(self.editable):
            return
        try:
            destruction.package_hold(
                package=obj, user=request.user, hold=obj.legal_hold, reason=obj.legal_hold_reason
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description=_("立即进行四性检测"), permissions=["view"])
    def check_now(self, request, queryset):
        failed = sum(
            not archiving.archive_check(package=package).passed
            for package in queryset.filter(destroyed_at__isnull=True)
        )
        level = messages.ERROR if failed else messages.SUCCESS
        self.message_user(request, _("检测完成，未通过 %(n)d 个。") % {"n": failed}, level)


@admin.register(DestructionList)
class DestructionListAdmin(admin.ModelAdmin):
    """Destruction lists: two different approvers, then execution; nothing typed in."""

    list_display = ("number", "status", "proposed_at", "first_approved_by", "second_approved_by")
    list_filter = ("status",)
    filter_horizontal = ()
    actions = ["approve", "execute"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in DestructionList._meta.fields] + ["packages"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _each(self, request, queryset, service, done: str) -> None:
        for destruction_list in queryset:
            try:
                service(destruction=destruction_list, user=request.user)
            except ValidationError as error:
                message = f"{destruction_list.number}：{' '.join(error.messages)}"
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, f"{destruction_list.number}：{done}", messages.SUCCESS)

    @admin.action(description=_("审批所选销毁清单"), permissions=["view"])
    def approve(self, request, queryset):
        self._each(request, queryset, destruction.destruction_approve, str(_("已审批。")))

    @admin.action(description=_("执行所选销毁清单（不可撤销）"), permissions=["view"])
    def execute(self, request, queryset):
        self._each(request, queryset, destruction.destruction_execute, str(_("已销毁。")))


@admin.register(LogEntry)
class AdminActLogAdmin(ReadOnlyAdmin):
    """Every act done in the admin (who, when, what object, what change): what the audit
    administrator reads beside the security log (三员分立)."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    """Work orders are handled on the orders desk (/orders/); here they are read. The citizen's
    contact is not shown (sealed; a look at it belongs on the desk, where it is logged)."""

    list_display = ("number", "title", "kind", "status", "due_at", "reopen_count")
    list_filter = ("kind", "status", "channel")
    search_fields = ("number", "external_no", "title")
    exclude = ("contact_name", "contact_phone", "callback_token")
