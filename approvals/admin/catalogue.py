"""Admin for the catalogue. The calendar's admin lives in approvals.calendar_admin."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from approvals.catalogue.rules import item_conditions, rules_parse
from approvals.catalogue.services import item_new_version
from approvals.models import (
    ApprovalStep,
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
)

QUESTION_PREFIX = "questions"


SMALL_NUMBER = forms.NumberInput(attrs={"style": "width: 4.5em"})


class IntakeQuestionInline(admin.TabularInline):
    model = IntakeQuestion
    extra = 0
    fields = ["order", "key", "text", "choices"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        widgets = {
            "order": SMALL_NUMBER,
            "key": forms.TextInput(attrs={"size": 14}),
            "text": forms.TextInput(attrs={"size": 40}),
            "choices": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }
        if db_field.name in widgets:
            kwargs["widget"] = widgets[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class MaterialFormSet(BaseInlineFormSet):
    """Checks each condition against the questions as they will be saved with this form.

    The model's own check reads the database, so it cannot see questions added, changed or deleted
    in the same submission (nor any question of an item being created).
    """

    def _posted_questions(self) -> dict[str, set[str]] | None:
        try:
            total = int(self.data.get(f"{QUESTION_PREFIX}-TOTAL_FORMS", ""))
        except ValueError:
            return None
        questions: dict[str, set[str]] = {}
        for index in range(total):
            prefix = f"{QUESTION_PREFIX}-{index}-"
            key = self.data.get(prefix + "key", "").strip()
            if not key or self.data.get(prefix + "DELETE"):
                continue
            try:
                choices = forms.JSONField().clean(self.data.get(prefix + "choices", ""))
                values = {str(choice[0]) for choice in choices}
            except (ValidationError, TypeError, IndexError, KeyError):
                values = set()
            questions[key] = values
        return questions

    def clean(self) -> None:
        super().clean()
        questions = self._posted_questions()
        if questions is None:
            return
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            key = form.cleaned_data.get("question_key")
            answer = form.cleaned_data.get("question_answer")
            # A form whose condition the model already refused needs no second message.
            if not key or not answer or {"question_key", "question_answer"} & set(form.errors):
                continue
            if key not in questions:
                form.add_error("question_key", gettext("该事项没有这个受理问题。"))
            elif questions[key] and answer not in questions[key]:
                form.add_error("question_answer", gettext("条件回答不是该问题的选项。"))


class MaterialRequirementInline(admin.TabularInline):
    model = MaterialRequirement
    formset = MaterialFormSet
    extra = 0
    fields = [
        "order",
        "name",
        "name_en",
        "form",
        "copies",
        "applicant_type",
        "question_key",
        "question_answer",
        "notes",
        "licence_type",
        "material_code",
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        widgets = {
            "order": SMALL_NUMBER,
            "copies": SMALL_NUMBER,
            "name": forms.TextInput(attrs={"size": 22}),
            "question_key": forms.TextInput(attrs={"size": 10}),
            "question_answer": forms.TextInput(attrs={"size": 6}),
            "notes": forms.Textarea(attrs={"rows": 2, "cols": 18}),
        }
        if db_field.name in widgets:
            kwargs["widget"] = widgets[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ItemStageInline(admin.TabularInline):
    model = ItemStage
    extra = 0
    fields = ["number", "name", "lead_department", "step_summary"]
    readonly_fields = ["step_summary"]
    autocomplete_fields = ["lead_department"]
    show_change_link = True

    @admin.display(description=_("审批环节"))
    def step_summary(self, stage: ItemStage) -> str:
        if not stage.pk:
            return gettext("保存后点击“更改”设置各部门的审批环节。")
        steps = stage.steps.select_related("department")
        return "；".join(f"{step.department.label} {step.promised_days}" for step in steps) or "—"


class NewVersionForm(forms.Form):
    effective_from = forms.DateField(
        label=_("新版本生效日期"),
        help_text=_("上一版本将在此日期的前一天失效。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ServiceItemAdminForm(forms.ModelForm):
    """Instant approval rules are checked against the item's saved intake questions (a rule on
    a question added in the same save is accepted on the next one)."""

    class Meta:
        model = ServiceItem
        exclude: list[str] = []  # the admin's fieldsets choose the fields

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("instant_approval"):
            item = self.instance
            item.instant_rules = cleaned.get("instant_rules") or []
            try:
                if item.pk:
                    item_conditions(item)
                else:
                    rules_parse(item.instant_rules, questions={})
            except ValueError as error:
                self.add_error("instant_rules", str(error))
        return cleaned


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemAdminForm
    list_display = [
        "code",
        "version",
        "name",
        "handling_type",
        "lead_label",
        "limits",
        "period",
        "in_force",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "handling_type",
        "queue_category",
        "applicant_type",
        "online_filing",
        "serial",
        "lead_department",
    ]
    search_fields = ["code", "name", "lead_department__name", "lead_department__short_name"]
    list_select_related = ["lead_department"]
    autocomplete_fields = ["lead_department"]
    date_hierarchy = "effective_from"
    actions = ["new_version"]
    inlines = [IntakeQuestionInline, MaterialRequirementInline, ItemStageInline]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    ("code", "version"),
                    "name",
                    ("handling_type", "applicant_type", "queue_category"),
                    "lead_department",
                ]
            },
        ),
        (_("设定依据与受理条件"), {"fields": ["legal_basis", "conditions"]}),
        (
            _("英文（英文界面显示；未填时显示中文并注明）"),
            {"classes": ["collapse"], "fields": ["name_en", "conditions_en", "fee_en"]},
        ),
        (
            _("时限与办理方式"),
            {
                "fields": [
                    ("statutory_days", "promised_days"),
                    "limit_legal_basis",
                    ("issuance_days", "licence_validity_years"),
                    ("licence_type", "licence_name"),
                    ("instant_approval", "instant_sample_percent"),
                    "instant_rules",
                    "serial",
                    "fee",
                    ("online_filing", "max_visits"),
                ]
            },
        ),
        (_("生效期"), {"fields": [("effective_from", "effective_to")]}),
    ]

    def view_on_site(self, obj: ServiceItem) -> str:
        return reverse("guide:item", args=[obj.code]) + f"?version={obj.version}"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "name":
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField", "size": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("主办部门"), ordering="lead_department__name")
    def lead_label(self, item: ServiceItem) -> str:
        return item.lead_department.label

    @admin.display(description=_("法定 / 承诺（工作日）"), ordering="promised_days")
    def limits(self, item: ServiceItem) -> str:
        return f"{item.statutory_days} / {item.promised_days}"

    @admin.display(description=_("生效期"), ordering="effective_from")
    def period(self, item: ServiceItem) -> str:
        start = item.effective_from.isoformat()
        if item.effective_to is None:
            return gettext("%(start)s 起") % {"start": start}
        return f"{start} – {item.effective_to.isoformat()}"

    @admin.display(description=_("现行有效"), boolean=True)
    def in_force(self, item: ServiceItem) -> bool:
        today = timezone.localdate()
        return item.effective_from <= today and (
            item.effective_to is None or item.effective_to >= today
        )

    def get_search_results(self, request, queryset, search_term):
        """Also finds items by any department that has a step in them."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            stage_items = ItemStage.objects.filter(
                Q(steps__department__name__icontains=search_term)
                | Q(steps__department__short_name__icontains=search_term)
            ).values("item_id")
            queryset |= self.model.objects.filter(pk__in=stage_items)
        return queryset, may_have_duplicates

    def _new_versions(self, request, queryset, effective_from: datetime.date) -> None:
        for item in queryset.order_by("code", "version"):
            try:
                new_item = item_new_version(item=item, effective_from=effective_from)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(item)s：未能新建版本（%(error)s）")
                    % {"item": item, "error": "；".join(error.messages)},
                    messages.ERROR,
                )
            else:
                url = reverse("admin:approvals_serviceitem_change", args=[new_item.pk])
                self.message_user(
                    request,
                    format_html(
                        gettext('已新建 <a href="{}">{}</a>，自 {} 起生效。'),
                        url,
                        new_item,
                        effective_from.isoformat(),
                    ),
                    messages.SUCCESS,
                )

    @admin.action(description=_("新建版本（复制受理问题、材料、阶段和环节）"))
    def new_version(self, request, queryset):
        """Asks for the date, then calls `item_new_version` for each selected item."""
        if "apply" not in request.POST:
            tomorrow = timezone.localdate() + datetime.timedelta(days=1)
            form = NewVersionForm(initial={"effective_from": tomorrow})
        else:
            form = NewVersionForm(request.POST)
            if form.is_valid():
                self._new_versions(request, queryset, form.cleaned_data["effective_from"])
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("新建事项版本"),
            "form": form,
            "items": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/approvals/serviceitem/new_version.html", context)


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    fields = ["order", "department", "name", "promised_days", "deemed_approval"]
    autocomplete_fields = ["department"]


