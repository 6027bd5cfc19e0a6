"""Who may use the portal (signed-in applicants), and the small helpers its views share."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from hall.cases.proxies import ProxyRefused, proxy_authorisation_checked
from hall.models import Applicant, ProxyAuthorisation
from hall.online import selectors as online_selectors

PORTAL_LOGIN = "portal:login"
# 亲友代办: the code of the authorisation the signed-in proxy is acting under, if any
ACTING_SESSION_KEY = "hall.proxy.acting"


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


def acting_for(request: HttpRequest) -> ProxyAuthorisation | None:
    """The authorisation the signed-in person acts under (亲友代办), checked on every request:
    one revoked or expired since leaves acting mode at once, saying why."""
    if hasattr(request, "_hall_acting"):
        return request._hall_acting
    acting = None
    code = request.session.get(ACTING_SESSION_KEY) if request.user.is_authenticated else None
    if code:
        try:
            acting = proxy_authorisation_checked(user=request.user, code=code)
        except ProxyRefused as error:
            request.session.pop(ACTING_SESSION_KEY, None)
            messages.warning(request, error.messages[0])
    request._hall_acting = acting
    return acting


def acting_code(request: HttpRequest) -> str:
    acting = acting_for(request)
    return acting.code if acting else ""


def portal_applicant(request: HttpRequest) -> Applicant | None:
    """Whose portal this is for the request: the principal while acting for them, else the
    signed-in applicant (None, with a hint, before the identity is bound)."""
    acting = acting_for(request)
    if acting is not None:
        return acting.principal
    return applicant_or_bind(request)
