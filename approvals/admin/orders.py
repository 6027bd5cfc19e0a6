"""The catalogue's request categories (诉求分类) of 接诉即办: each kind's limit by default, an
override only with its basis (the model's constraint and `clean` both hold it)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from approvals.models import WorkOrderCategory


@admin.register(WorkOrderCategory)
class WorkOrderCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "limit_shown", "default_department", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "kind", "default_department", "is_active"]}),
        (
            _("办理时限"),
            {
                "fields": ["limit_working_days", "limit_hours", "limit_basis"],
                "description": _(
                    "留空按诉求类型：紧急 2 小时，咨询当日，求助 3 个工作日，投诉建议 13 个工作日。"
                ),
            },
        ),
    ]

    @admin.display(description=_("办理时限"))
    def limit_shown(self, category: WorkOrderCategory) -> str:
        working_days, hours = category.limit_parts()
        if hours is not None:
            return _("%(n)s 小时") % {"n": hours}
        if working_days == 0:
            return _("当日")
        return _("%(n)s 个工作日") % {"n": working_days}
