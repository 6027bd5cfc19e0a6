"""亲友代办 pages: the portal's (ask, confirm with the principal's code, act, stop, revoke) and
the window's (grant with both present, revoke). Thin views over hall.proxies.services."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hall.cases.proxies import ProxyRefused, age_on, proxy_authorisation_checked
from hall.common.permissions import workbench_required
from hall.models import Applicant, Case, PersonalDataAccess, ProxyAuthorisation
from hall.online.portal.access import ACTING_SESSION_KEY, applicant_or_bind, applicant_required
from hall.platform import audit
from hall.platform.attempts import request_source, session_requester
from hall.platform.guard import int_or_none
from hall.proxies import selectors, services
from hall.proxies.forms import ProxyConfirmForm, ProxyRequestForm, RevokeForm, WindowGrantForm
from hall.proxies.services import ProxyRequest

PENDING_SESSION_KEY = "hall.proxy.pending"


def _rows(authorisations, today):
    return [{"a": a, "state": a.state_on(today)} for a in authorisations]


@never_cache
@applicant_required
def portal_list(request: HttpRequest) -> HttpResponse:
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    today = timezone.localdate()
    return render(
        request,
        "hall/proxies/portal_list.html",
        {
            "applicant": applicant,
            "as_proxy": _rows(selectors.authorisations_as_proxy(applicant=applicant), today),
            "as_principal": _rows(
                selectors.authorisations_as_principal(applicant=applicant), today
            ),
            "acting_code": request.session.get(ACTING_SESSION_KEY, ""),
        },
    )


@never_cache
@applicant_required
def portal_request(request: HttpRequest) -> HttpResponse:
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    form = ProxyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = services.proxy_request_start(
                proxy_user=request.user,
                principal_name=data["principal_name"],
                principal_id_number=data["principal_id_number"],
                relationship=data["relationship"],
                item_codes=data["item_codes"],
                valid_until=data["valid_until"],
                requester=session_requester(request),
                source=request_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            request.session[PENDING_SESSION_KEY] = pending.as_session()
            return redirect("proxies:confirm")
    return render(
        request,
        "hall/proxies/portal_request.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@applicant_required
def portal_confirm(request: HttpRequest) -> HttpResponse:
    pending = ProxyRequest.from_session(request.session.get(PENDING_SESSION_KEY))
    if pending is None:
        messages.info(request, _("请先填写代办授权申请。"))
        return redirect("proxies:request")
    form = ProxyConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authorisation = services.proxy_request_confirm(
                proxy_user=request.user,
                pending=pending,
                code=form.cleaned_data["code"],
                requester=session_requester(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            request.session.pop(PENDING_SESSION_KEY, None)
            messages.success(
                request,
                _("授权已生效：您可以代%(name)s办理，至%(until)s。")
                % {
                    "name": authorisation.principal.name,
                    "until": authorisation.valid_until.isoformat(),
                },
            )
            return redirect("proxies:list")
    return render(
        request,
        "hall/proxies/portal_confirm.html",
        {"form": form, "pending": pending},
        status=400 if request.method == "POST" else 200,
    )


@applicant_required
@require_POST
def portal_act(request: HttpRequest, code: str) -> HttpResponse:
    """Start acting for the principal of one's own authorisation."""
    try:
        authorisation = proxy_authorisation_checked(user=request.user, code=code)
    except ProxyRefused as error:
        messages.error(request, error.messages[0])
        return redirect("proxies:list")
    request.session[ACTING_SESSION_KEY] = authorisation.code
    return redirect("portal:home")


@applicant_required
@require_POST
def portal_stop(request: HttpRequest) -> HttpResponse:
    request.session.pop(ACTING_SESSION_KEY, None)
    messages.info(request, _("已结束代办，回到您自己的办件。"))
    return redirect("portal:home")


@applicant_required
@require_POST
def portal_revoke(request: HttpRequest, code: str) -> HttpResponse:
    """The principal takes an authorisation back, or the proxy gives it up."""
    authorisation = (
        ProxyAuthorisation.objects.filter(code=code)
        .filter(Q(principal__user=request.user) | Q(proxy__user=request.user))
        .first()
    )
    if authorisation is None:
        raise Http404
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.proxy_authorisation_revoke(authorisation=authorisation, by=request.user, reason=reason)
    if request.session.get(ACTING_SESSION_KEY) == code:
        request.session.pop(ACTING_SESSION_KEY, None)
    messages.success(request, _("代办授权已撤销，即时停止。"))
    return redirect("proxies:list")


# --- the window ---------------------------------------------------------------------------------


def _open_cases(applicant: Applicant) -> list[Case]:
    return list(
        Case.objects.filter(applicant=applicant)
        .exclude(status__in=Case.FINAL_STATUSES)
        .select_related("item")
        .order_by("-created_at")[:50]
    )


@never_cache
@workbench_required
def window_grant(request: HttpRequest, applicant_id: int) -> HttpResponse:
    """The principal's authorisations, and a new one with both people at the window."""
    principal = get_object_or_404(Applicant, pk=applicant_id, kind=Applicant.Kind.PERSON)
    cases = _open_cases(principal)
    form = WindowGrantForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = next((c for c in cases if c.pk == int_or_none(data["case"])), None)
        try:
            request_key = uuid.UUID(request.POST.get("request_key", ""))
        except ValueError:
            request_key = None
        if request_key is None:
            form.add_error(None, _("提交标识无效，请刷新页面后重试。"))
        else:
            try:
                authorisation = services.proxy_grant_at_window(
                    clerk=request.user,
                    request_key=request_key,
                    principal=principal,
                    proxy_id_number=data["proxy_id_number"],
                    relationship=data["relationship"],
                    item_codes=data["item_codes"],
                    case=case,
                    valid_until=data["valid_until"],
                    both_present=data["both_present"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("代办授权已生效：%(proxy)s 可代 %(principal)s 办理，至%(until)s。")
                    % {
                        "proxy": authorisation.proxy.name,
                        "principal": principal.name,
                        "until": authorisation.valid_until.isoformat(),
                    },
                )
                return redirect("proxies:window", applicant_id=principal.pk)
    audit.personal_data_read(
        request=request, applicant_id=principal.pk, what=PersonalDataAccess.What.APPLICANT
    )
    today = timezone.localdate()
    return render(
        request,
        "hall/proxies/window.html",
        {
            "principal": principal,
            "age": age_on(principal, today),
            "rows": _rows(selectors.authorisations_as_principal(applicant=principal), today),
            "form": form,
            "request_key": request.POST.get("request_key") or uuid.uuid4(),
        },
        status=400 if request.method == "POST" else 200,
    )


@workbench_required
@require_POST
def window_revoke(request: HttpRequest, code: str) -> HttpResponse:
    authorisation = get_object_or_404(ProxyAuthorisation, code=code)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.proxy_authorisation_revoke(
        authorisation=authorisation, by=request.user, reason=reason, at_window=True
    )
    messages.success(request, _("代办授权已撤销，即时停止。"))
    return redirect("proxies:window", applicant_id=authorisation.principal_id)
