"""Portal accounts: register, send an SMS code, sign in by password or code, bind an identity."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hall.accounts import services as accounts
from hall.accounts.sms_codes import sms_code_send
from hall.common import validators
from hall.common.forms import form_add_service_errors
from hall.common.personal_data import masked_phone
from hall.lookup import services as lookup
from hall.models import Applicant, SmsCode
from hall.online import selectors as online_selectors
from hall.online.portal.access import applicant_required, safe_next
from hall.online.portal.forms import (
    BindForm,
    CodeLoginForm,
    PhoneLoginForm,
    RegisterForm,
    SmsSendForm,
)
from hall.platform.attempts import request_source, session_requester


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Register with mobile + SMS code + password, and the applicant's identity."""
    initial = {"kind": Applicant.Kind.PERSON, "phone": request.session.get("hall.portal.phone")}
    form = RegisterForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = accounts.account_register(
                    phone=data["phone"],
                    password=data["password1"],
                    code=data["code"],
                    kind=data["kind"],
                    name=data["name"],
                    id_number=data["id_number"],
                    uscc=data["uscc"],
                    legal_representative=data["legal_representative"],
                    email=data["email"],
                    requester=session_requester(request),
                )
            except ValidationError as error:
                form.service_errors(error)
            else:
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("注册成功，欢迎使用网上办事大厅。"))
                return redirect("portal:home")
        status = 400
    return render(
        request,
        "hall/portal/register.html",
        {"form": form, "send_form": SmsSendForm(initial=initial)},
        status=status,
    )


@require_POST
def sms_send(request: HttpRequest) -> HttpResponse:
    """Send a registration or sign-in code. For sign-in the answer never says whether the
    phone has an account."""
    purpose = request.POST.get("purpose")
    back = {
        SmsCode.Purpose.REGISTER: "portal:register",
        SmsCode.Purpose.LOGIN: "portal:login_code",
        "bind": "portal:identity",
    }.get(purpose)
    if back is None:
        raise Http404
    form = SmsSendForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("phone", []):
            messages.error(request, error)
        return redirect(back)
    phone = form.cleaned_data["phone"]
    request.session["hall.portal.phone"] = phone
    if not lookup.sms_send_allowed(request, group="portal"):
        messages.error(request, _("获取验证码过于频繁，请稍后再试。"))
        return redirect(back)
    if purpose == SmsCode.Purpose.LOGIN:
        if accounts.account_for_phone(phone=phone) is not None:
            # Whatever happens, the same answer as for an unknown phone.
            with contextlib.suppress(ValidationError):
                sms_code_send(
                    phone=phone,
                    purpose=SmsCode.Purpose.LOGIN,
                    requester=session_requester(request),
                    source=request_source(request),
                )
        messages.info(
            request,
            _("如该手机号已注册，验证码已发送至 %(phone)s，5 分钟内有效。")
            % {"phone": masked_phone(phone)},
        )
        return redirect(back)
    try:
        sms_code_send(
            phone=phone,
            purpose=SmsCode.Purpose.REGISTER,
            requester=session_requester(request),
            source=request_source(request),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(
            request,
            _("验证码已发送至 %(phone)s，5 分钟内有效。") % {"phone": masked_phone(phone)},
        )
    return redirect(back)


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Sign in with mobile number and password. Failures are limited per phone *and* address by
    django-axes (as on the staff and admin forms): a lockout answers 429 from the same device
    only, so nobody can lock a citizen out from elsewhere, and the SMS-code sign-in stays open."""
    form = PhoneLoginForm(request, data=request.POST or None)
    status = 200
    blocked = ""
    if request.method == "POST":
        if form.is_valid():
            auth_login(request, form.get_user())
            return redirect(safe_next(request, reverse("home")))
        status = 400
    return render(
        request,
        "hall/portal/login.html",
        {"form": form, "next": safe_next(request, ""), "blocked": blocked},
        status=status,
    )


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """Sign in with an SMS code instead of the password."""
    initial = {"phone": request.session.get("hall.portal.phone")}
    form = CodeLoginForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        phone = validators.normalize_mobile(form.cleaned_data["phone"])
        if lookup.attempts_blocked(request, subject_kind="login", subject=phone):
            form.add_error(None, _("登录失败次数过多，请 15 分钟后再试。"))
            status = 429
        else:
            user = accounts.account_sign_in_by_code(
                phone=phone, code=form.cleaned_data["code"], requester=session_requester(request)
            )
            if user is not None:
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(safe_next(request, reverse("portal:home")))
            lookup.attempt_failed(request, subject_kind="login", subject=phone)
            form.add_error("code", _("短信验证码不正确或已失效，请重新获取。"))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "hall/portal/login_code.html",
        {"form": form, "send_form": SmsSendForm(initial=initial), "next": safe_next(request, "")},
        status=status,
    )


@applicant_required
def identity(request: HttpRequest) -> HttpResponse:
    """Bind an account without an identity (e.g. created by an administrator) to its applicant."""
    if online_selectors.applicant_for(user=request.user) is not None:
        return redirect("portal:home")
    initial = {"kind": Applicant.Kind.PERSON, "phone": request.session.get("hall.portal.phone")}
    form = BindForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                accounts.account_identity_bind(
                    user=request.user,
                    phone=data["phone"],
                    code=data["code"],
                    kind=data["kind"],
                    name=data["name"],
                    id_number=data["id_number"],
                    uscc=data["uscc"],
                    legal_representative=data["legal_representative"],
                    email=data["email"],
                    requester=session_requester(request),
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("身份信息已绑定。"))
                return redirect("portal:home")
        status = 400
    return render(
        request,
        "hall/portal/identity.html",
        {"form": form, "send_form": SmsSendForm(initial=initial)},
        status=status,
    )
