import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from approvals.desk.rows import step_card_html, step_remaining_text
from hall.benefits import selectors as benefit_selectors
from hall.cases import selectors as case_selectors
from hall.cases.actions import action_label
from hall.common.field_html import field_html
from hall.common.glossary import TERMS
from hall.common.moments import limit_end_shown
from hall.common.people import display_name
from hall.common.personal_data import masked_address, masked_phone
from hall.intake.rows import case_rows_html

register = template.Library()


@register.simple_tag
def benefit_offers_waiting(applicant) -> int:
    """免申即享 offers the applicant has not answered yet (the portal home's tile)."""
    return benefit_selectors.offers_waiting_count(applicant=applicant) if applicant else 0


@register.simple_tag(takes_context=True, name="form_field")
def form_field(context, field):
    """One labelled form field (hall/includes/field.html's markup, hall.common.field_html)."""
    return field_html(field, context)


@register.filter(name="person")
def person(user) -> str:
    return display_name(user)


# Staff pages show phones and addresses masked (issue 29); the whole value is revealed on
# /privacy/case/<receipt_no>/reveal/ with a reason that is recorded.
register.filter("masked_phone", masked_phone)
register.filter("masked_address", masked_address)


# A web address in a message, wherever it stands: Chinese text puts it right after a colon with
# no space, where Django's urlize does not look (issue 32: the appeal link could not be tapped).
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'，。；、！？）》」]+")


@register.filter(name="linkify")
def linkify(text: str) -> str:
    """The text, escaped, with each http(s) address a link (no other scheme is ever linked)."""
    text = str(text or "")
    pieces, last = [], 0
    for found in _WEB_ADDRESS.finditer(text):
        address = found.group(0)
        pieces += [
            escape(text[last : found.start()]),
            format_html('<a href="{0}">{0}</a>', address),
        ]
        last = found.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))


@register.simple_tag(name="explain")
def explain(term: str) -> str:
    """A short, closed explanation of a term of art, opened by a tap: “什么是容缺受理？”."""
    found = TERMS.get(term)
    if found is None:
        return ""
    question = gettext("什么是“%(term)s”？") % {"term": found.label}
    return format_html(
        '<details class="term-note"><summary>{}</summary><p class="mb-0">{}</p></details>',
        question,
        found.plain,
    )


@register.filter(name="limit_end")
def limit_end(moment) -> str:
    return limit_end_shown(moment)


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


# A step's card and its working days left on the step and extension pages; the inbox writes the
# same through approvals.desk.rows for its fifty rows at once (issue 27).
step_card = register.simple_tag(step_card_html, name="step_card")
step_remaining = register.simple_tag(step_remaining_text, name="step_remaining")
# The window's case table (approvals.desk.rows' reason: tags per row cost most of the page).
register.filter("case_rows", case_rows_html)


@register.inclusion_tag("hall/includes/application_status.html")
def application_of(case, item_url: str = ""):
    """一件事 in one place on any page of one of its cases (two queries, only for a case filed
    as part of an application)."""
    if case is None or getattr(case, "group_id", None) is None:
        return {"application": None}
    return {
        "application": case_selectors.application_status(group_id=case.group_id),
        "case": case,
        "item_url": item_url,
    }
