"""The one adapter from a service's ValidationError to a form.

Services raise `ValidationError` with the applicant's or clerk's message in Chinese, keyed by the
field it concerns when there is one. Views show it at that field, or at the top of the form when
the field is not on the form or the error names none.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def form_add_field_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """Errors by field found beside the form's own checks, each on its field unless the field
    already has one (so a message is not said twice)."""
    for field, messages in errors.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, messages)


class ServiceErrorsMixin:
    """For forms whose views call a service: `form.add_service_errors(error)`."""

    def add_service_errors(self, error: ValidationError) -> None:
        form_add_service_errors(self, error)
