"""Staff who must use a second factor, or have turned it on, reach nothing but the second-factor
pages until they have given it (hall.accounts.two_factor). After django-otp's OTPMiddleware."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from hall.accounts import two_factor

# Whether this session's user needs no second factor at all (not required, none set up): asked
# once per session instead of on every request.
NOT_NEEDED = "hall_2fa_not_needed"
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


class SecondFactorRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.session.get(NOT_NEEDED)
            and not user.is_verified()
        ):
            target = self._target(request, user)
            if target is not None:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

    @staticmethod
    def _target(request, user) -> str | None:
        if not two_factor.is_staff_member(user):
            request.session[NOT_NEEDED] = True
            return None
        if two_factor.second_factor_enrolled(user):
            return "two_factor:verify"
        if two_factor.second_factor_required(user):
            return "two_factor:setup"
        request.session[NOT_NEEDED] = True
        return None