@admin.register(ItemStage)
class ItemStageAdmin(admin.ModelAdmin):
    list_display = [
        "stage_label",
        "item_name",
        "item_code",
        "lead_label",
        "step_count",
        "stage_days",
    ]
    list_filter = ["item__queue_category", "lead_department"]
    ordering = ["item__code", "item__version", "number"]
    search_fields = ["name", "item__name", "item__code", "lead_department__name"]
    list_select_related = ["item", "lead_department"]
    autocomplete_fields = ["item", "lead_department"]
    inlines = [ApprovalStepInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(step_total=Count("steps"))
            .prefetch_related("steps")
        )

    def view_on_site(self, obj: ItemStage) -> str:
        return reverse("guide:item", args=[obj.item.code]) + f"?version={obj.item.version}"

    @admin.display(description=_("审批阶段"), ordering="number")
    def stage_label(self, stage: ItemStage) -> str:
        return str(stage)

    @admin.display(description=_("事项名称"), ordering="item__name")
    def item_name(self, stage: ItemStage) -> str:
        return stage.item.name

    @admin.display(description=_("事项编码"), ordering="item__code")
    def item_code(self, stage: ItemStage) -> str:
        return f"{stage.item.code} v{stage.item.version}"

    @admin.display(description=_("牵头部门"), ordering="lead_department__name")
    def lead_label(self, stage: ItemStage) -> str:
        return stage.lead_department.label

    @admin.display(description=_("环节数"), ordering="step_total")
    def step_count(self, stage: ItemStage) -> int:
        return stage.step_total

    @admin.display(description=_("本阶段时限（并联，工作日）"))
    def stage_days(self, stage: ItemStage) -> int:
        return max((step.promised_days for step in stage.steps.all()), default=0)


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "queue_category", "item_count"]
    list_filter = ["queue_category"]
    search_fields = ["code", "name", "items__name", "items__code"]
    filter_horizontal = ["items"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("items", distinct=True))

    @admin.display(description=_("事项数"), ordering="item_total")
    def item_count(self, bundle: Bundle) -> int:
        return bundle.item_total

    def view_on_site(self, obj: Bundle) -> str:
        return reverse("guide:bundle", args=[obj.code])
