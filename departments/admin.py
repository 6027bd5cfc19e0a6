from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Officer


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "title"]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "level", "phone", "address", "head"]

    def clean_head(self):
        head = self.cleaned_data.get("head")
        if head is not None and self.instance.pk and head.department_id != self.instance.pk:
            raise forms.ValidationError(gettext("部门负责人须为本部门的审批人员。"))
        return head


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["code", "name", "short_name", "level", "phone", "head", "officer_count"]
    list_display_links = ["code", "name"]
    list_filter = ["level"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["head__user", "head__department"]
    autocomplete_fields = ["head"]
    inlines = [OfficerInline]
    fieldsets = [
        (None, {"fields": [("code", "level"), "name", "short_name"]}),
        (_("联系方式"), {"fields": ["phone", "address"]}),
        (_("负责人"), {"fields": ["head"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(officer_total=Count("officers"))

    @admin.display(description=_("人员数"), ordering="officer_total")
    def officer_count(self, department: Department) -> int:
        return department.officer_total


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "title", "is_head"]
    list_filter = ["department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user", "department"]

    @admin.display(description=_("部门负责人"), boolean=True)
    def is_head(self, officer: Officer) -> bool:
        return officer.is_head
