"""Public, no login: what a licence's verification code says about it today, and whether an
uploaded licence file is one the hall sealed, unchanged. Both are rate-limited per address, and
an unknown or malformed code gets the same 404 as any other, so codes cannot be enumerated."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from hall.cases.licences import licence_file_check
from hall.licences.forms import LicenceFileForm
from hall.licences.selectors import licence_facts, licence_verified
from hall.models import ElectronicLicence


def _shown(licence: ElectronicLicence) -> dict:
    """What the page shows of a licence (hall.licences.selectors, the API's answer too)."""
    facts = licence_facts(licence)
    return {
        "licence": facts.licence,
        "state": facts.state,
        "holder": facts.holder,
        "holder_number": facts.holder_number,
        "revocation_basis": facts.revocation_basis,
    }


@require_GET
@ratelimit(key="ip", rate="30/m", block=True)
def verify(request: HttpRequest, code: str) -> HttpResponse:
    facts = licence_verified(code=code)
    if facts is None:
        raise Http404(_("没有这个核验码的电子证照。"))
    return render(request, "hall/licences/verify.html", _shown(facts.licence))


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/m", method="POST", block=True)
def file_check(request: HttpRequest) -> HttpResponse:
    form = LicenceFileForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "max_mb": settings.HALL_UPLOAD_MAX_BYTES // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check, licence = licence_file_check(form.cleaned_data["file"].read())
            context["check"] = check
            if licence is not None:
                context.update(_shown(licence))
        else:
            status = 400
    return render(request, "hall/licences/check.html", context, status=status)
