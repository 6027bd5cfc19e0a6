"""The second-factor pages: give a code after signing in, set up an authenticator (with the
recovery codes shown once), and renew the recovery codes. Under /accounts/two-factor/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from hall.accounts import two_factor
from hall.accounts.forms import CodeForm
from hall.accounts.middleware import NOT_NEEDED


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/home/"


@never_cache
@login_required
@ratelimit(key="user", rate="10/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def verify(request):
    if not two_factor.second_factor_enrolled(request.user):
        return redirect("two_factor:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.second_factor_verify(
            request=request, user=request.user, token=form.cleaned_data["code"]
        ):
            return redirect(_next(request))
        form.add_error("code", _("验证码不正确或已过期，请输入身份验证器当前显示的数字。"))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@ratelimit(key="user", rate="10/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def setup(request):
    if not two_factor.is_staff_member(request.user):
        return redirect("home")
    if two_factor.second_factor_enrolled(request.user) and not request.user.is_verified():
        return redirect("two_factor:verify")
    device = two_factor.totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_enroll(
            request=request, user=request.user, token=form.cleaned_data["code"]
        )
        if codes is not None:
            request.session.pop(NOT_NEEDED, None)
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", _("验证码不正确，请确认手机时间准确后输入应用当前显示的数字。"))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.totp_setup_qr(device),
            "secret": two_factor.totp_secret_for_typing(device),
            "required": two_factor.second_factor_required(request.user),
            "next": _next(request),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    if not request.user.is_verified():
        return redirect("two_factor:verify")
    codes = two_factor.recovery_codes_renew(request=request, user=request.user)
    messages.success(request, _("已生成新的恢复码，旧的恢复码已作废。"))
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": "/home/"})
