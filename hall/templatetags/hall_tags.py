from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from hall.cases.actions import action_label
from hall.common.people import display_name

register = template.Library()


@register.filter(name="person")
def person(user) -> str:
    return display_name(user)


@register.filter(name="event_label")
def event_label(action: str) -> str:
    return action_label(action)


@register.filter(name="localized")
def localized(obj, field: str):
    """A catalogue text in the interface's language: the `<field>_en` column when the page is
    English and it is filled; otherwise the Chinese, and on an English page marked as Chinese
    (lang="zh-CN", so a screen reader reads it as Chinese, and a visible note)."""
    chinese = getattr(obj, field, "") or ""
    if not get_language().startswith("en"):
        return chinese
    english = getattr(obj, f"{field}_en", "") or ""
    if english:
        return english
    if not chinese:
        return ""
    return format_html(
        '<span lang="zh-CN">{}</span> <span class="hall-zh-only">{}</span>',
        chinese,
        gettext("(in Chinese only)"),
    )


@register.simple_tag(name="colon")
def colon() -> str:
    """The colon after a label: full-width in Chinese, ": " in English ("Status: Approved", not
    "Status：Approved")."""
    return ": " if get_language().startswith("en") else "："
