"""One labelled form field, the markup of `hall/includes/field.html`, written in Python.

Every form of the hall renders its fields through that include (seventy-odd places). Through the
template language one field cost about a millisecond — its `with`, a dozen `if`s and filters, and
a select's options one `for` turn each — which made the forms most of the window's workbench
and a good part of the supervision page (issue 27). The same markup is put together here with
`format_html`; the include now calls it, so every page keeps its include and its markup.

What the markup does, and why (unchanged): the error and the help text stay visible together and
both are tied to the control with aria-describedby, so a screen reader reads the error and the
expected format; a required field says so with `required` and a star hidden from screen readers.
Values go through `render_value_in_context`, as `{{ }}` does, so they are escaped and localised
the same way (plain text and whole numbers, which need no localising, are escaped directly).
`tests/hall/common/test_field_html.py` holds it to the template it replaced.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from hall.common.html import escaped

_CHECKBOX = (
    '<div class="form-check mb-2">\n'
    '  <input class="form-check-input{invalid}" type="checkbox" name="{name}" id="{id}"'
    ' value="on"{checked}{aria}>\n'
    '  <label class="form-check-label" for="{id}">{label}</label>\n'
    "  {error}\n"
    "  {help}\n"
    "</div>\n"
)
_FIELD = (
    '<div class="mb-2">\n'
    '  <label class="form-label" for="{id}">{label}{star}</label>\n'
    "  {control}\n"
    "  {error}\n"
    "  {help}\n"
    "</div>\n"
)
_STAR = ' <span aria-hidden="true" class="text-danger">*</span>'
_TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


def _text(value, context) -> str:
    # plain text and whole numbers (no thousands separator) escaped directly: the same characters
    # as `{{ }}`, without its localisation steps (a select of a hundred people is 200 values)
    if type(value) is str or (type(value) is int and not settings.USE_THOUSAND_SEPARATOR):
        return mark_safe(escaped(value))
    return render_value_in_context(value, context)


def _options(field: forms.BoundField, context) -> SafeString:
    # compared as the template's `|stringformat:"s"` did: as text
    current = str(field.value())
    return mark_safe(
        "".join(
            f'<option value="{_text(value, context)}"'
            f"{' selected' if current == str(value) else ''}>"
            f"{_text(label, context)}</option>"
            for value, label in field.field.choices
        )
    )  # every value and label above was escaped


def field_html(field: forms.BoundField, context) -> SafeString:
    """The field's label, control, error and help, as `hall/includes/field.html` wrote them."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None) or ""
    errors = field.errors
    help_text = field.help_text
    control_id = _text(field.id_for_label, context)
    error_id, help_id = f"{field.id_for_label}-error", f"{field.id_for_label}-help"
    invalid = " is-invalid" if errors else ""
    aria = ""
    if errors:
        aria = ' aria-invalid="true"'
    if errors or help_text:
        described = " ".join(
            conditional_escape(part)
            for part, shown in ((error_id, errors), (help_id, help_text))
            if shown
        )
        aria += f' aria-describedby="{described}"'
    error_html = (
        format_html(
            '<div class="invalid-feedback d-block" id="{}">{}</div>',
            error_id,
            conditional_escape(" ").join(conditional_escape(e) for e in errors),
        )
        if errors
        else ""
    )
    help_html = (
        format_html('<div class="form-text" id="{}">{}</div>', help_id, _text(help_text, context))
        if help_text
        else ""
    )
    label = _text(field.label, context)
    name = _text(field.html_name, context)
    if input_type == "checkbox":
        return format_html(
            _CHECKBOX,
            invalid=invalid,
            name=name,
            id=control_id,
            checked=mark_safe(" checked") if field.value() else "",
            aria=mark_safe(aria),
            label=label,
            error=error_html,
            help=help_html,
        )
    required = field.field.required
    attributes = mark_safe((" required" if required else "") + aria)
    if input_type == "select" or getattr(field.field, "choices", None):
        control = format_html(
            '<select class="form-select{}" name="{}" id="{}"{}>\n      {}\n    </select>',
            invalid,
            name,
            control_id,
            attributes,
            _options(field, context),
        )
    elif input_type == "textarea" or widget.template_name == _TEXTAREA_TEMPLATE:
        value = field.value()
        control = format_html(
            '<textarea class="form-control{}" name="{}" id="{}" rows="3"{}>{}</textarea>',
            invalid,
            name,
            control_id,
            attributes,
            "" if value is None else _text(value, context),
        )
    else:
        value = field.value()
        control = format_html(
            '<input class="form-control{}" type="{}" name="{}" id="{}" value="{}"{}>',
            invalid,
            input_type or "text",
            name,
            control_id,
            "" if value is None else _text(value, context),
            attributes,
        )
    return format_html(
        _FIELD,
        id=control_id,
        label=label,
        star=mark_safe(_STAR) if required else "",
        control=control,
        error=error_html,
        help=help_html,
    )
