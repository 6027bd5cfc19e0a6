"""免申即享 policies in the admin: the rules are checked by the same parser the sweep uses, so an
administrator cannot save a rule set that would find nobody for a typo."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from approvals.catalogue.benefit_rules import benefit_rules_parse
from approvals.catalogue.selectors import item_current_by_code
from approvals.models import Benefit


class BenefitAdminForm(forms.ModelForm):
    class Meta:
        model = Benefit
        fields = [
            "code",
            "name",
            "name_en",
            "item_code",
            "rules",
            "legal_basis",
            "what_you_get",
            "active",
        ]

    def clean_rules(self):
        rules = self.cleaned_data["rules"]
        try:
            benefit_rules_parse(rules)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        return rules

    def clean_item_code(self):
        code = self.cleaned_data["item_code"]
        if item_current_by_code(code=code) is None:
            raise ValidationError("没有现行有效的该编码事项。")
        return code


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    form = BenefitAdminForm
    list_display = ["code", "name", "item_code", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "item_code"]
