"""A member of staff reveals a case applicant's whole ID number, phone and address, with a
reason (masked everywhere else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hall.common.forms import form_add_service_errors
from hall.common.personal_data import masked_address, masked_id_number, masked_phone
from hall.privacy import selectors, services
from hall.privacy.forms import RevealForm


@never_cache
@login_required
def case_reveal(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case = selectors.case_for_reveal(user=request.user, receipt_no=receipt_no)
    if case is None:
        raise Http404
    revealed = None
    status = 200
    form = RevealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                revealed = services.personal_data_reveal(
                    request=request, case=case, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
        if revealed is None:
            status = 400
    applicant = case.applicant
    return render(
        request,
        "hall/privacy/reveal.html",
        {
            "case": case,
            "form": form,
            "revealed": revealed,
            "masked": {
                "id_number": masked_id_number(applicant.identity),
                "phone": masked_phone(applicant.phone),
                "delivery_address": masked_address(case.delivery_address),
            },
        },
        status=status,
    )
