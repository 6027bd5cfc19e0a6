"""Who may use the portal (signed-in applicants), and the small helpers its views share."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from hall.online import selectors as online_selectors

PORTAL_LOGIN = "portal:login"


def applicant_required(view: Callable) -> Callable:
    """Signed in (else to the portal's sign-in page) and allowed to use the portal (else 403)."""
    return login_required(
        permission_required("hall.use_applicant_portal", raise_exception=True)(view),
        login_url=PORTAL_LOGIN,
    )


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def applicant_or_bind(request: HttpRequest):
    applicant = online_selectors.applicant_for(user=request.user)
    if applicant is None:
        messages.info(request, _("请先完善身份信息，再在线申报或查看办件。"))
    return applicant
