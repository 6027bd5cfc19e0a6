"""What the desk views share: the officer, the service-call adapter, the step lookup,
private files."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from approvals.desk import selectors
from approvals.desk.forms import (
    ServiceForm,
)
from approvals.models import CaseStep
from approvals.reviews import common as reviews_common
from departments.models import Officer


def desk_officer(request: HttpRequest) -> Officer:
    officer = selectors.officer_of(user=request.user)
    if officer is None:
        raise Http404
    return officer


def status_for(error: ValidationError) -> int:
    return 409 if isinstance(error, reviews_common.AlreadyDecided) else 400


def service_run(form: ServiceForm, call) -> ValidationError | None:
    """Validate the form and call the service with its cleaned data. The error, if any, is put
    on the form and returned; None means the service succeeded."""
    if not form.is_valid():
        return ValidationError(_("请检查填写的内容。"))
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return error
    return None


def back_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def receipt_context(step: CaseStep) -> dict[str, str]:
    return {"receipt": step.case.receipt_no}


def own_step(request: HttpRequest, step_id: int) -> CaseStep:
    step = selectors.step_of_department(
        step_id=step_id, department=desk_officer(request).department
    )
    if step is None:
        raise Http404
    return step


def private_file_response(
    file, *, content_type: str, filename: str, inline: bool = True
) -> FileResponse:
    response = FileResponse(
        file.open("rb"), content_type=content_type, filename=filename, as_attachment=not inline
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # nothing in a served file runs: no script, no plugin, no form, whatever it holds
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
